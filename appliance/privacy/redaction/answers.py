"""Answers to the agent's question: what the caller says right after being asked for a name, an
address or a member number is that, whatever words it uses.

"rose baker" answering "your full name, please?" holds no cue and only dictionary words; nothing
else tells it from speech. A finished transcript knows the question (transcripts.redacted_lines),
so the caller's next turn is read as its answer: its content words are the name or the address
(fillers, function words and talk about the question itself stay: "sorry, can you repeat that"),
and a code there needs no cue before it. When the question is unsure, this is the safe side.
"""

from __future__ import annotations

import re

from appliance.privacy.redaction.dictionary import is_everyday, is_function_word
from appliance.privacy.redaction.ids import find_code_chains_from
from appliance.privacy.redaction.lexicon import FILLERS, MONTHS, NAME_STOP, NUMBER_VOCAB, WEEKDAYS
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import WORD_TOKEN, Token

# What an agent's line asks for, by the words in it (checked in this order: the first wins).
_NAME_ASK = (
    r"\b(?:your|the patient's|the caller's|their|his|her) (?:full |first |last )?name\b"
    r"|\bwho (?:i'm|i am|am i) speaking (?:with|to)\b|\bspell (?:that|it|your)\b|\bsurname\b"
)
_ADDRESS_ASK = (
    r"\b(?:your|the|home|mailing|their) address\b"
    r"|\bwhere (?:do|does) (?:you|they|he|she) live\b|\bpost ?code\b"
)
_ID_ASK = (
    r"\b(?:member|policy|subscriber|group|insurance|account|record|mrn|medicare|medicaid)"
    r"(?: id| number| no)\b|\bmrn\b"
)
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (("NAME", _NAME_ASK), ("ADDRESS", _ADDRESS_ASK), ("ID", _ID_ASK))
)
# Talk about the question itself, not an answer to it.
_META = frozenset((
    "sorry", "pardon", "repeat", "again", "say", "said", "spell", "spelled", "spelling", "name",
    "names", "first", "last", "full", "surname", "address", "number", "date", "birth", "born",
    "wait", "hold", "moment", "second", "minute", "hang", "yes", "no", "yeah", "sure", "okay",
    "right", "correct", "hello", "hi", "thanks", "thank", "please", "what", "that", "know",
    "remember", "check", "find", "look", "card", "here", "calling", "speaking", "mine",
))  # fmt: skip


def asked_for(agent_line: str) -> str | None:
    """NAME, ADDRESS or ID when the agent's line asks the caller for one; otherwise None."""
    for label, pattern in _ASKS:
        if pattern.search(agent_line):
            return label
    return None


def find_answer(toks: list[Token], asked: str) -> list[TokenSpan]:
    """The spans of a turn that answers a question for `asked` (NAME, ADDRESS or ID)."""
    if asked == "ID":
        return find_code_chains_from(toks, 0)
    found: list[TokenSpan] = []
    first = None
    for k, tok in enumerate(toks):
        if _content(tok):
            if first is None:
                first = k
            continue
        if first is not None and not (tok.text == "-" and k + 1 < len(toks) and _content(toks[k + 1])):
            found.append((first, k - 1, asked))
            first = None
    if first is not None:
        found.append((first, len(toks) - 1, asked))
    return found


def _content(tok: Token) -> bool:
    low = tok.low
    return (
        WORD_TOKEN.fullmatch(tok.text) is not None
        and low not in _META
        and low not in FILLERS
        and low not in NAME_STOP
        and low not in NUMBER_VOCAB
        and low not in MONTHS
        and low not in WEEKDAYS
        and not is_function_word(low)
        and not (is_everyday(low) and not tok.text[:1].isupper())
    )
