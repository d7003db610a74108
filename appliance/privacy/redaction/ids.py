"""Record, member, account and other identifying numbers and codes: written patterns (SSN
"900-12-3456", MRN "RCH-104233", mixed letters and digits "W12345X", hyphenated codes), letters
spoken before an id ("R C H one oh four …"), spoken codes ("P X four four seven") and letters
spelled with a word ("K as in kilo, L as in lima, four four nine one"). Card numbers are ids too:
the cue "card" labels their digits (cues.py), and every run of five digits or more is redacted."""

from __future__ import annotations

import re

from appliance.privacy.redaction.cues import CONTEXT_WORDS, context_label
from appliance.privacy.redaction.dictionary import is_dictionary_word
from appliance.privacy.redaction.lexicon import DIGIT_WORDS, FILLERS
from appliance.privacy.redaction.numbers import NumberRun, is_number_word
from appliance.privacy.redaction.spans import CharSpan, TokenSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex, is_word, single_letter

WRITTEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("SSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("MRN", re.compile(r"\bRCH[- ]?\d{5,7}\b", re.IGNORECASE)),
    ("ID", re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}\b")),  # mixed letters+digits
    # hyphenated codes with letters and at least three digits: "1EG4-TE5-MK72"
    ("ID", re.compile(r"\b(?=(?:[A-Za-z-]*\d){3})(?=[\d-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b")),
)


def with_prefix_letters(toks: list[Token], first: int, label: str) -> int:
    """Include letters spoken right before an id ("RCH-104233", "R C H one oh four …", "A 1 2 3 …")."""
    k = first - 1
    if k >= 0 and toks[k].low in ("-", "dash", "hyphen"):
        k -= 1
    start = first
    letters = 0
    while (
        k >= 0
        and toks[k].text.isalpha()
        and (
            (toks[k].text.isupper() and len(toks[k].text) <= 4)
            # "r c h dash one oh four …": letters spelled one by one, in lower case as ASR writes them
            or (len(toks[k].text) == 1 and label in ("MRN", "ID", "PLATE", "SSN"))
            # "my mrn is rch one two …": the site's prefix said as a word, in lower case
            or toks[k].low == "rch"
        )
        and letters < 4
        and (toks[k].low not in CONTEXT_WORDS or toks[k].low == "rch")  # the MRN prefix is part of it
    ):
        if toks[k].low in ("i", "a") and letters == 0 and label not in ("MRN", "ID", "PLATE"):
            break
        start = k
        letters += len(toks[k].text)
        k -= 1
        if k >= 0 and toks[k].low in ("-", ".", "dash"):
            k -= 1
    return start


def has_mrn_prefix(toks: list[Token], first: int, run_first: int) -> bool:
    return "".join(t.low for t in toks[first:run_first] if t.text.isalpha()) == "rch"


def find_as_in(toks: list[Token], runs: list[NumberRun], index: TokenIndex) -> list[TokenSpan]:
    """Letters spelled with a word for each ("K as in kilo, L as in lima, four four nine one"):
    the whole chain of such letters, bare letters and number runs that follow one another."""
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    by_first = {r.first: r for r in runs}
    for i in index.positions(("as",)):
        if i < 1 or i < done or not _as_in_at(toks, i - 1):
            continue
        first, end = i - 1, _as_in_word_end(toks, i + 2)
        while True:
            k = end + 1
            while k < n and (toks[k].low in _AS_IN_JOINERS):
                k += 1
            if k < n and _as_in_at(toks, k):
                end = _as_in_word_end(toks, k + 3)
            elif k < n and single_letter(toks[k]) and toks[k].low not in ("a", "i"):
                end = k
            elif k in by_first:
                end = by_first[k].last
            else:
                break
        label, _ = context_label(toks, first, window=6)
        found.append((first, end, label if label in ("PLATE", "MRN", "ID", "SSN", "ZIP") else "ID"))
        done = end + 1
    return found


_AS_IN_JOINERS = frozenset((",", "-", ".", "dash", "hyphen", *FILLERS))


def _as_in_word_end(toks: list[Token], end: int) -> int:
    while end + 2 < len(toks) and toks[end + 1].text == "-" and is_word(toks[end + 2]):
        end += 2  # "X as in x-ray"
    return end


def _as_in_at(toks: list[Token], k: int) -> bool:
    """Token k is a letter and "as in <word>" follows it."""
    return (
        k + 3 < len(toks)
        and single_letter(toks[k])
        and toks[k + 1].low == "as"
        and toks[k + 2].low == "in"
        and is_word(toks[k + 3])
    )


def find_codes(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """Spoken codes mixing letters and digits: "W 1 2 3 4 5", "P X four four seven", "B C S 7 7 1"."""
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    # A code needs a letter, and its letters are short upper-case tokens: start from those, back
    # up to where the chain of pieces begins, then read it forwards as the full scan did.
    for anchor in index.short_words():
        if anchor < done or not _code_letter(toks[anchor]):
            continue
        i = _code_chain_start(toks, anchor)
        j, letters, digits = i, 0, 0
        while j < n and _code_piece(toks[j]):
            if toks[j].text[:1].isalpha() and not is_number_word(toks[j]):
                letters += len(toks[j].text)
            else:
                digits += len(toks[j].text) if toks[j].text.isdigit() else 1
            j += 1
            if j + 1 < n and toks[j].text == "-" and _code_piece(toks[j + 1]):
                j += 1
        if letters >= 1 and digits >= 2 and letters + digits >= 5:
            label, _ = context_label(toks, i, window=6)
            found.append((i, j - 1, label if label in ("PLATE", "MRN", "ID", "SSN") else "ID"))
        done = j
    return found


def _code_letter(tok: Token) -> bool:
    """A piece of a code that counts as a letter ("W", "PX"), not as a digit."""
    return _code_piece(tok) and tok.text[:1].isalpha() and not is_number_word(tok)


def _code_chain_start(toks: list[Token], i: int) -> int:
    """The first piece of the chain (pieces, joined directly or by "-") that token i is part of."""
    while i > 0:
        if _code_piece(toks[i - 1]):
            i -= 1
        elif i > 1 and toks[i - 1].text == "-" and _code_piece(toks[i - 2]):
            i -= 2
        else:
            break
    return i


def _code_piece(tok: Token) -> bool:
    t = tok.text
    if t.isdigit() or (tok.low in DIGIT_WORDS and tok.low != "o"):
        return True
    if tok.low in CONTEXT_WORDS or t in ("I", "A"):
        return False
    return t.isalpha() and t.isupper() and len(t) <= 4


def find_written(text: str) -> list[CharSpan]:
    """WRITTEN_PATTERNS' matches, found without running each pattern over the whole text.

    The patterns open with \\b or a lookahead, so the regex engine would try them at every character
    (most of the cost of a long transcript). Every SSN and ID match lies inside a run of word
    characters and hyphens that holds a digit, and such runs are few: the patterns run only there.
    An MRN may hold a space, so it has a twin that opens with a letter the engine can scan for.
    The spans are exactly those of WRITTEN_PATTERNS, in the same order.
    """
    ssn, mrn, id_mixed, id_hyphened = (p for _, p in WRITTEN_PATTERNS)
    by_pattern: dict[re.Pattern[str], list[CharSpan]] = {ssn: [], id_mixed: [], id_hyphened: []}
    for start, end in _digit_runs(text):
        if end - start < 5:
            continue  # too short for any of them (the shortest, an ID, has six characters or "1-2-A")
        hyphen = text.find("-", start, end) >= 0
        for pattern, label in ((ssn, "SSN"), (id_mixed, "ID"), (id_hyphened, "ID")):
            if hyphen or pattern is id_mixed:
                found = pattern.finditer(text, start, end)
                by_pattern[pattern] += [(m.start(), m.end(), label) for m in found]
    mrns = []
    for m in _MRN_TWIN.finditer(text):
        hit = mrn.match(text, m.start())
        if hit is not None:
            mrns.append((hit.start(), hit.end(), "MRN"))
    return by_pattern[ssn] + mrns + by_pattern[id_mixed] + by_pattern[id_hyphened]


# An IPv6 address as a screen shows it ("2001:db8::17", "fe80::1", eight full groups): hex groups
# joined by colons, with "::" or at least five colons, so that "10:45:30" (a time) is none.
_IPV6 = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f:]*::|(?:[0-9A-Fa-f]{1,4}:){5})[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])"
)


def find_ipv6(text: str) -> list[CharSpan]:
    return [(m.start(), m.end(), "IP") for m in _IPV6.finditer(text) if any(c.isdigit() for c in m.group())]


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of word characters and hyphens that holds a digit."""
    runs = []
    for m in _DIGIT_ONWARDS.finditer(text):
        start = m.start()
        while start > 0 and _WORD_OR_HYPHEN.match(text, start - 1):
            start -= 1
        runs.append((start, m.end()))
    return runs


# Opens with the digit, so the engine scans for it in C; the run's start is found by walking back
# (the characters before the first digit of a run are never digits).
_DIGIT_ONWARDS = re.compile(r"\d[\w-]*")
_WORD_OR_HYPHEN = re.compile(r"[\w-]")
_MRN_TWIN = re.compile(r"r(?<!\wr)ch[- ]?\d{5,7}\b", re.IGNORECASE)


# Letters said as words ("why jay kay", "double-u", "zed") and by the phonetic alphabet ("kilo lima"):
# a letter inside a spoken code, though most are everyday words elsewhere ("see", "you", "why").
LETTER_WORDS = {
    "ay": "a", "bee": "b", "be": "b", "cee": "c", "see": "c", "sea": "c", "dee": "d", "ee": "e",
    "eff": "f", "ef": "f", "gee": "g", "aitch": "h", "haitch": "h", "eye": "i", "jay": "j",
    "kay": "k", "ell": "l", "el": "l", "em": "m", "en": "n", "pee": "p", "pea": "p", "cue": "q",
    "queue": "q", "ar": "r", "are": "r", "arr": "r", "ess": "s", "es": "s", "tee": "t", "tea": "t",
    "you": "u", "vee": "v", "ex": "x", "why": "y", "wy": "y", "zed": "z", "zee": "z",
}  # fmt: skip
# The phonetic alphabet's words: a letter wherever a plate or a code is read ("kilo lima").
PHONETIC_LETTERS = {
    "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e",
    "foxtrot": "f", "golf": "g", "hotel": "h", "india": "i", "juliet": "j", "juliett": "j",
    "kilo": "k", "lima": "l", "mike": "m", "november": "n", "oscar": "o", "papa": "p",
    "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t", "uniform": "u", "victor": "v",
    "whiskey": "w", "whisky": "w", "xray": "x", "yankee": "y", "zulu": "z",
}  # fmt: skip
LETTER_WORDS.update(PHONETIC_LETTERS)
# Words after which a spoken code follows: the id cues, and "number", "id", "reference", "code".
CHAIN_CUES = frozenset(
    {w for w, label in CONTEXT_WORDS.items() if label in ("ID", "MRN", "SSN", "PLATE")}
    | {"number", "id", "reference", "ref", "code", "mrn", "no"}
)
# Between the cue and the code: "my member id is …", "policy number: …", "the claim was …".
# ("my medicare number starts with …": where the code begins, said before it)
_CHAIN_LEAD = frozenset(("is", "was", "number", "id", "no", ":", ",", "it's", "its", "my", "the", "reads",
                         "says", "of", "on", "it", "starts", "begins", "with", *FILLERS))  # fmt: skip
_CHAIN_JOINERS = frozenset((",", "-", ".", "dash", "hyphen", *FILLERS))


def find_code_chains(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A code spoken after its cue, its letters said as words or by the phonetic alphabet and its
    digits as words: "member id is why jay kay four four seven one two", "policy tango romeo eight
    eight two", "double-u ex why seven seven three one". A chain of letters, digits and number words
    (joined by commas, "dash", fillers) counts when it holds a letter and two digits or more."""
    found: list[TokenSpan] = []
    done = 0
    for cue in index.among(CHAIN_CUES):
        if cue + 1 >= done:
            chains = find_code_chains_from(toks, cue + 1)
            found += chains
            done = chains[-1][1] + 1 if chains else done
    return found


def find_code_chains_from(toks: list[Token], k: int) -> list[TokenSpan]:
    """The code chain that starts at token k, past a few lead words ("is", "my", "number"), as a
    list of one span, or none (an answer to "your member number?" needs no cue before it)."""
    n, start = len(toks), k
    while k < n and toks[k].low in _CHAIN_LEAD and k - start <= 3:
        k += 1
    found: list[TokenSpan] = []
    if k < n:
        first, last, letters, digits = k, -1, 0, 0
        while k < n:
            piece = _chain_piece(toks, k)
            if piece is None:
                if toks[k].low in _CHAIN_JOINERS and last >= 0 and k - last <= 2:
                    k += 1
                    continue
                break
            kind, k_next = piece
            letters += kind == "letter"
            digits += kind == "digits"
            last = k_next - 1
            k = k_next
        if last >= first and letters and digits >= 2:
            label, _ = context_label(toks, first, window=6)
            found.append((first, last, label if label in ("MRN", "SSN", "PLATE") else "ID"))
    return found


def find_dashed_codes(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A code spoken with no cue before it, known by its shape: letters and digits joined by "dash"
    twice or more ("it's q dash four four seven dash b"). Read forwards from the first piece before
    the first "dash" as a cued code is; kept when it holds two dashes, a letter and three digits."""
    found: list[TokenSpan] = []
    done = 0
    for i in index.positions(("dash",)):
        if i < done:
            continue
        k = i - 1
        while k >= 0 and _plain_piece(toks[k]):
            k -= 1
        start = k + 1
        if start == i:
            continue
        for first, last, label in find_code_chains_from(toks, start):
            inside = toks[first : last + 1]
            dashes = sum(t.low == "dash" for t in inside)
            letters = sum(single_letter(t) for t in inside)
            digits = sum(t.low.isdigit() or t.low in DIGIT_WORDS for t in inside)
            if first == start and dashes >= 2 and letters and digits >= 3:
                found.append((first, last, label))
                done = last + 1
    return found


def _plain_piece(t: Token) -> bool:
    """A piece of a code as it can open one with no cue: a spelled letter, a digit, a number word
    (not a letter said as a word: "you", "see" are more often themselves)."""
    return single_letter(t) or t.low.isdigit() or t.low in DIGIT_WORDS


def _spelled_on(toks: list[Token], k: int) -> bool:
    """Does a spelled letter or a digit follow at token k (past a "-")? Then an "a" or an "i" before
    it is a letter of the code ("a c c seven seven one"), not the article or the pronoun."""
    if k < len(toks) and toks[k].low in ("-", "dash"):
        k += 1
    if k >= len(toks):
        return False
    t = toks[k]
    return single_letter(t) or t.text.isdigit() or t.low in DIGIT_WORDS


def _chain_piece(toks: list[Token], k: int) -> tuple[str, int] | None:
    """("letter" or "digits", the index after the piece) for the piece at token k, or None."""
    t = toks[k]
    low = t.low
    if low in CONTEXT_WORDS and low != "rch":
        return None  # the next identifier's cue ("…, SSN 123-45-6789") ends this one
    if low == "double" and k + 2 < len(toks) and toks[k + 1].text == "-" and toks[k + 2].low == "u":
        return "letter", k + 3  # "double-u"
    if (
        low in ("double", "triple")
        and k + 1 < len(toks)
        and (toks[k + 1].low in DIGIT_WORDS or toks[k + 1].text.isdigit())
    ):
        return "digits", k + 2
    if low.isdigit() or low in DIGIT_WORDS or is_number_word(t):
        return "digits", k + 1
    xray = xray_end(toks, k)
    if xray:
        return "letter", xray  # "x-ray", "x ray": the phonetic X as the tokenizer cuts it
    if (
        low in LETTER_WORDS
        or (single_letter(t) and (low not in ("a", "i") or _spelled_on(toks, k + 1)))
        or (t.text.isupper() and len(t.text) <= 3)
    ):
        return "letter", k + 1
    if t.text.isalnum() and any(c.isdigit() for c in t.text) and any(c.isalpha() for c in t.text):
        return "letter", k + 1  # "4B", "X99": a piece with both
    return None


def xray_end(toks: list[Token], k: int) -> int:
    """The index after "x-ray" or "x ray" at token k (the phonetic alphabet's X, cut into two or
    three tokens), or 0."""
    if toks[k].low != "x":
        return 0
    j = k + 1
    if j < len(toks) and toks[j].text == "-":
        j += 1
    return j + 1 if j < len(toks) and toks[j].low == "ray" else 0


# Words that say a portal or app user name follows: "my username is …", "her login: …" ("handle"
# is a door's as often).
USER_NAME_CUES = frozenset(("username", "login", "userid"))
# Between the cue and the name: "my username on the portal is …", "the login for mychart is …".
_USER_NAME_LEAD = frozenset(("is", "was", ":", "it's", "its", "on", "the", "portal", "app", "site", *FILLERS))


def _user_name_start(toks: list[Token], k: int) -> int:
    """Where the name after a cue starts: past "is" said within six words ("my username for the
    patient portal is …"), else past the lead words right after the cue ("username: …")."""
    n = len(toks)
    for j in range(k, min(n, k + 6)):
        if toks[j].text in (".", "?", "!", ","):
            break
        if toks[j].low in _USER_NAME_SAID:
            k = j + 1
            break
    while k < n and toks[k].low in _USER_NAME_LEAD:
        k += 1
    return k


_USER_NAME_SAID = frozenset(("is", "was", ":", "it's", "its"))
# What joins a user name's pieces when it is said aloud: "apatel underscore eighty eight".
_USER_NAME_JOINERS = frozenset(("underscore", "dot", "dash", "hyphen", "period"))


def find_user_names(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A portal or app user name after its cue, written ("apickett_1977", "m.lopez42") or said with
    its joiners spoken ("apatel underscore eighty eight"): it names its holder as an account number
    does. A single dictionary word after the cue ("my username is my email", "my login shows an
    error") is no name."""
    found: list[TokenSpan] = []
    n = len(toks)
    cues = index.among(USER_NAME_CUES) + [
        i + 1 for i in index.positions(("user",)) if i + 1 < n and toks[i + 1].low == "name"
    ]
    for cue in sorted(cues):
        k = _user_name_start(toks, cue + 1)
        if k >= n or not (is_word(toks[k]) or toks[k].text.isdigit()) or toks[k].low in ("my", "the", "same"):
            continue
        first, last, pieces = k, k, 1
        k += 1
        while k < n:
            t = toks[k]
            touching = t.start == toks[k - 1].end
            if touching and (t.text in ("_", ".", "-") and k + 1 < n and toks[k + 1].start == t.end):
                k += 1  # "apickett_1977", "m.lopez": written joiners inside the name
            elif touching and (is_word(t) or t.text.isdigit()):
                pass
            elif t.low in _USER_NAME_JOINERS and k + 1 < n and toks[k + 1].low not in _USER_NAME_LEAD:
                k += 1  # "apatel underscore eighty eight"
            elif t.text.isdigit() or is_number_word(t):
                if pieces < 2:
                    break  # digits said after a bare word are read only behind a joiner
            else:
                break
            last, pieces = k, pieces + 1
            k += 1
        if pieces == 1 and is_dictionary_word(toks[first].low):
            continue
        found.append((first, last, "ID"))
    return found


def find_codes_read_out(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A code read out piece by piece with no cue in its own turn, the cue having been said in the
    turn before ("let me read that again: one e g four t e five m k seven three"): eight pieces or
    more, letters said one by one and digits, three of each at least. No everyday speech strings
    so many lone letters and digits together."""
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    for i in index.single_letters():
        if i < done or not single_letter(toks[i]):
            continue
        start = i
        while start > 0 and _plain_piece(toks[start - 1]):
            start -= 1
        k, last, letters, digits = start, -1, 0, 0
        while k < n:
            t = toks[k]
            if single_letter(t) and (t.low not in ("a", "i") or _spelled_on(toks, k + 1)):
                letters += 1
            elif t.low.isdigit() or t.low in DIGIT_WORDS:
                digits += 1
            elif not (t.low in _CHAIN_JOINERS and last >= 0 and k - last <= 2):
                break
            else:
                k += 1
                continue
            last = k
            k += 1
        if letters >= 3 and digits >= 3 and letters + digits >= 8:
            found.append((start, last, "ID"))
        done = max(k, i + 1)
    return found
