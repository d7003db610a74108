"""A number run labelled by its shape and its cue: phone (seven, ten or eleven digits, or a cue),
SSN, MRN, ID, ZIP, plate, IP (four dotted groups ≤ 255), a numeric date, a room ("Room 412").
Every run of five digits or more is redacted whatever its context, so numeric identifiers are
never missed for want of a cue word."""

from __future__ import annotations

from appliance.privacy.redaction.addresses import (
    COMPASS,
    NOT_A_HOME_BEFORE,
    PLURAL_ROOMS,
    ROOM_SKIPS,
    ROOM_WORDS,
    after_word,
    room_letter,
    room_said_is,
)
from appliance.privacy.redaction.cues import AFTER_NEG, context_label
from appliance.privacy.redaction.dates import (
    birth_cue_near,
    full_year,
    is_numeric_date,
    with_weekday,
    year_before_1900,
    year_groups,
    year_of_a_life_event,
)
from appliance.privacy.redaction.ids import has_mrn_prefix, with_prefix_letters
from appliance.privacy.redaction.lexicon import FILLERS, WEEKDAYS
from appliance.privacy.redaction.numbers import NumberRun
from appliance.privacy.redaction.phones import is_extension_of, with_phone_prefix
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import Token

MIN_DIGITS = {"SSN": 4, "MRN": 4, "ID": 4, "PHONE": 7, "ZIP": 5, "IP": 4, "PLATE": 3, "DATE": 3}


def _is_ip(run: NumberRun) -> bool:
    if len(run.groups) < 4:
        return False
    segments: list[str] = [run.groups[0].digits]
    for sep, g in zip(run.seps, run.groups[1:], strict=True):
        if sep in (".", "dot", "point"):
            segments.append(g.digits)
        else:
            segments[-1] += g.digits
    return len(segments) == 4 and all(s and len(s) <= 3 and int(s) <= 255 for s in segments)


# What a number said of a room measures, not which it is: "my room is two floors up".
_NOT_ROOM_AFTER = AFTER_NEG | {
    "floors", "floor", "doors", "degrees", "metres", "meters", "yards", "flights", "storeys", "stories",
    "away", "people", "beds", "rooms", "of", "down", "up",
}  # fmt: skip


def _classify_run(toks: list[Token], run: NumberRun) -> str | None:
    digits = run.digits
    if _is_ip(run) and (len(digits) >= 4):
        return "IP"
    before = toks[run.first - 1].low if run.first else ""
    near_room = (before in ROOM_WORDS or before in ROOM_SKIPS) and after_word(toks, run.first, ROOM_WORDS)
    after_run = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
    if not near_room and before in ("is", "was", *ROOM_SKIPS) and after_run not in _NOT_ROOM_AFTER:
        near_room = room_said_is(toks, run.first)
    if near_room and before == "suite" and after_run in ("is", "for", "at", "on"):
        near_room = False  # "suite 3 is the pain clinic": a suite of the hospital's, not a home's
    if (
        near_room
        and before in _PITCHES
        and (
            (run.first >= 2 and toks[run.first - 2].low in NOT_A_HOME_BEFORE) or after_run not in _PITCH_ENDS
        )
    ):
        near_room = False  # "parking space 12", "is there space 4 more": no pitch someone lives on
    if near_room and _cell_phone(toks, run):
        near_room = False  # "my cell 555 0134", "cell number 0134": a phone, not a jail's cell
    if near_room and len(digits) <= 5:
        return "ADDRESS"
    label, saw_number = context_label(toks, run.first)
    after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
    if label == "NEG" or after in AFTER_NEG:
        return "ID" if len(digits) >= 7 else None
    if label == "DATE":
        if after == "hundreds" or (after == "s" and run.digits.endswith("00")):
            return None  # "born sometime in the eighteen hundreds", "the 1800s": a century, no one's date
        if len(run.groups) >= 3 or any(g.ordinal for g in run.groups) or is_numeric_date(run):
            return "DATE"
        if year_groups(run.groups) and birth_cue_near(toks, run.first, full_year(run)):
            return "DATE"  # a year of birth said alone: "born in nineteen fifty-two", "DOB 1952"
        if year_before_1900(run) and birth_cue_near(toks, run.first, True):
            return "DATE"  # "born in Salonica in 1898"
        if len(run.groups) == 2 and not year_groups(run.groups):
            return "DATE"  # "seven fourteen": month and day
        return None
    if label is None and len(digits) >= 4 and _held_on_record(toks, run):
        return "DATE" if _month_and_day(digits) else "ID"
    if is_numeric_date(run) and label not in ("PHONE", "SSN", "MRN", "ID", "ZIP"):
        return "DATE"
    if label is None and year_of_a_life_event(toks, run):
        return "DATE"  # "they moved here in 2011": a year alone, of someone's life
    day_before = before in _DAY_BEFORE or before in WEEKDAYS or before in _SEEN
    if day_before and _month_slash_day(run) and after not in _FRACTION_AFTER:
        return "DATE"  # "seen on 11/2", "since 3/14", "Wed 12/3": a month and day written without a year
    if before in _COPULAS and _month_slash_day(run) and after not in _FRACTION_AFTER and _not_a_score(run):
        return "DATE"  # "the biopsy was 11/09"; not "the pain was 7/10" nor "it's 1/2"
    if label in MIN_DIGITS and label != "DATE":
        if before in _YEAR_PREPOSITIONS and full_year(run) and label in ("MRN", "ID"):
            return None  # "records from before 1980": a year that dates the records, no number of them
        if len(digits) >= MIN_DIGITS[label]:
            return label
        opens = before in _STARTS or (
            before == "with" and run.first >= 2 and toks[run.first - 2].low in _STARTS
        )
        if label == "SSN" and len(digits) == 3 and opens:
            return "SSN"  # "her social security number starts nine zero four": its first group
        return "ID" if len(digits) >= 5 else None
    if saw_number and len(digits) >= 4:
        if len(digits) <= 5 and _number_of_the_site(toks, run.first):
            return None  # "what's the number for radiology, is it thirty one hundred": an extension
        return "PHONE" if len(digits) in (7, 10, 11) else "ID"
    if len(digits) in (7, 10) or (len(digits) == 11 and digits[0] == "1"):
        return "PHONE"
    if len(digits) == 9 and run.seps == ["-", "-"]:
        return "SSN"
    if len(digits) >= 5:
        return "ID"
    return None


# Words that say the digits after them open a number: "starts", "begins with".
_STARTS = frozenset(("starts", "start", "begins", "begin", "starting", "beginning"))
# Words that make a year of the number after them, whatever record was asked about.
_YEAR_PREPOSITIONS = frozenset(("before", "after", "since", "until", "till", "prior"))


# What a caller reads back of what the hospital holds: "your system has oh four oh seven", "the
# computer says 1952": a date or a number of theirs, said to be checked.
_HOLDERS = frozenset(("system", "computer", "screen", "file"))
_HOLDS = frozenset(("has", "had", "have", "says", "said", "shows", "showed", "reads", "lists", "got"))


# What may follow the number read back, closing it (not "the system has 2000 patients").
_READ_BACK_ENDS = frozenset(("", ",", ".", "?", "!", ";", "so", "and", "but", "for", "as", "which",
                             "instead"))  # fmt: skip


def _held_on_record(toks: list[Token], run: NumberRun) -> bool:
    first, after = run.first, run.last + 1
    if first < 2 or toks[first - 1].low not in _HOLDS or toks[first - 2].low not in _HOLDERS:
        return False
    return (toks[after].low if after < len(toks) else "") in _READ_BACK_ENDS


def _month_and_day(digits: str) -> bool:
    """Four digits that read as a month and a day, either way round ("0407", "1204")."""
    if len(digits) != 4:
        return False
    a, b = int(digits[:2]), int(digits[2:])
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def _cell_phone(toks: list[Token], run: NumberRun) -> bool:
    """Is the "cell" before this run a phone: a number of more than three digits, or said with
    "number" ("cell 4, bunk B" is a jail's cell)?"""
    k = run.first - 1
    while k >= 0 and toks[k].low in ROOM_SKIPS:
        k -= 1
    if k < 0 or toks[k].low != "cell":
        return False
    return len(run.digits) > 3 or k < run.first - 1


def _room_listed(toks: list[Token], before: list[NumberRun], run: NumberRun, found: list[TokenSpan]) -> bool:
    """Is this number the next of a list of rooms ("sites eleven and twelve", "rooms 4, 5 and 6",
    "cottage 3 and 4"): joined by "and" or a comma to a number read as a room just before?"""
    if len(run.digits) > 4 or not _list_ends(toks, run.last + 1):
        return False  # "room 4 and 2 others"
    gap = [t.low for t in toks[before[-1].last + 1 : run.first]] if before else []
    if before and gap in (["and"], [","], [",", "and"]) and found and found[-1][2] == "ADDRESS":
        return found[-1][1] in (before[-1].last, before[-1].last + 1)
    return False


# Sites that are a study's, not where anyone stays: "the trial sites 3 and 4".
_STUDIES = frozenset(("study", "trial", "research", "clinical", "test", "testing", "web", "vaccination"))
_LIST_ENDS = frozenset(("are", "is", "were", "was", "for", "to", "please", "then", "too", "right"))


def _list_ends(toks: list[Token], k: int) -> bool:
    """Does a list of rooms end at k: the line's end, a mark, a word that closes a clause ("sites
    4 and 5 at the lake", "… are ours"), not a noun the number counts ("4 and 2 others")?"""
    return (
        k >= len(toks) or toks[k].low in _PITCH_ENDS or toks[k].low in _LIST_ENDS or not toks[k].low.isalpha()
    )


def _plural_room_list(toks: list[Token], run: NumberRun, nxt: NumberRun | None) -> bool:
    """ "sites eleven and twelve", "cabins 4 and 6": a room word in the plural, this number, then
    "and" or a comma and another."""
    if run.first == 0 or toks[run.first - 1].low not in PLURAL_ROOMS or nxt is None or len(run.digits) > 4:
        return False
    if run.first > 1 and (
        toks[run.first - 2].low in NOT_A_HOME_BEFORE or toks[run.first - 2].low in _STUDIES
    ):
        return False  # "parking spaces 4 and 5", "the trial sites 3 and 4"
    gap = [t.low for t in toks[run.last + 1 : nxt.first]]
    return gap in (["and"], [","], [",", "and"])


# A mobile-home or caravan park's pitch ("we're in space 44 at …"), a boat's slip or a bunk: its
# number ends the clause ("a slip 2 weeks ago" counts weeks).
_PITCHES = frozenset(("space", "pitch", "berth", "lot", "slip", "mooring", "bunk", "cabin", "chalet",
                      "trailer", "site"))  # fmt: skip
_PITCH_ENDS = frozenset(("", ",", ".", "at", "in", "on", "of", "and", "?", "!", "with", "by", "near", "next",
                         "behind", "but", "so", "where", "when", "until", "since", *FILLERS))  # fmt: skip
_DAY_BEFORE = frozenset(("on", "since", "until", "till", "from", "by", "dated", "of"))
# "by 1/2 a point", "on 1/2 a tablet": a fraction, not a day
_FRACTION_AFTER = frozenset((
    "a", "an", "of", "the", "cup", "tablet", "tablets", "dose", "teaspoon", "inch", "inches", "pill",
    "pills", "mile", "miles", "hour", "hours",
))  # fmt: skip


_COPULAS = frozenset(("was", "is", "were", "it's", "that's"))
# What was done to someone on a day written as month and day: "she was seen 3/14 for a rash".
_SEEN = frozenset(("seen", "admitted", "discharged", "treated", "operated", "vaccinated", "born", "died"))


def _not_a_score(run: NumberRun) -> bool:
    """A month and day after "was", not a score out of ten or a fraction: the day is written with
    two digits ("11/09") or is past the fourth and not the 10th."""
    day = run.groups[1]
    return (len(day.digits) == 2 and day.value != 10) or 4 < day.value != 10


def _month_slash_day(run: NumberRun) -> bool:
    g = run.groups
    return (
        len(g) == 2
        and run.seps == ["/"]
        and all(len(x.digits) <= 2 and not x.ordinal for x in g)
        and 1 <= g[0].value <= 12
        and 1 <= g[1].value <= 31
    )


def _dash_letter(toks: list[Token], k: int) -> bool:
    """ "dash a", "- B" at token k: one letter joined to the code before it (not "- a new one")."""
    if k + 1 >= len(toks) or toks[k].low not in ("dash", "-"):
        return False
    letter = toks[k + 1].text
    return len(letter) == 1 and letter.isalpha() and (toks[k].low == "dash" or letter not in ("a", "i"))


# What may follow a code's last letter, closing it: "… oh four a and the name on it is …".
_AFTER_A_CODE = frozenset(("and", "but", "so", "then", "or", "okay", "ok", "right", *FILLERS))


def _closing_letter(toks: list[Token], k: int) -> bool:
    """Is token k one letter said right after a code's digits, closing what is said ("four four
    oh two b.", "… seven a and the name is …")? Then it is the code's last character; an "a" or
    "i" that goes on into a sentence ("1234 a month") is not."""
    if k >= len(toks) or len(toks[k].text) != 1 or not toks[k].text.isalpha():
        return False
    after = toks[k + 1] if k + 1 < len(toks) else None
    return after is None or after.text in (",", ".", "?", "!", ";") or after.low in _AFTER_A_CODE


def find_numbers(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    for i, run in enumerate(runs):
        label = _classify_run(toks, run)
        nxt = runs[i + 1] if i + 1 < len(runs) else None
        if label is None and (_room_listed(toks, runs[:i], run, found) or _plural_room_list(toks, run, nxt)):
            found.append((run.first, run.last, "ADDRESS"))  # "sites eleven and twelve": each a room's
            continue
        if label is None and found and found[-1][2] == "PHONE" and is_extension_of(toks, found[-1][1], run):
            found[-1] = (found[-1][0], run.last, "PHONE")  # "555-0175 extension 214", "x214"
            continue
        if label is not None:
            first = with_prefix_letters(toks, run.first, label)
            if first > 0 and toks[first - 1].text == "(" and label == "PHONE":
                first -= 1
            if label in ("PHONE", "ID"):
                first = with_phone_prefix(toks, first)
            last = run.last
            if label == "ADDRESS":  # "Room 412": the word that says what the number is
                first = run.first  # from the number itself: "RM64" in a code has its letters read
                while first > 0 and toks[first - 1].low not in ROOM_WORDS:
                    first -= 1
                first -= 1
                nxt = toks[last + 1] if last + 1 < len(toks) else None
                if nxt is not None and room_letter(nxt):
                    last += 1  # "Ward 4B", "apartment 5C", "apartment five c"
                elif nxt is not None and nxt.low in COMPASS:
                    last += 1  # "room 5 North"
            if label == "DATE":
                first = with_weekday(toks, first)  # "Wed 12/3": the weekday names the day too
            if label == "ID" and _dash_letter(toks, last + 1):
                last += 2  # "group number nine nine oh one dash a": the letter that closes the code
            elif label in ("ID", "MRN") and _closing_letter(toks, last + 1):
                last += 1  # "the account number is five two oh nine b": the code ends in a letter
            found.append((first, last, "MRN" if has_mrn_prefix(toks, first, run.first) else label))
    return found


# Parts of a hospital whose own numbers callers ask after: "the number for scheduling".
_SITE_DESKS = frozenset((
    "scheduling", "billing", "pharmacy", "reception", "radiology", "cardiology", "pediatrics",
    "orthopedics", "oncology", "maternity", "icu", "er", "emergency", "lab", "labs", "desk", "clinic",
    "ward", "switchboard", "appointments", "records", "admissions", "nurse", "nurses", "security",
))  # fmt: skip


def _number_of_the_site(toks: list[Token], first: int) -> bool:
    """Does "number for" (or "extension for") and a part of the hospital stand in the clause
    before the run ("the number for the pharmacy, is it 4410")? That number is the site's own."""
    for k in range(first - 1, max(-1, first - 9), -1):
        if toks[k].low not in ("number", "extension") or k + 2 >= first:
            continue
        if toks[k + 1].low in ("for", "of", "to"):
            j = k + 3 if toks[k + 2].low == "the" else k + 2
            return j < first and toks[j].low in _SITE_DESKS
    return False
