"""What the agent says: fixed phrases, spoken forms of written facts, answers from documents.

Responses are spoken, so numbers, times and prices are written as words and sentences are kept
short (the call pipeline synthesizes each sentence as it arrives). `speakable` turns a written
fact from a site document ("10:00–20:00", "$2 per hour", "30 minutes") into words;
`answer_from_passages` picks the sentences of the retrieved passages that answer the question.
Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import time

from appliance.knowledge.base import Passage
from appliance.tools.spoken import number_words, time_words

SORRY_TOOL = "I'm sorry, I couldn't complete that just now."
NOT_UNDERSTOOD = "I'm sorry, I didn't catch that."
HELP_MENU = (
    "I can help you book, change or cancel an appointment, request a prescription refill, "
    "or answer questions about the hospital."
)
IDENTITY_ASK = "First, I need to confirm who you are. Please tell me your full name and date of birth."
IDENTITY_ASK_NAME = "Thank you. And your full name, please?"
IDENTITY_ASK_DOB = "Thank you. And your date of birth?"
IDENTITY_RETRY = (
    "I'm sorry, I couldn't match that name and date of birth. Please tell me your full name and "
    "date of birth again."
)
IDENTITY_OK = "Thank you, I've found your record."
IDENTITY_FAILED = "I'm sorry, I wasn't able to confirm your identity. Let me get you a person who can help."
INJECTION = "I can't change how I work. " + HELP_MENU
KNOWLEDGE_UNKNOWN = "I don't know that; let me get you a person."
RECORDING_OFF = "Okay. I've stopped recording this call."
REPROMPT = "Are you still there?"
SILENCE_GOODBYE = "I haven't heard anything, so I'll end the call now. Please call back any time. Goodbye."
NO_CARD_NUMBERS = "Please don't read card numbers to me."
FAULT = "I'm sorry, something went wrong on my side. Let me get you a person."


def _words(text: str) -> list[str]:
    return text.split()


_STOP = set(
    _words(
        "a an the and or but of on in at to for from with by is are was be do does did can "
        "could would will i you we my your our me it its this that what whats when where how "
        "which who about there any some please tell know want like get much many have has hi "
        "hello there thanks thank much s m"
    )
)
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_MONEY = re.compile(r"\$(\d{1,6})(?:\.(\d{2}))?")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,6})(?![\w.:/])")
_ORD = re.compile(r"\b(\d{1,2})(st|nd|rd|th)\b")


def speakable(text: str) -> str:
    """Written text as words for a speech synthesizer: times, ranges, prices, numbers, no markdown."""
    text = re.sub(r"[*_`#>|]+", " ", text)
    text = re.sub(r"^\s*[-•]\s+", "", text, flags=re.MULTILINE)
    text = re.sub(r"\s*[–—]\s*|\s+-\s+", " to ", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", text)
    text = _TIME.sub(lambda m: _clock(int(m.group(1)), int(m.group(2))), text)
    text = _MONEY.sub(_dollars, text)
    text = _ORD.sub(lambda m: _ordinal(int(m.group(1))), text)
    text = _NUMBER.sub(lambda m: number_words(int(m.group(1))), text)
    text = text.replace("&", " and ").replace("%", " percent")
    return " ".join(text.split())


def _clock(hour: int, minute: int) -> str:
    words = time_words(time(hour, minute))
    return (
        words.replace(" in the morning", " a.m.")
        .replace(" in the afternoon", " p.m.")
        .replace(" in the evening", " p.m.")
    )


def _dollars(m: re.Match[str]) -> str:
    amount = int(m.group(1))
    cents = int(m.group(2) or 0)
    words = f"{number_words(amount)} dollar{'s' if amount != 1 else ''}"
    return words + (f" and {number_words(cents)} cents" if cents else "")


def _ordinal(n: int) -> str:
    from appliance.tools.spoken import ordinal_words

    return ordinal_words(n)


def _stem(word: str) -> str:
    for suffix in ("ing", "ers", "es", "s", "ed", "er"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    words = re.sub(r"[^a-z0-9 ]+", " ", text.lower().replace("'", "")).split()
    return {_stem(w) for w in words if w not in _STOP and len(w) > 1}


def _sentences(text: str) -> list[str]:
    text = re.sub(r"^#+\s.*$", "", text, flags=re.MULTILINE)  # headings are titles, not facts
    parts: list[str] = []
    for line in text.splitlines():
        line = line.strip().lstrip("-•* ").strip()
        if not line or set(line) <= set("|-: "):
            continue
        parts += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line) if s.strip()]
    return parts


def answer_from_passages(question: str, passages: Sequence[Passage], limit: int = 2) -> str | None:
    """The sentences of the passages that best answer `question`, spoken; None without passages."""
    wanted = content_words(question)
    scored: list[tuple[int, int, str]] = []
    for rank, passage in enumerate(passages):
        title_words = content_words(passage.title)
        for i, sentence in enumerate(_sentences(passage.text)):
            words = content_words(sentence)
            score = 2 * len(wanted & words) + len(wanted & title_words)
            if score > 0:
                scored.append((score, -(rank * 1000 + i), sentence))
    if not scored:
        # The retriever judged these relevant (its own threshold) but they share no word with the
        # question ("where are you located" -> the Address passage): read the best one's opening.
        if not passages:
            return None
        opening = _sentences(passages[0].text)[:limit]
        return speakable(" ".join(s if s.endswith((".", "!", "?")) else s + "." for s in opening)) or None
    best = sorted(scored, reverse=True)[:limit]
    best.sort(key=lambda item: -item[1])  # back in document order
    text = " ".join(s if s.endswith((".", "!", "?")) else s + "." for _, _, s in best)
    return speakable(text)
