"""The site's own public facts: its street address, its main number and its departments'
extensions. They name no patient: a caller who checks the hospital's address ("you're at 1200
Riverbend Road, right?") or reads its main line back ("is it five five five oh one oh four
thousand") says nothing about anyone, and a transcript that hides them is harder to read for
nothing. The site pack knows them (SitePack.public_facts()); every place that redacts for a site
passes them (finished transcripts, handoff summaries, `wardline redact`), and a span that says one
of them and nothing more is kept. A caller's own address on the same street has another number,
and a caller's number is another number: both are still hidden. The site's address said as where
someone is or lives ("I'm at 1200 Riverbend Road", "my address is …") places that person, and is
hidden as any address is.

One rule, here: where a text says a fact (`said_in`), read the way the rules read numbers (digits,
number words, "twelve hundred", "four thousand"), and which spans lie wholly inside (`kept_apart`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from appliance.privacy.redaction.lexicon import FILLERS, NUMBER_VOCAB
from appliance.privacy.redaction.numbers import NumberRun, number_runs
from appliance.privacy.redaction.spans import CharSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex, is_word, tokens

# A street's kind as it is written short: "Riverbend Rd" is "Riverbend Road".
_SHORT_SUFFIXES = {
    "rd": "road", "st": "street", "ave": "avenue", "av": "avenue", "blvd": "boulevard", "ln": "lane",
    "dr": "drive", "ct": "court", "pl": "place", "pkwy": "parkway", "hwy": "highway", "cir": "circle",
    "ter": "terrace", "sq": "square", "cres": "crescent", "trl": "trail",
}  # fmt: skip
# Said before a department's extension: "extension 2100", "ext. 2300", "x2400".
_EXTENSION_CUES = frozenset(("extension", "ext", "extn", "x"))
# Said between a street and its town: "1200 Riverbend Road, Millbrook", "… road in millbrook".
_TOWN_JOINS = frozenset((",", "in"))
# The labels a finder may give a phone number or an extension read on its own.
_NUMBER_LABELS = frozenset(("PHONE", "ID", "ZIP", "MRN", "SSN"))


# What the finders cut a text into, handed over so that it is not cut again: its tokens and number runs.
Reader = Callable[[], tuple[list[Token], list[NumberRun]]]


def _street_word(low: str) -> str:
    return _SHORT_SUFFIXES.get(low.rstrip("."), low)


class SiteFacts:
    """The public facts of one site, read once: build it when the site pack loads.

    `address` as the site pack writes it ("1200 Riverbend Road, Millbrook": the house number, the
    street, then after a comma the town); `phones` its public numbers in any written form;
    `extensions` its departments' extensions ("2100")."""

    def __init__(self, address: str = "", phones: Iterable[str] = (), extensions: Iterable[str] = ()) -> None:
        self.house, self.street, self.town = _address_parts(address)
        self.phones = frozenset(_national(d) for d in map(_digits, phones) if len(_national(d)) >= 7)
        self.extensions = frozenset(d for d in map(_digits, extensions) if d)
        # a text that says the address says the street's words: the one look-up before reading it
        self._street_gate = tuple(w for w in self.street if w not in _SHORT_SUFFIXES.values())

    def __bool__(self) -> bool:
        return bool(self.street or self.phones or self.extensions)

    def said_in(self, text: str, phones: bool = True, read: Reader | None = None) -> list[tuple[int, int]]:
        """Where `text` says one of the site's facts: (start, end) offsets, in order (`phones`:
        whether to look for the numbers, which a text with no number span cannot say hidden;
        `read`: the text's tokens and number runs as the finders cut them, if they did)."""
        low = text.lower()
        address = bool(self.street) and all(w in low for w in self._street_gate)
        extension = bool(self.extensions) and "x" in low  # "extension", "ext.", "x2400"
        phones = phones and bool(self.phones)
        if not (address or phones or extension):
            return []
        if read is not None:
            toks, runs = read()
        else:
            toks, lows = tokens(text)
            runs = number_runs(toks, lows, TokenIndex(lows))
        out: list[tuple[int, int]] = []
        for run in runs:
            for first, last in self._facts_in(toks, run, address, phones, extension):
                out.append((toks[first].start, toks[last].end))
        return sorted(out)

    def kept_apart(self, text: str, spans: list[CharSpan], read: Reader | None = None) -> list[CharSpan]:
        """`spans` less those that lie wholly inside a place where `text` says a public fact
        (`read`: as for `said_in`)."""
        if not spans or not self:
            return spans
        said = self.said_in(text, phones=any(s[2] in _NUMBER_LABELS for s in spans), read=read)
        if not said:
            return spans
        return [s for s in spans if not (_within(_inner(text, s), said) or _fact_and_filler(text, s, said))]

    def _facts_in(
        self, toks: list[Token], run: NumberRun, address: bool, phones: bool, extension: bool
    ) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        groups = run.groups
        after = run.last + 1
        for i in range(len(groups)):
            for j in range(i, len(groups)):
                digits = "".join(g.digits for g in groups[i : j + 1])
                last = groups[j].last
                if (
                    address
                    and j == len(groups) - 1
                    and digits == self.house
                    and not _someone_there(toks, groups[i].first)
                ):
                    end = self._street_after(toks, after)
                    if end is not None:
                        found.append((groups[i].first, end))
                if phones and self._is_phone(digits, toks, last + 1, j == len(groups) - 1):
                    end = last + (j == len(groups) - 1 and _multiplier_after(toks, after) is not None)
                    found.append((groups[i].first, self._extension_after(toks, end + 1) or end))
        if extension and run.first > 0 and run.digits in self.extensions:
            cue = run.first - 1 - (toks[run.first - 1].text == ".")
            if cue >= 0 and toks[cue].low in _EXTENSION_CUES:
                found.append((cue, run.last))  # "put me through to extension 2100"
        return found

    def _is_phone(self, digits: str, toks: list[Token], after: int, run_ends: bool) -> bool:
        if _national(digits) in self.phones:
            return True
        # "… oh four thousand": the run stops before the multiplier that ends the number
        zeros = _multiplier_after(toks, after) if run_ends else None
        return zeros is not None and _national(digits + zeros) in self.phones

    def _street_after(self, toks: list[Token], k: int) -> int | None:
        """The last token of the site's street (and its town, if said next) from k, or None."""
        n = len(toks)
        while k < n and toks[k].low in FILLERS:
            k += 1
        for word in self.street:
            if k >= n or not is_word(toks[k]) or _street_word(toks[k].low) != word:
                return None
            k += 1
        end = k - 1
        if k < n and toks[k].text == ".":
            end = k  # "Riverbend Rd."
            k += 1
        if self.town and k < n and toks[k].low in _TOWN_JOINS:
            m = k + 1
            said = [t.low for t in toks[m : m + len(self.town)]]
            if tuple(said) == self.town:
                end = m + len(self.town) - 1
        return end

    def _extension_after(self, toks: list[Token], k: int) -> int | None:
        """The last token of "extension 2100" said right after the main number, or None."""
        n = len(toks)
        if k < n and toks[k].text == ",":
            k += 1
        if not (k < n and toks[k].low in _EXTENSION_CUES):
            return None
        k += 1 + (k + 1 < n and toks[k + 1].text == ".")
        digits, last = "", None
        while k < n and toks[k].low.isdigit() and len(digits) < 6:
            digits, last = digits + toks[k].low, k
            k += 1
        return last if digits in self.extensions else None


def _someone_there(toks: list[Token], first: int) -> bool:
    """Is the address at `first` said as where someone is or lives ("I'm at …", "she is still
    at …", "my address is …")? That is a person's place on the call, hidden like any other; said
    of the site ("you're at …", "is it …", "come to …") it names no one."""
    k = first - 1
    while k >= 0 and toks[k].low in _FRAME_SKIPS:
        k -= 1
    if k < 0:
        return False
    if toks[k].low in _SOMEONE_AT:
        return True
    if toks[k].low not in _BE or k == 0:
        return False
    who = toks[k - 1].low
    return who in _SOMEONE_BE or (who == "address" and k > 1 and toks[k - 2].low in _WHOSE)


# Between who is somewhere and the address: "i'm | at |", "she's | still | at |".
_FRAME_SKIPS = frozenset(("at", "in", "still", "now", "currently", "staying", *FILLERS))
_BE = frozenset(("am", "are", "is", "was", "were"))
# Who is at an address, said as one word before it: "I'm at", "she's staying at", "lives at"; not
# "we're at", which the site says of itself as often as a family says it.
_SOMEONE_AT = frozenset((
    "i'm", "im", "she's", "shes", "he's", "hes", "they're", "theyre",
    "live", "lives", "living", "lived", "stay", "stays", "stayed",
))  # fmt: skip
# Who is at an address, said with "am", "are" or "is": "I am at", "she is still at".
_SOMEONE_BE = frozenset(("i", "she", "he", "they"))
_WHOSE = frozenset(("my", "her", "his", "their", "our"))


def _multiplier_after(toks: list[Token], k: int) -> str | None:
    """The zeros that "hundred" or "thousand" at k adds to the digits before it, or None; none
    when more of the number follows ("oh four thousand and one" is another number)."""
    if not (k < len(toks) and toks[k].low in ("hundred", "thousand")):
        return None
    m = k + 1 + (k + 1 < len(toks) and toks[k + 1].low == "and")
    if m < len(toks) and (toks[m].low in NUMBER_VOCAB or toks[m].low[:1].isdigit()):
        return None
    return "00" if toks[k].low == "hundred" else "000"


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _national(digits: str) -> str:
    """A North American number without its country code: "15550104000" is "5550104000"."""
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _address_parts(address: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """("1200", ("riverbend", "road"), ("millbrook",)) of "1200 Riverbend Road, Millbrook"; the
    house number read as the rules read one ("Twelve Hundred Riverbend Road" gives the same)."""
    toks, lows = tokens(address)
    runs = number_runs(toks, lows, TokenIndex(lows))
    if not runs or runs[0].first != 0:
        return "", (), ()
    k = runs[0].last + 1
    street: list[str] = []
    while k < len(toks) and toks[k].text != "," and is_word(toks[k]):
        street.append(_street_word(toks[k].low))
        k += 1
    while k < len(toks) and not is_word(toks[k]):
        k += 1
    town: list[str] = []
    while k < len(toks) and is_word(toks[k]):
        town.append(toks[k].low)
        k += 1
    return runs[0].digits, tuple(street), tuple(town)


def _within(span: tuple[int, int], ranges: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in ranges)


# Words a learned layer may read into the site's address that place it nowhere: "your address is
# still 1200 Riverbend Road" (the span "still 1200 Riverbend Road" says the fact and nothing more).
_AROUND_A_FACT = frozenset((
    "still", "now", "just", "also", "again", "currently", "actually", "really", "at", "on", "is", "the",
    "to", "it's", "its", "that's", "thats", *FILLERS,
))  # fmt: skip


def _fact_and_filler(text: str, span: CharSpan, said: list[tuple[int, int]]) -> bool:
    """Does the span hold one fact said and, beside it, only words that place nothing?"""
    start, end = _inner(text, span)
    for a, b in said:
        if a < end and start < b and a >= start and b <= end:
            rest = (text[start:a] + " " + text[b:end]).lower().replace(",", " ").split()
            return all(w in _AROUND_A_FACT for w in rest)
    return False


def _inner(text: str, span: CharSpan) -> tuple[int, int]:
    """The span less the marks at its edges: "(555) 010-4000" is said from its first digit."""
    start, end = span[0], span[1]
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end
