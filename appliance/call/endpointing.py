"""When has the caller finished? Silence, what was said, how it was said, and what was asked.

A fixed silence window either cuts off a caller who pauses mid-thought ("I'd like to book with,
um …") or makes every caller wait. Here the silence a turn needs before it ends depends on:
- the words so far (the recognizer's partial text) against what the dialog asked: an answer to
  "date of birth?" is complete once a whole date is in it; text ending in a filler, a conjunction,
  a preposition, an article or "is" is unfinished;
- what kind of question it answers: callers often answer an open question ("how can I help?")
  with a sentence, so a few words that begin one ("please call me, [pause] at home", "my
  insurance, [pause] should have …") wait for the rest, however finished they sound. Others
  answer in a word or two ("Billing.", "Refill please."): a terse answer, without a subject or
  a verb of its own, that the understanding layer reads as a whole request (endpointing_intent.py)
  is left to how it sounded, as any turn; one it does not understand ends only when the voice is
  sure it fell. A short question asked outright ("Do you take Aetna?", "What's the address?") ends
  soon after a voice that sounds finished; a whole wh-question ("Where do I park?", "What are
  your visiting hours?") is a complete thought and ends fast (`is_whole_question`). Under
  "patient", a sentence of up to nine words to an open question ("I'd like a callback from the
  nurse, [pause] about my vaccine") ends fast only when the voice surely fell, else waits as
  unfinished. A certain emergency still ends the turn at once (listener.py);
- what comes before an answer: a turn of nothing but "wait", "well", "yeah, hi", "actually" is
  its preamble; a number announced ("my member ID is, four seven two, …") goes on until a phone
  number's worth of digits; a date read in digit groups ("oh seven, one four, …") until its year;
- the grammar, when the words do not decide: a sentence that stops on a verb still waiting for
  its object ("I need", "I'd like to book") is unfinished (appliance/dialog/unfinished.py);
- how it sounded: Smart Turn v3.2 (appliance/speech/smart_turn.py) scores the turn's audio, when
  the words alone do not decide;
- where the voice went at the pause (appliance/speech/prosody.py), under "fast": a turn whose
  pitch rose into the pause instead of falling, however whole its words or finished Smart Turn
  found it ("I need a refill, [pause] for my mother's inhaler"; "Yes, [pause] that's me"), waits
  as unfinished: its words are whole, and only the voice says more is coming. A question is
  exempt (it rises at its end);
- the site's `endpointing` setting (fast, normal, patient), which scales every window;
- the caller: once they have gone on past an end the agent decided (a cut-off the listener
  heard), every window shorter than that pause grows to it and a margin for the rest of the
  call, never past the patient profile's unsure window (PauseHistory). A caller who never went
  on keeps the site's windows exactly.
A complete thought ends the turn fast; an unfinished one waits longer, up to a cap. Without the
model (missing, altered, failing) the undecided case falls back to today's fixed silence.

Pure: `judge_text` and `EndpointPolicy.silence_needed` take text and a probability and return a
verdict and milliseconds; the session runs the model in a worker thread and feeds the result in.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from appliance.dialog.spoken import is_no, is_yes, parse_date, parse_weekday
from appliance.dialog.unfinished import is_unfinished
from appliance.speech.prosody import voice_stayed_up

if TYPE_CHECKING:
    from appliance.speech.smart_turn import SmartTurn

log = logging.getLogger(__name__)

Endpointing = Literal["fast", "normal", "patient"]


class Completeness(Enum):
    COMPLETE = "complete"  # the words answer what was asked: end fast
    INCOMPLETE = "incomplete"  # the words stop mid-phrase: wait longer
    UNKNOWN = "unknown"  # the words do not say: ask the audio model
    LIKELY = "likely"  # a whole question, short: likely the end, though callers may go on
    NAMED = "named"  # a terse answer naming a whole request ("Billing."): the audio model decides
    SHORT = "short"  # a few words that may be whole ("Lab results.", "Do you take Aetna?"): ends
    # only when the voice surely fell, else waits as for a sentence begun
    OPEN = "open"  # a short sentence to an open question ("I'd like a callback from the nurse."):
    # whole, or the start of a longer one; ends fast only when the voice surely fell
    QUESTION = "question"  # a whole question asked outright ("What are your visiting hours?"): a
    # complete thought, fast unless its grammar is unfinished or the voice surely stayed up


# Verdicts the audio model (and the grammar check) settle; the others are the words' own.
ASK_THE_MODEL = frozenset(
    {
        Completeness.UNKNOWN,
        Completeness.LIKELY,
        Completeness.NAMED,
        Completeness.SHORT,
        Completeness.OPEN,
        Completeness.QUESTION,
    }
)


@dataclass(frozen=True)
class EndpointWindows:
    """Silence (ms after the caller's last speech frame) a turn needs, by verdict."""

    complete_ms: int  # the words or the model say the thought is finished
    unsure_ms: int  # the model leans finished but not surely
    incomplete_ms: int  # unfinished: the cap on waiting for the rest
    fallback_ms: int  # no model: today's fixed silence
    model_complete: float = 0.5  # Smart Turn probability at or above which the audio sounds finished
    model_unsure: float = 0.2  # … and below which it sounds unfinished
    model_sure: float = 0.9  # … at or above which a terse answer not understood sounds finished
    # A short question asked outright whose voice sounds finished ends after this much silence
    # (0: as unsure_ms): longer than complete_ms, as callers do add "… on Saturdays".
    question_ms: int = 0
    # An answer to an open question ("how can I help?") shorter than this many words is taken
    # for the start of one: callers open with a sentence, and pause inside it (0: off).
    open_answer_words: int = 0
    # … and one shorter than this many words (but not shorter than open_answer_words) is a
    # sentence that may go on ("I'd like a callback from the nurse, [pause] about my vaccine"):
    # it ends fast only when the voice surely fell (model_sure), else waits as unfinished (0: off).
    # Patient only: on a voice Smart Turn is seldom sure of (espeak-ng's in bench/turns.py) most
    # short sentences then wait the cap, a median of 0.8 s instead of 0.3 s for that caller.
    open_sure_words: int = 0
    # A turn whose voice rose into the pause (prosody.voice_stayed_up) waits as unfinished,
    # however whole its words or finished Smart Turn found it ("Yes, [pause] that's me").
    # "fast" only. It cuts off fewer callers under every profile on bench/turns.py's four corpora
    # at 8 kHz, the blind corpus 4 included, but the few finished turns it holds (a rise heard
    # where the voice ended) wait the cap, and under "normal" and "patient" those turns sit where
    # the median end-of-turn delay falls: on corpus 4 it took normal's median from 285 ms to
    # 470 ms (past the 300 ms) and patient's from 473 ms to 826 ms. Under "fast" far more
    # turns end fast, and its median moved by 4-10 ms (README: the figures).
    voice_rise_waits: bool = False
    # … and waits the unsure window instead of the cap (voice_rise_waits on): a rise heard where
    # the voice in fact ended then costs unsure_ms, not incomplete_ms. Measured under "normal" and
    # not shipped: on corpora 3-4 it kept the median under 300 ms (293 / 296 ms), but on the blind
    # corpus 5 it took normal's median from 282 ms to 750 ms for 21.2 -> 18.8 % cut off.
    voice_rise_unsure: bool = False
    # A bare one-word yes or no ("Yes.", "Nope.") that would end faster than unsure_ms waits
    # unsure_ms: callers go on from one ("Yes, [pause] that's me"), and neither the words nor
    # Smart Turn nor the voice's rise tell that pause from an end on phone audio. Found on
    # bench/turns.py's corpora 3-4, judged blind on corpus 5 (normal 21.2 -> 19.4 % cut off at
    # the same 282 ms median); it only ever lengthens a window, so it cuts no caller off.
    bare_yes_no_waits: bool = False


# One place for the site's dial. "normal" is tuned on the tuning part of bench/turns.py's
# paused-speech corpus at 8 kHz (the held-out part is reported apart); "fast" trades cut-offs for
# speed, "patient" the other way (callers who are elderly, unwell, or reading numbers off a card).
# A finished verdict ends the turn as soon as it comes (complete_ms is the first look: the verdict
# takes the recognizer's decode and Smart Turn's run on top of it).
PROFILES: dict[str, EndpointWindows] = {
    "fast": EndpointWindows(
        complete_ms=120, unsure_ms=450, incomplete_ms=1000, fallback_ms=260, open_answer_words=4,
        question_ms=250, voice_rise_waits=True, bare_yes_no_waits=True,
    ),
    "normal": EndpointWindows(
        complete_ms=120, unsure_ms=700, incomplete_ms=1400, fallback_ms=260, open_answer_words=6,
        question_ms=350, bare_yes_no_waits=True,
    ),
    "patient": EndpointWindows(
        complete_ms=300, unsure_ms=1000, incomplete_ms=2000, fallback_ms=500, open_answer_words=6,
        question_ms=600, open_sure_words=10, bare_yes_no_waits=True,
    ),
}  # fmt: skip

# Words a sentence does not end on. A caller who stops after one of them is mid-thought.
FILLERS = frozenset(["um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm", "uhm"])
CONJUNCTIONS = frozenset(
    [
        "and",
        "but",
        "or",
        "so",
        "because",
        "cause",
        "if",
        "that",
        "than",
        "then",
        "when",
        "while",
        "which",
        "who",
    ]
)
PREPOSITIONS = frozenset(
    [
        "with",
        "to",
        "for",
        "at",
        "on",
        "in",
        "of",
        "from",
        "about",
        "by",
        "after",
        "before",
        "into",
        "onto",
        "until",
        "till",
        "like",
        "as",
    ]
)
DETERMINERS = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "your",
        "his",
        "her",
        "their",
        "our",
        "its",
        "this",
        "these",
        "those",
        "some",
        "any",
    ]
)
LINKS = frozenset(
    ["is", "was", "are", "am", "be", "were", "i", "i'm", "i'd", "i'll", "we", "we're", "it's", "there's"]
)
TRAILING = FILLERS | CONJUNCTIONS | PREPOSITIONS | DETERMINERS | LINKS | frozenset({"dr", "doctor"})
# Of those, words that also end sentences as pronouns or adverbs ("can you repeat that?", "is the
# doctor in?", "I'm calling for her."): unfinished only when the recognizer did not hear the
# sentence end (no full stop or question mark after them).
FINAL_WHEN_PUNCTUATED = frozenset(
    ["that", "this", "these", "those", "some", "any", "her", "so", "then", "in", "on", "out", "by",
     "before", "after"]
)  # fmt: skip

# Short answers to an open question that are whole turns: a closing, or asking for a person.
SHORT_WHOLE_ANSWERS = frozenset(
    ["operator", "nurse", "person", "human", "agent", "representative", "thanks", "thank", "bye",
     "goodbye", "yes", "no", "yeah", "okay"]
)  # fmt: skip

# Words a question opens with ("do you…", "sorry, can I…"): a name the recognizer wrote with a
# question mark ("Maria Gonzalez?") is still the start of an answer.
QUESTION_OPENERS = frozenset(
    ["do", "does", "did", "is", "are", "can", "could", "will", "would", "should", "what", "when",
     "where", "who", "why", "how", "which"]
)  # fmt: skip

WH_WORDS = frozenset(
    ["what", "when", "where", "who", "why", "how", "which", "what's", "when's", "where's", "who's", "how's"]
)

# Words a caller says before the answer proper ("sorry, what?", "okay so where do I park?").
LEAD_INS = frozenset(
    ["sorry", "okay", "ok", "oh", "so", "well", "wait", "hi", "hello", "hey", "yes", "yeah", "and",
     "um", "uh", "er", "excuse", "me", "pardon"]
)  # fmt: skip
# A turn of nothing but these, not heard as a question, is a preamble: "Wait, [pause] which day
# was that?", "Yeah, hi, [pause] I'm calling about …", "Probably, [pause] Friday". (Where the
# dialog asked yes or no, a yes or a no is the answer itself and ends the turn before this.)
PREAMBLE_WORDS = LEAD_INS | frozenset(
    ["actually", "probably", "maybe", "hmm", "alright", "right", "also", "now", "yep", "yup", "nope",
     "no", "hiya", "good", "morning", "afternoon", "evening", "there", "let", "see", "think"]
)  # fmt: skip
# A terse answer has no subject and no verb of its own ("Billing.", "Refill please.", "Cancel my
# appointment."): a pronoun, or a word that carries a sentence's tense, marks a sentence begun
# ("I need …", "please call me, …", "it was …"), and so does a possessive or a demonstrative
# in first place, where it opens the subject ("my insurance, [pause] should have …").
SENTENCE_WORDS = frozenset(
    ["i", "we", "you", "he", "she", "they", "it", "i'm", "i'd", "i'll", "i've", "we're", "it's",
     "there's", "me", "us", "him", "them", "is", "are", "was", "were", "am", "have", "has", "had",
     "need", "needs", "want", "wants", "got", "get", "would", "will", "can", "could", "do", "does",
     "did", "should", "think"]
)  # fmt: skip
SUBJECT_OPENERS = frozenset(["my", "our", "his", "her", "their", "your", "this", "that"])
TERSE_WORDS = 3  # at most this many words

# Expectations whose answer is one short piece (yes or no, a weekday): complete once it is there.
_YES_NO = frozenset({"confirm", "anything_else", "retry", "referral"})
_DATE = frozenset({"dob", "identity", "guardian"})
# A number read out digit by digit ("five five five, oh one three, …"): callers pause between its
# groups, and it is whole only at a phone number's length (7 digits, 10, or 11 with the 1).
DIGITS = frozenset(
    ["zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
)
TEENS_AND_TENS = frozenset(
    ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
     "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
)  # fmt: skip
WHOLE_NUMBER_DIGITS = frozenset({7, 10, 11})
# Words that announce a number ("my number is …", "member ID …", "area code …", "call me at …"):
# after one, the turn goes on until a phone number's worth of digits (7) has come.
NUMBER_CUES = frozenset(["number", "phone", "cell", "id", "mrn", "extension", "code"])
_PUNCTUATION = re.compile(r"[.,?!;:]")
_WORD = re.compile(r"[a-z']+|\d+")


def _sounds_asked(text: str) -> bool:
    """Heard as a question to its end: a question mark, or no punctuation at all (a recognizer
    that writes none, pocketsphinx: its words are all there is to go on)."""
    return text.endswith("?") or not _PUNCTUATION.search(text)


def reading_digits(words: list[str]) -> bool:
    """The words end in a number read digit by digit (three digits or more one by one) that is
    not yet a whole phone number: more of it is coming."""
    digits, singles = 0, 0
    for word in reversed(words):
        if word in DIGITS or (word.isdigit() and len(word) == 1):
            digits, singles = digits + 1, singles + 1
        elif word.isdigit():
            digits += len(word)
        elif word in TEENS_AND_TENS:
            digits += 2
        else:
            break
    return singles >= 3 and digits not in WHOLE_NUMBER_DIGITS


def _digit_count(word: str) -> int:
    if word in DIGITS:
        return 1
    if word.isdigit():
        return len(word)
    return 2 if word in TEENS_AND_TENS else 0


def giving_number(words: list[str]) -> bool:
    """A number announced ("my member ID is, four seven two") with fewer digits after it than a
    phone number has: the caller is reading it out, and pauses between its groups."""
    cues = [i for i, w in enumerate(words) if w in NUMBER_CUES or (w == "at" and i and words[i - 1] == "me")]
    if not cues:
        return False
    after = words[cues[-1] + 1 :]
    digits = sum(_digit_count(w) for w in after)
    return 0 < digits < 7 and _digit_count(after[-1]) > 0 if after else False


def _question_words(stripped: str, words: list[str]) -> list[str]:
    """The words of a question heard to its end, from its first word ("sorry, what?" -> "what"),
    or [] when the recognizer did not hear one."""
    rest = words[:]
    while len(rest) > 1 and rest[0] in LEAD_INS:
        rest = rest[1:]
    return rest if _sounds_asked(stripped) and rest and rest[0] in QUESTION_OPENERS | WH_WORDS else []


AUXILIARIES = QUESTION_OPENERS - WH_WORDS
# A wh-question of this many words or more, from its wh-word: "Where do I park?", "What are your
# visiting hours?". Shorter ones ("What's the address?") are as often the start of a longer one
# ("…, of the hospital"); so are questions that open on an auxiliary ("Can you transfer me?",
# "…, er, to the switchboard"): bench/turns.py, corpus 1, 6.9 -> 10.9 % false cut-offs with them.
WHOLE_QUESTION_WORDS = 4


def is_whole_question(stripped: str, words: list[str]) -> bool:
    """A wh-question heard whole: the recognizer wrote its question mark, and from its wh-word
    (after a lead-in) it has at least WHOLE_QUESTION_WORDS words and does not stop where a
    question goes on: on a word a sentence does not end on ("What are your?"), on an auxiliary
    still waiting for its verb ("What insurance do?"), or on an "it" that stands for a clause to
    come ("How much is it, [pause] to park all day?"). A complete thought: it ends the turn fast
    unless the grammar says a verb waits for its object or the voice surely stayed up
    (`silence_needed`). A text without marks (pocketsphinx) is never whole."""
    if not stripped.endswith("?"):
        return False
    asked = _question_words(stripped, words)
    if len(asked) < WHOLE_QUESTION_WORDS or asked[0] not in WH_WORDS:
        return False
    last = asked[-1]
    if last in AUXILIARIES or last == "it":
        return False
    return not (last in TRAILING and last not in FINAL_WHEN_PUNCTUATED)


def is_preamble(stripped: str, words: list[str]) -> bool:
    """Only words said before an answer ("Wait.", "Yeah, hi.", "Actually."), not asked as a
    question ("Sorry?", "Pardon?" ask the agent to say it again: a whole turn)."""
    return not stripped.endswith("?") and all(w in PREAMBLE_WORDS for w in words)


def reading_date_digits(words: list[str]) -> bool:
    """A date read out in digit groups that stops on a group of single digits ("oh seven, one
    four, [pause] nine two"): a year is never one digit, so the date goes on."""
    singles = [w in DIGITS or (w.isdigit() and len(w) == 1) for w in words[-2:]]
    return len(singles) == 2 and all(singles)


def is_terse(words: list[str]) -> bool:
    """An answer in a word or three, without a subject or a verb of its own ("Billing.")."""
    if not 0 < len(words) <= TERSE_WORDS or words[0] in SUBJECT_OPENERS:
        return False
    return not SENTENCE_WORDS.intersection(words)


def judge_text(
    text: str,
    expecting: str | None = None,
    open_answer_words: int = 0,
    names_request: Callable[[str], bool] | None = None,
    open_sure_words: int = 0,
) -> Completeness:
    """What the words so far say about the turn, given what the dialog asked for.

    `open_answer_words`: an answer to an open question (nothing particular expected) with fewer
    words is the start of a sentence (unfinished), unless it closes the call or asks for a
    person, is a question asked outright, or is terse: `names_request(text)` (the understanding
    layer) then says whether it names a whole request.
    """
    stripped = text.strip()
    words = _WORD.findall(stripped.lower())
    if not words:
        return Completeness.UNKNOWN
    # A recognizer that writes "…" or a trailing comma heard the voice stay up.
    if stripped.endswith(("...", "…", ",", "-")):
        return Completeness.INCOMPLETE
    heard_the_end = stripped.endswith((".", "?", "!"))
    if words[-1] in TRAILING and not (heard_the_end and words[-1] in FINAL_WHEN_PUNCTUATED):
        return Completeness.INCOMPLETE
    if expecting in _YES_NO and len(words) <= 4 and (is_yes(stripped) or is_no(stripped)):
        return Completeness.COMPLETE
    if is_preamble(stripped, words):
        return Completeness.INCOMPLETE
    if expecting in _DATE:
        if reading_date_digits(words):
            return Completeness.INCOMPLETE
        # "Maria Gonzalez, born March" is not an answer yet; "… March third 1985" is. A question
        # back ("do you take Aetna?", "do you need my middle name?") is no part of the answer:
        # how it sounded decides, not the missing date.
        if parse_date(stripped):
            return Completeness.COMPLETE
        asks_back = _sounds_asked(stripped) and bool(QUESTION_OPENERS.intersection(words[:2]))
        return Completeness.UNKNOWN if asks_back else Completeness.INCOMPLETE
    if reading_digits(words) or (not stripped.endswith("?") and giving_number(words)):
        return Completeness.INCOMPLETE
    if expecting == "weekday" and parse_weekday(stripped):
        return Completeness.COMPLETE
    if is_whole_question(stripped, words):
        return Completeness.QUESTION
    whole_short = len(words) <= 2 and bool(SHORT_WHOLE_ANSWERS.intersection(words))
    if expecting is None and len(words) < open_answer_words and not whole_short:
        # "What are your visiting hours?" asked outright: likely whole, so it does not wait the
        # cap; but "what time do you open? [pause] on saturdays" happens, so not the fast end
        asked = _question_words(stripped, words)
        if asked and asked[0] in WH_WORDS:
            return Completeness.LIKELY
        if len(asked) >= 3:
            # "Do you take Aetna?": whole, or the start of "can you transfer me, [pause] to …",
            # which callers say as often
            return Completeness.SHORT
        if is_terse(words):
            named = names_request is not None and names_request(stripped)
            return Completeness.NAMED if named else Completeness.SHORT
        return Completeness.INCOMPLETE
    if expecting is None and len(words) < open_sure_words and not _question_words(stripped, words):
        # a short sentence may be whole or go on (a question asked outright is left to the voice)
        return Completeness.OPEN
    return Completeness.UNKNOWN


def finished_probability(words: str, sound: Callable[[], float | None]) -> float | None:
    """The turn's chance of being finished when its words alone did not decide: none when its
    grammar is unfinished (blocking: a parse), else what `sound()` (Smart Turn) says."""
    if words and is_unfinished(words):
        return 0.0
    return sound()


@dataclass(frozen=True)
class EndpointPolicy:
    windows: EndpointWindows

    @classmethod
    def for_site(cls, endpointing: str) -> EndpointPolicy:
        return cls(PROFILES[endpointing])

    def judge(
        self, text: str, expecting: str | None, names_request: Callable[[str], bool] | None = None
    ) -> Completeness:
        """The words' verdict under this profile (judge_text)."""
        w = self.windows
        return judge_text(text, expecting, w.open_answer_words, names_request, w.open_sure_words)

    def silence_needed(self, verdict: Completeness, probability: float | None, voice_up: bool = False) -> int:
        """Milliseconds of silence after the caller's last speech before the turn ends.

        `probability` is Smart Turn's score of the turn's audio, or None without the model;
        `voice_up`: the pitch rose into the pause (prosody.voice_stayed_up): the turn then waits
        as unfinished, whatever its words or Smart Turn said.
        """
        window = self._silence_needed(verdict, probability)
        w = self.windows
        if voice_up and w.voice_rise_waits:
            return max(window, w.unsure_ms if w.voice_rise_unsure else w.incomplete_ms)
        return window

    def held_answer(self, words: str, window: int) -> int:
        """`window`, or unsure_ms for a bare yes or no that would end sooner (bare_yes_no_waits)."""
        w = self.windows
        if w.bare_yes_no_waits and window < w.unsure_ms and is_bare_yes_no(words):
            return w.unsure_ms
        return window

    def _silence_needed(self, verdict: Completeness, probability: float | None) -> int:
        w = self.windows
        if verdict is Completeness.COMPLETE:
            return w.complete_ms
        if verdict is Completeness.INCOMPLETE:
            return w.incomplete_ms
        if verdict is Completeness.LIKELY:
            # a whole question: how it sounded says how soon, never the cap unless its grammar
            # is unfinished ("how much does?")
            if probability is None:
                return w.unsure_ms
            if probability >= w.model_sure:
                return w.question_ms or w.unsure_ms
            return w.unsure_ms if probability > 0 else w.incomplete_ms
        if verdict is Completeness.QUESTION:
            # whole: fast, whatever Smart Turn (unsure on phone and synthetic voices) leans, unless
            # the grammar is unfinished (0) or the voice surely stayed up; no model: as LIKELY
            if probability is None:
                return w.unsure_ms
            if probability >= w.model_unsure:
                return w.complete_ms
            return w.unsure_ms if probability > 0 else w.incomplete_ms
        if verdict is Completeness.NAMED and probability is not None:
            # the understanding names a whole request: evidence enough never to wait the cap,
            # whatever Smart Turn (unsure on 8 kHz phone audio) heard; only grammar overrules it
            if probability >= w.model_complete:
                return w.complete_ms
            return w.unsure_ms if probability > 0 else w.incomplete_ms
        if verdict is Completeness.OPEN and probability is not None:
            return w.complete_ms if probability >= w.model_sure else w.incomplete_ms
        if verdict is Completeness.SHORT:
            # may be whole: the start of a sentence unless the voice surely fell
            sure = probability is not None and probability >= w.model_sure
            return w.unsure_ms if sure else w.incomplete_ms
        if probability is None:
            return w.fallback_ms
        if probability >= w.model_complete:
            return w.complete_ms
        if probability >= w.model_unsure:
            return w.unsure_ms
        return w.incomplete_ms

    @property
    def waiting_ms(self) -> int:
        """The window while a verdict is still being worked out (the model has not answered)."""
        return self.windows.unsure_ms

    @property
    def first_look_ms(self) -> int:
        """Silence after which the model is asked: it needs the speech's end in its audio."""
        return min(self.windows.complete_ms, 120)


# -- the model, once per process ---------------------------------------------------------------
_model_lock = threading.Lock()
_model_state: dict[str, Any] = {}


def shared_turn_model() -> SmartTurn | None:
    """Smart Turn, loaded on first use; None (and one warning) when it cannot be: the calls then
    end turns on the words and a fixed silence, never fail for it."""
    with _model_lock:
        if "model" not in _model_state:
            from appliance.speech.smart_turn import SmartTurn, SmartTurnUnavailable

            try:
                _model_state["model"] = SmartTurn()
                _model_state["problem"] = ""
            except SmartTurnUnavailable as exc:
                log.warning("end of turn: Smart Turn unavailable (%s); using a fixed silence", exc)
                _model_state["model"], _model_state["problem"] = None, str(exc)
        return _model_state["model"]


def turn_model_problem() -> str:
    """Why the model is not in use ("" when it is), for `wardline doctor`."""
    shared_turn_model()
    return str(_model_state.get("problem", ""))


# -- one call's pauses ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Heard:
    """The turn's audio at a pause: Smart Turn's probability (None: not asked, or it failed),
    and whether the voice stayed up into the pause."""

    probability: float | None
    voice_up: bool


def is_question(text: str) -> bool:
    """Heard as a question to its end ("Do you take Aetna?"; "do you take aetna" from a recognizer
    that writes no punctuation): its voice rises at its end, no sign of more coming."""
    stripped = text.strip()
    return stripped.endswith("?") or bool(_question_words(stripped, _WORD.findall(stripped.lower())))


def is_bare_yes_no(text: str) -> bool:
    """A turn of one word that says yes or no ("Yes.", "Nope."), not asked back ("Yes?")."""
    stripped = text.strip()
    return (
        len(_WORD.findall(stripped.lower())) == 1
        and not stripped.endswith("?")
        and (is_yes(stripped) or is_no(stripped))
    )


@dataclass(frozen=True)
class PauseHistory:
    """What this call's caller has shown of their pauses: the longest silence they went on after
    once the agent had taken it for the end of their turn (0: they never did).

    No signal at a pause (the words, Smart Turn, the pitch, the punctuation, the loudness) tells a
    sentence already whole that the caller will go on from ("I want to cancel my appointment,
    [pause] the one on Friday") from an end. A listener adapts instead: once a caller has gone on
    past an end, every window shorter than their pause grows to it and a margin, for the rest of
    the call, and never beyond what the patient profile waits when unsure (1 s): a caller who
    pauses that long is still answered within a second. The caps for unfinished words are longer
    already and stay. A caller who never went on keeps the site's windows exactly.
    """

    went_on_after_ms: float = 0.0
    # How much longer than that pause a window grows to (the next pause is seldom exactly as
    # long), and the most it grows to: bench/turns.py --callers has the figures.
    margin_ms: int = 200
    most_ms: int = PROFILES["patient"].unsure_ms

    def went_on(self, pause_ms: float) -> PauseHistory:
        """The caller went on after `pause_ms` of silence that had ended their turn."""
        return replace(self, went_on_after_ms=max(self.went_on_after_ms, pause_ms))

    def lengthened(self, window: int) -> int:
        """`window`, or the silence this caller has shown they go on after, and a margin."""
        if not self.went_on_after_ms:
            return window
        return max(window, min(int(self.went_on_after_ms) + self.margin_ms, self.most_ms))


class PauseJudge:
    """One call's end-of-turn windows: at each pause in an open turn, how much silence ends it.

    The session calls `turn_started` when the caller starts a turn and `frame` on every inbound
    frame of an open turn; both return the endpoint window the turn taker should use now. At the
    first look into a pause the words decide at once when they can; otherwise Smart Turn scores
    the turn's audio in a worker thread (`judge` awaits it) and `decided` returns the window. Any
    speech in between makes a pending verdict stale: it is dropped.
    """

    def __init__(
        self,
        policy: EndpointPolicy,
        model: SmartTurn | None,
        sample_rate_hz: int,
        fallback_ms: int,
        names_request: Callable[[str, str | None], bool] | None = None,
    ) -> None:
        self.policy = policy
        self.model = model
        # The understanding layer's word on a terse answer: does "billing" name a whole request
        # when the dialog expects this (endpointing_intent.RequestNames)? None: nothing does.
        self.names_request = names_request
        self.sample_rate_hz = sample_rate_hz
        self.fallback_ms = fallback_ms  # today's fixed window for this turn, without the model
        self._generation = 0
        self._looked = False
        # The caller's pauses so far in this call: a caller who went on past an end waits longer.
        self.history = PauseHistory()

    def caller_went_on(self, pause_ms: float) -> None:
        """The caller spoke again `pause_ms` after their last speech, past the end the agent had
        decided (the listener heard the continuation): their later pauses wait longer."""
        self.history = self.history.went_on(pause_ms)

    @property
    def _waiting_ms(self) -> int:
        waiting = self.policy.waiting_ms if self.model is not None else self.fallback_ms
        return self.history.lengthened(waiting)

    def turn_started(self, fallback_ms: int) -> int:
        self.fallback_ms = fallback_ms
        self._generation += 1
        self._looked = False
        return self._waiting_ms

    def frame(self, silence_ms: float) -> tuple[int | None, int | None]:
        """(window now or None to keep it, generation to judge at or None)."""
        if silence_ms <= 0:
            if self._looked:
                self._generation += 1
                self._looked = False
                return self._waiting_ms, None
            return None, None
        if not self._looked and silence_ms >= self.policy.first_look_ms:
            self._looked = True
            return None, self._generation
        return None, None

    def verdict_window(self, text: str, expecting: str | None) -> tuple[Completeness, int | None]:
        """The words' verdict, and the window when the words alone decide (None: ask the model)."""
        names = self.names_request
        verdict = self.policy.judge(
            text, expecting, (lambda words: names(words, expecting)) if names is not None else None
        )
        if verdict is Completeness.COMPLETE and self.hears_the_rise and not is_question(text):
            return verdict, None  # whole words: the voice at the pause says whether more comes
        if verdict not in ASK_THE_MODEL:
            window = self.policy.held_answer(text, self.policy.silence_needed(verdict, None))
            return verdict, self.history.lengthened(window)
        if self.model is None and not self.hears_the_rise:
            return verdict, self.window_for(verdict, None, words=text)
        return verdict, None  # the audio decides: Smart Turn, and where the voice went

    def hear(self, pcm16: bytes, words: str, verdict: Completeness) -> Heard:
        """What the turn's audio says at the pause (worker thread): Smart Turn's probability
        where the verdict needs it (`score`), and whether the voice stayed up into the pause."""
        probability = self.score(pcm16, words) if verdict in ASK_THE_MODEL else None
        up = self.hears_the_rise and not is_question(words) and voice_stayed_up(pcm16, self.sample_rate_hz)
        return Heard(probability, up)

    @property
    def hears_the_rise(self) -> bool:
        """The site's profile holds a turn whose voice rose into the pause (voice_rise_waits)."""
        return self.policy.windows.voice_rise_waits

    def score(self, pcm16: bytes, words: str = "") -> float | None:
        """How likely the turn is finished (worker thread): 0 when the words stop on a verb still
        waiting for its object (dialog/unfinished.py: "I need", "could you move"), whatever the
        voice did; else Smart Turn's probability for the turn's audio; None if that failed."""
        model = self.model
        if model is None:
            return None

        def sound() -> float | None:
            try:
                return model.probability(pcm16, self.sample_rate_hz)
            except Exception as exc:  # a failing model costs the call nothing but speed
                log.warning("end of turn: Smart Turn failed (%s); using a fixed silence", type(exc).__name__)
                return None

        return finished_probability(words, sound)

    def window_for(
        self, verdict: Completeness, probability: float | None, voice_up: bool = False, words: str = ""
    ) -> int:
        """The window for a verdict the model settles; without its word (no model, or it
        failed) the words' own lean decides, and an undecided turn takes the fixed window.
        `voice_up`: the voice rose into the pause (the turn then waits as unfinished); `words`:
        the recognizer's text the verdict read (a bare yes or no may wait: held_answer)."""
        w = self.policy.windows
        if probability is None and verdict in (Completeness.UNKNOWN, Completeness.NAMED, Completeness.OPEN):
            held = voice_up and self.hears_the_rise
            rise = w.unsure_ms if w.voice_rise_unsure else w.incomplete_ms
            window = max(self.fallback_ms, rise) if held else self.fallback_ms
        else:
            window = self.policy.silence_needed(verdict, probability, voice_up)
        return self.history.lengthened(self.policy.held_answer(words, window))

    def current(self, generation: int) -> bool:
        """The pause judged at `generation` is still the one going on."""
        return generation == self._generation
