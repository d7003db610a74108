"""Dates: a month with its day and/or year ("March third nineteen eighty", "the 3rd of Feb.",
"March of 1980"), numeric dates ("7/14/92", "1992-07-14"), a day said alone ("Friday the 3rd",
"on the eleventh", a day asked for: "move it to the 22nd") and a year of birth said alone ("born in
nineteen fifty-two"), and the month of a birthday said alone ("she turns 97 in May"): all elements
of a date but its year are PHI (Safe Harbor), the day of a month left unsaid included."""

from __future__ import annotations

from appliance.privacy.redaction.dictionary import can_be_verb, is_everyday
from appliance.privacy.redaction.lexicon import FILLERS, MONTHS, NUMBER_VOCAB, RELATIVES, WEEKDAYS
from appliance.privacy.redaction.numbers import NumberGroup, NumberRun
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex, is_word, line_break_between

# Month words that are also everyday words: a date only next to a day or year.
AMBIGUOUS_MONTHS = {
    "may",
    "march",
    "mar",
    "jan",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "feb",
    "apr",
}
# Words that say the number before them was a year of birth, when said alone: "born in 1952".
BIRTH_WORDS = {"born", "birth", "dob", "birthdate", "b"}


def year_groups(groups: list[NumberGroup]) -> bool:
    """Do these groups read as a year: 1992, "nineteen ninety-two", "ninety-two", "two thousand five"?"""
    if len(groups) == 1:
        g = groups[0]
        return not g.ordinal and (len(g.digits) == 2 or (len(g.digits) == 4 and 1900 <= g.value <= 2099))
    if len(groups) == 2:
        a, b = groups
        return (a.value in (19, 20) and not b.ordinal and len(b.digits) == 2) or (
            a.value in (19, 20) and b.value < 10
        )
    return False


def is_numeric_date(run: NumberRun) -> bool:
    gs = run.groups
    if len(gs) < 3:
        return False
    if gs[0].value >= 1900 and len(gs) == 3 and 1 <= gs[1].value <= 12 and 1 <= gs[2].value <= 31:
        return set(run.seps) <= {"-", "/"}  # ISO 1992-07-14
    month, day = gs[0], gs[1]
    if not (
        1 <= month.value <= 12 and len(month.digits) <= 2 and 1 <= day.value <= 31 and len(day.digits) <= 2
    ):
        return False
    return year_groups(gs[2:])


def birth_cue_near(toks: list[Token], first: int, full_year: bool = False) -> bool:
    """A birth word up to six tokens before: "born in 1952", "born in the spring of 1931". A
    birthday counts before a year said whole ("her birthday is nineteen forty one", only the year
    being known), not before a number that may be the age it brings ("for his birthday he turned
    eighty")."""
    cues = _BIRTHDAY_WORDS if full_year else BIRTH_WORDS
    return any(toks[k].low in cues for k in range(max(0, first - 6), first))


_BIRTHDAY_WORDS = BIRTH_WORDS | {"birthday", "birthday's"}


def full_year(run: NumberRun) -> bool:
    """Is this run a year said whole, with its century: 1952, "nineteen fifty two", "two thousand"?"""
    return 1900 <= int(run.digits or 0) <= 2099 and len(run.digits) == 4 and year_groups(run.groups)


def year_before_1900(run: NumberRun) -> bool:
    """A year of the nineteenth century said whole (1898, "eighteen ninety eight"): after a birth
    cue it is the birth year of someone past 89, which is PHI as their age is."""
    gs = run.groups
    whole = len(gs) == 1 and len(gs[0].digits) == 4
    said = len(gs) == 2 and gs[0].value == 18 and len(gs[1].digits) == 2 and not gs[1].ordinal
    return (whole or said) and 1800 <= int(run.digits or 0) <= 1899


def year_of_a_life_event(toks: list[Token], run: NumberRun) -> bool:
    """A year said alone as when something happened in someone's life ("she came through Madrid
    in 2011", "they moved here in nineteen ninety", "he was diagnosed in 2008"): the year of a
    person's move, marriage or diagnosis, which tells of them as a date does. A year said with no
    such verb ("the clinic opened in 2015", "the 2019 guidelines") is left alone."""
    if run.first < 1 or toks[run.first - 1].low != "in" or not full_year(run):
        return False
    k, event = run.first - 2, False
    while k >= 0 and toks[k].text not in (".", "?", "!", ";") and not line_break_between(toks, k, k + 1):
        low = toks[k].low
        if event and (low in _PEOPLE or low in RELATIVES):
            return True  # "she came …", "my parents moved …": a person's, not "the guidelines came out"
        event = event or low in _LIFE_EVENTS
        k -= 1
    return False


# Who a life's event is told of: the caller, the person called about, their family.
_PEOPLE = frozenset((
    "i", "we", "she", "he", "they", "you", "patient", "family", "parents", "kids", "children", "mum",
    "mom", "grandparents",
))  # fmt: skip
# Verbs of what happens to a person in a year: moving, arriving, marrying, a diagnosis.
_LIFE_EVENTS = frozenset((
    "came", "moved", "arrived", "fled", "immigrated", "emigrated", "migrated", "resettled",
    "married", "divorced", "widowed", "retired", "adopted", "diagnosed", "deployed", "discharged",
    "admitted", "died", "passed", "naturalized", "naturalised",
))  # fmt: skip


def find_day_ordinals(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A day of the month said without its month: "on the 5th", "Friday the 3rd", "on the
    eleventh", "booked for the 24th", "the third of next month". Not "on the 2nd floor": a word
    after the day (other than "of") is what it counts, except after a weekday, which says the day
    is a date whatever follows ("her Monday the 21st scan"). "For the first time", "until the
    second one" are not days: after the looser prepositions the first two days count only as
    digits ("until the 2nd")."""
    found: list[TokenSpan] = []
    n = len(toks)
    for run in runs:
        g = run.groups
        if len(g) != 1 or not g[0].ordinal or not 1 <= g[0].value <= 31 or run.first < 1:
            continue
        if toks[run.first - 1].low != "the":
            continue
        before = toks[run.first - 2].low if run.first >= 2 else ""
        after = toks[run.last + 1] if run.last + 1 < n else None
        if before in WEEKDAYS:
            found.append((run.first - 2, run.last, "DATE"))
            continue
        if before in _DAY_PARTS and run.first >= 3 and toks[run.first - 3].low in WEEKDAYS:
            found.append((run.first - 3, run.last, "DATE"))  # "saturday night the ninth"
            continue
        if _of_a_month(toks, run.last + 1):
            found.append((run.first - 1, run.last + 3, "DATE"))  # "the third of next month"
            continue
        month_run = _of_the_month_number(toks, run.last + 1, runs)
        if month_run is not None:
            found.append((run.first - 1, month_run.last, "DATE"))  # "the fifth of the third fifty five"
            continue
        if before == "of" and _day_part_before(toks, run.first - 3):
            # "I was in A&E the night of the 12th", and a day asked for or booked as well ("is there
            # anything the morning of the 8th"): a day of the month, its month left unsaid, is a date
            # element all the same (Safe Harbor: all elements of dates but the year)
            found.append((run.first - 1, run.last, "DATE"))
            continue
        if after is not None and after.low in _DATED_THINGS and toks[run.first].text[:1].isdigit():
            if g[0].value > 3:  # "the 19th appointment"; "the 2nd appointment" may count them
                found.append((run.first - 1, run.last, "DATE"))
            continue
        if after is not None and is_word(after) and after.low not in _DAY_FOLLOWERS:
            if after.low == "from" and before == "on" and _time_follows(toks, run.last + 2):
                after = None  # "in your ER on the twenty ninth from nine p m": the day, then its hours
            elif not _corrected(toks, run.last + 1):
                continue
            after = None  # "booked for the fifteenth no sorry the sixteenth": the day said, then taken back
        written = toks[run.first].text[:1].isdigit()
        if before in FILLERS and run.first >= 3:
            before = toks[run.first - 3].low  # "from the 18th to uh the 21st"
        if before == "on" or (before in _DAY_PREPOSITIONS and (g[0].value > 2 or written)):
            found.append((run.first - 1, run.last, "DATE"))
        elif (
            (g[0].value > 3 or (written and g[0].value > 2))
            and _clause_ends(toks, run.last + 1)
            and (
                before not in _RANKED_BY
                or (before == "to" and (_day_ends_at(found, run.first - 3) or _moved_to(toks, run.first - 3)))
            )
        ):
            # "my last period was the fourteenth", "her birthday's the 29th", "sent home the
            # sixteenth", "vaccinated the twenty first and": a day said as when, ending its clause
            found.append((run.first - 1, run.last, "DATE"))
    return found


def _time_follows(toks: list[Token], k: int) -> bool:
    """Is a time of day said within three tokens of k ("from like nine p m", "from 10am",
    "from about noon")? Not "on the 3rd from the left", which counts places."""
    for j in range(k, min(len(toks), k + 3)):
        low = toks[j].low
        if low in _TIMES_OF_DAY or low[:1].isdigit() or low in NUMBER_VOCAB:
            return True
        if low not in ("like", "about", "around", "roughly", "maybe", "uh", "um"):
            return False
    return False


# Words after which a day ending its clause may be no day: it ranks ("she's in the fifth", a grade;
# "up to the fifth", a floor). After "to" a day an appointment is moved to is one (_moved_to).
_RANKED_BY = frozenset(("in", "into", "grade", "year", "class", "place", "floor", "level", "row", "to", "of"))


# What a caller says to take back what they just said: "the fifteenth no sorry …", "… wait, i mean".
_TAKEN_BACK = frozenset(("sorry", "wait", "actually", "mean", "scratch", "correction"))


def _corrected(toks: list[Token], k: int) -> bool:
    """Does a correction open at token k: "sorry", "wait", "actually", or "no" before one of them
    or before "the", "for", "on" or "it's" ("the fifteenth no the sixteenth"), or "i mean"? The
    day before it was said as a date, then corrected, and gives the date away as much."""
    n = len(toks)
    low = toks[k].low
    nxt = toks[k + 1].low if k + 1 < n else ""
    if low in _TAKEN_BACK:
        return True
    if low == "no":
        return nxt in _TAKEN_BACK or nxt in ("the", "for", "on", "it's", "its", ",")
    return low == "i" and nxt == "mean"


def find_days_after_dates(
    toks: list[Token], runs: list[NumberRun], dates: list[TokenSpan]
) -> list[TokenSpan]:
    """A day of the month said alone right after a date, which goes on with the same month: the
    second day of a range ("from June 3rd to the 9th", "the fourth through the sixth") or a day
    said to correct it ("on the twelfth no wait it was the thirteenth", "the 3rd, sorry, the 4th").
    Either gives the date away as much as the first; "the" before the day is left out of the span
    as a range's or a correction's word."""
    by_first = {r.first: r for r in runs}
    found: list[TokenSpan] = []
    n = len(toks)
    for _, b, label in dates:
        if label != "DATE":
            continue
        k = b + 1
        if k < n and toks[k].text == ",":
            k += 1
        if k < n and toks[k].low in _RANGE_WORDS:
            k += 1
            while k < n and toks[k].low in FILLERS:
                k += 1  # "from the 18th to uh the 21st"
        elif k < n and _corrected(toks, k):
            while k < n and k <= b + 8 and toks[k].low in _CORRECTING:
                k += 1
        else:
            continue
        if k < n and toks[k].low == "the":
            k += 1
        run = by_first.get(k)
        day = run.groups[0] if run is not None and len(run.groups) == 1 else None
        if run is None or day is None or not day.ordinal or not 1 <= day.value <= 31:
            continue
        after = toks[run.last + 1] if run.last + 1 < n else None
        if after is not None and is_word(after) and not _day_said_before(after.low):
            continue  # "from the 1st to the 2nd floor": the second counts floors
        found.append((run.first, run.last, "DATE"))
    return found


def _day_said_before(low: str) -> bool:
    """Can a day of the month be said before this word ("the 9th and", "the 23rd monday morning")?"""
    return low in _DAY_FOLLOWERS or low in WEEKDAYS or low in _DAY_PARTS or low in ("from", "then")


# What joins a range's two days: "the 3rd to the 9th", "the 3rd - 9th", "the fourth thru the sixth".
_RANGE_WORDS = frozenset(("to", "through", "thru", "until", "till", "til", "-", "–", "and"))
# What a correction says before the day that replaces the one said: "no wait it was", "sorry, i
# mean", "actually it's".
_CORRECTING = frozenset((
    "no", "wait", "sorry", "actually", "i", "mean", "meant", "it", "was", "it's", "its", "is", ",",
    "oh", "um", "uh", "er", "scratch", "that", "correction", "on",
))  # fmt: skip


def _moved_to(toks: list[Token], k: int) -> bool:
    """Is the "to" before a day said of moving an appointment ("can I move it to the 22nd",
    "reschedule to the twenty first")? That day is the one asked for, a day of the month whose month
    is left unsaid, and a date element like any other; "up to the fifth" (a floor) is no such day."""
    stop = max(-1, k - 8)
    while k > stop and toks[k].text not in (".", "?", "!", ";") and not line_break_between(toks, k, k + 1):
        if toks[k].low in _MOVING_WORDS:
            return True
        k -= 1
    return False


# Words that move or book an appointment to a day: "change it to", "push my appointment to".
_MOVING_WORDS = frozenset((
    "move", "moved", "moving", "change", "changed", "changing", "reschedule", "rescheduled",
    "rebook", "rebooked", "push", "pushed", "bump", "bumped", "switch", "switched", "shift",
    "appointment", "appt", "booking",
))  # fmt: skip


def _day_ends_at(found: list[TokenSpan], k: int) -> bool:
    """Did a day found end at token k ("from the 6th | to the 12th": a range's second day)?"""
    return any(last == k for _, last, _ in found)


def _of_the_month_number(toks: list[Token], k: int, runs: list[NumberRun]) -> NumberRun | None:
    """ "of the third (fifty five)": a month said by its number after a day ("the fifth of the
    third"), as British callers read a date of birth; the run holds the year said after it."""
    if k + 2 >= len(toks) or toks[k].low != "of" or toks[k + 1].low != "the":
        return None
    for run in runs:
        if run.first == k + 2:
            first = run.groups[0]
            return run if first.ordinal and 1 <= first.value <= 12 else None
    return None


# Prepositions that put a day of the month after them: "booked for the 24th", "until the twelfth".
_DAY_PREPOSITIONS = frozenset(("for", "until", "till", "til", "by", "since", "from", "before", "after"))
_RELATIVE_MONTHS = frozenset(("next", "this", "last", "that"))
# A part of a day said between a weekday and its date: "Saturday night the 9th".
_DAY_PARTS = frozenset(("morning", "afternoon", "evening", "night", "lunchtime"))
_TIMES_OF_DAY = frozenset(("noon", "midnight", "midday", *_DAY_PARTS))


def _day_part_before(toks: list[Token], k: int) -> bool:
    """Does "the night", "the morning" … end at token k ("the night of the 12th")?"""
    return k >= 1 and toks[k].low in _DAY_PARTS and toks[k - 1].low == "the"


def _told_as_past(toks: list[Token], k: int) -> bool:
    """Does the sentence up to token k tell of something that happened ("I was in A&E on", "she
    fell over on") rather than ask for a time ("is there anything on", "can I book for")? A day
    said after "the night of" then is when it happened, a date of someone's; a slot asked for is not.
    """
    past = False
    while k >= 0 and toks[k].text not in (".", "?", "!", ";") and not line_break_between(toks, k, k + 1):
        low = toks[k].low
        if low in _SLOT_WORDS:
            return False
        if low in _PAST_WORDS or (low.endswith("ed") and len(low) > 4 and _past_of_a_verb(low)):
            past = True
        k -= 1
    return past


# Verbs in the past that tell what happened to someone; words that ask for or book a time.
_PAST_WORDS = frozenset((
    "was", "were", "had", "did", "went", "came", "got", "fell", "died", "began", "took", "left",
    "woke", "broke", "ran", "felt", "saw", "rang", "brought", "sent", "gave", "hit", "hurt", "cut",
    "sat", "spent", "slept", "lay", "stood", "kept", "found", "told",
))  # fmt: skip
_SLOT_WORDS = frozenset((
    "book", "booked", "booking", "rebook", "schedule", "scheduled", "reschedule", "rescheduled",
    "move", "moved", "change", "changed", "appointment", "appointments", "slot", "slots",
    "available", "free", "anything", "any", "can", "could", "want", "wanted", "like",
))  # fmt: skip


def _past_of_a_verb(low: str) -> bool:
    """ "collapsed", "waited", "arrived": a verb's past, tagged as one or made from a verb the
    dictionary holds (it tags "waited" as a noun, and "wait" as an everyday word)."""
    stem = low[:-2]  # "waited" -> "wait"; "arrived" -> "arrive" is low[:-1]
    return can_be_verb(low) or can_be_verb(stem) or is_everyday(stem) or can_be_verb(low[:-1])


def _clause_ends(toks: list[Token], k: int) -> bool:
    return k >= len(toks) or toks[k].text in (",", ".", "?", "!", ";") or toks[k].low in _DAY_FOLLOWERS


# What a written day of the month can be said before: "the 19th appointment", "the 23rd scan". Only
# written days past the 3rd count: "the third scan" and "the 2nd appointment" may count them.
_DATED_THINGS = frozenset((
    "appointment", "appt", "visit", "scan", "surgery", "operation", "op", "procedure", "clinic",
    "booking", "slot", "review",
))  # fmt: skip


def _of_a_month(toks: list[Token], k: int) -> bool:
    """ "of next month", "of this month": a day said against a month not named ("the first of the
    month" is any month)."""
    n = len(toks)
    return (
        k + 2 < n
        and toks[k].low == "of"
        and toks[k + 1].low in _RELATIVE_MONTHS
        and toks[k + 2].low in ("month", "month's")
    )


_YEAR_APOSTROPHES = ("'", "’")
# What a day said alone can be followed by: a conjunction, a new clause, or the rest of a range
# ("from the 3rd to the 10th", "the 4th until the 6th").
_DAY_FOLLOWERS = frozenset(("of", "and", "or", "at", "but", "so", "i", "we", "she", "he", "they", "to",
                            "through", "thru", "until", "till", "if", "instead", "please",
                            *FILLERS))  # fmt: skip


def find_dates(toks: list[Token], runs: list[NumberRun], index: TokenIndex) -> list[TokenSpan]:
    by_first = {r.first: r for r in runs}
    by_last = {r.last: r for r in runs}
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.among(MONTHS):
        tok = toks[i]
        start, end = i, i
        # day before: "the third of March", "3 March"
        k = i - 1
        if k >= 0 and toks[k].low == "of":
            k -= 1
        if k >= 0 and k in by_last and by_last[k].groups[-1].value <= 31 and len(by_last[k].groups) == 1:
            start = by_last[k].first
            if start > 0 and toks[start - 1].low == "the":
                start -= 1
        # day and/or year after: "March third, nineteen eighty", "March the 3rd", "March of 1980"
        k = i + 1
        if k < n and toks[k].text == "." and len(tok.text) <= 4:
            k += 1  # "Feb. 9"
        if k < n and toks[k].low in ("the", "of", ","):
            k += 1
        if k < n and toks[k].text in _YEAR_APOSTROPHES and k + 1 in by_first:
            k += 1  # "March '52": a year written short
        if k < n and k in by_first:
            run = by_first[k]
            if len(run.groups) <= 4 and len(run.digits) <= 8:
                end = run.last
                if len(run.groups) == 1 and run.groups[0].value <= 31:
                    end = _following_year(toks, by_first, run.last, end)
        if end == i and start < i:
            end = _following_year(toks, by_first, i, end)  # "the 19th of November in 1936"
        ambiguous = tok.low in AMBIGUOUS_MONTHS and not (tok.text[0].isupper() and tok.low == "march")
        if (
            start == i
            and end == i
            and (ambiguous or tok.low == "may" or not _month_of_a_past(toks, i))
            and not _month_of_a_birthday(toks, i, by_last)
        ):
            continue
        found.append((with_weekday(toks, start), end, "DATE"))
    return found


def _month_of_a_past(toks: list[Token], i: int) -> bool:
    """A month said alone is someone's date only when it tells when something happened ("she was
    admitted in March", "born in June"): one said ahead ("a physical before August", "move it to
    April", "not April") names a time to come or a correction, the same month of every year."""
    k, past = i - 1, False
    while k >= 0 and toks[k].text not in (".", "?", "!", ";") and not line_break_between(toks, k, k + 1):
        low = toks[k].low
        if low in _SLOT_WORDS or low in _AHEAD:
            return False
        past = past or low in _PAST_WORDS or low in _HAPPENED or low in BIRTH_WORDS
        k -= 1
    return past


def _month_of_a_birthday(toks: list[Token], i: int, by_last: dict[int, NumberRun]) -> bool:
    """A month said alone as the month of someone's birthday, past or to come: "she turns 97 in
    May", "he'll be ninety in march", "her birthday is in June", "the baby is due in March". Safe
    Harbor hides all elements of a date of birth but the year, the month too; the birthday still
    to come gives the month away as much as one past."""
    if i < 2 or toks[i - 1].low != "in":
        return False
    age = by_last.get(i - 2)
    if age is not None and age.first >= 1 and toks[age.first - 1].low in _TURNING:
        return True  # "turns 97 in May", "she'll be a hundred and three in june"
    k, stop = i - 2, max(-1, i - 10)
    while k > stop and toks[k].text not in (".", "?", "!", ";") and not line_break_between(toks, k, k + 1):
        if toks[k].low in _BIRTH_MONTH_CUES:
            return True
        k -= 1
    return False


# What says an age said before "in <month>" is one reached on a birthday: "turns 97 in May".
_TURNING = frozenset(("turn", "turns", "turned", "turning", "be", "hits", "hit", "reaches", "reached"))
# Words of a birth in the clause before "in <month>": "her birthday is in May", "a baby in March".
_BIRTH_MONTH_CUES = frozenset((
    "birthday", "birthday's", "birthdays", "bday", "born", "baby", "baby's", "pregnant", "expecting",
))  # fmt: skip


# Words of a time still to come: "the next scan is in June", "she'll be seen in May".
_AHEAD = frozenset((
    "next", "will", "i'll", "she'll", "he'll", "we'll", "going", "gonna", "upcoming", "coming",
))  # fmt: skip


def with_weekday(toks: list[Token], start: int) -> int:
    """Where a date starts with the weekday said before it ("Thursday, January 9th", "wed 14 oct"):
    the weekday is hidden with the day it names, or a reader could count back to it."""
    k = start - 1
    if k >= 1 and toks[k].text == ",":
        k -= 1
    return k if k >= 0 and toks[k].low in WEEKDAYS else start


def _following_year(toks: list[Token], by_first: dict[int, NumberRun], last: int, end: int) -> int:
    k = last + 1
    if k < len(toks) and toks[k].low in (",", "of"):
        k += 1
    if k < len(toks) and toks[k].text in _YEAR_APOSTROPHES:
        k += 1  # "the 14th of March '52", "March 3rd, '80"
    run = by_first.get(k)
    if run is not None and year_groups(run.groups):
        return run.last
    # "the nineteenth of november in nineteen thirty six": a year said whole after "in" is the
    # day's year (a short number there is a time to come: "the 3rd in 20 minutes")
    if k < len(toks) and toks[k].low == "in":
        run = by_first.get(k + 1)
        if run is not None and year_groups(run.groups) and (len(run.groups) == 2 or len(run.digits) == 4):
            return run.last
    return end


# Holidays said for a day, as their words come out of the tokenizer ("new year's eve"); each is a
# date when its year follows ("Boxing Day 2022", "Christmas Eve of nineteen ninety").
_HOLIDAYS = (
    ("christmas",), ("christmas", "day"), ("christmas", "eve"), ("xmas",), ("xmas", "day"),
    ("xmas", "eve"), ("boxing", "day"), ("new", "year's", "day"), ("new", "year's", "eve"),
    ("new", "years", "day"), ("new", "years", "eve"), ("new", "year's"), ("thanksgiving",),
    ("thanksgiving", "day"), ("easter",), ("easter", "sunday"), ("easter", "monday"),
    ("good", "friday"), ("halloween",), ("independence", "day"), ("memorial", "day"),
    ("labor", "day"), ("labour", "day"), ("veterans", "day"), ("valentine's", "day"),
    ("valentines", "day"), ("patrick's", "day"), ("mother's", "day"), ("father's", "day"),
    ("diwali",), ("eid",), ("hanukkah",), ("passover",), ("new", "year"),
    # Feasts of other calendars and places: said after a birth cue they fix a birthday as well as
    # Christmas does ("born on Up Helly Aa", "her birthday is Dia de los Muertos", "born Purim, 1927").
    ("purim",), ("yom", "kippur"), ("rosh", "hashanah"), ("rosh", "hashana"), ("sukkot",), ("shavuot",),
    ("tisha", "b'av"), ("lag", "baomer"), ("yennayer",), ("nowruz",), ("norooz",), ("sagaalgan",),
    ("tsagaan", "sar"), ("losar",), ("songkran",), ("chuseok",), ("seollal",), ("tet",), ("holi",),
    ("pongal",), ("onam",), ("vaisakhi",), ("baisakhi",), ("vesak",), ("kwanzaa",), ("juneteenth",),
    ("hogmanay",), ("up", "helly", "aa"), ("burns", "night"), ("bonfire", "night"),
    ("guy", "fawkes", "night"), ("bastille", "day"), ("canada", "day"), ("australia", "day"),
    ("anzac", "day"), ("waitangi", "day"), ("settlement", "day"), ("emancipation", "day"),
    ("armistice", "day"), ("remembrance", "day"), ("d", "-", "day"), ("mardi", "gras"), ("shrove", "tuesday"),
    ("ash", "wednesday"), ("palm", "sunday"), ("candlemas",), ("epiphany",), ("all", "saints", "day"),
    ("all", "souls", "day"), ("dia", "de", "los", "muertos"), ("día", "de", "los", "muertos"),
    ("day", "of", "the", "dead"), ("cinco", "de", "mayo"), ("three", "kings", "day"),
    ("lunar", "new", "year"), ("chinese", "new", "year"), ("midsummer",), ("midsummer", "day"),
    ("st", "john's", "day"), ("andrew's", "day"), ("david's", "day"), ("george's", "day"),
    ("leap", "day"),
)  # fmt: skip
# The longest holiday's words: how far a frame looks for one.
_HOLIDAY_SIZES = tuple(range(max(len(h) for h in _HOLIDAYS), 0, -1))
# The words that can end a holiday's name: the gate for find_holiday_dates (gate words are cut at
# apostrophes, so "year's" is "year").
_NOT_GATES = frozenset(("new", "good", "day", "of", "the", "de", "all", "st"))
HOLIDAY_GATE = frozenset(w.split("'")[0] for h in _HOLIDAYS for w in h if w not in _NOT_GATES)
_HOLIDAY_ENDS: dict[str, list[tuple[str, ...]]] = {}
for _h in sorted(_HOLIDAYS, key=len, reverse=True):
    _HOLIDAY_ENDS.setdefault(_h[-1], []).append(_h)


def find_holiday_days(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A holiday said as the day something happened, without its year: "discharged on new year's
    day", "she fell on Christmas Eve", "the day after boxing day", "her birthday is on valentine's
    day". Whether a place is open on it, or its hours, names no one's day: only a holiday said
    after "on" (or "after", "before", "since") and a word of something happening to someone counts."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(_HOLIDAY_PREPOSITIONS):
        for size in _HOLIDAY_SIZES:
            holiday = tuple(t.low for t in toks[i + 1 : i + 1 + size])
            if len(holiday) == size and holiday in _HOLIDAY_SET:
                break
        else:
            continue
        before = {t.low for t in toks[max(0, i - 5) : i]}
        came_in = i >= 2 and toks[i - 1].low == "in" and toks[i - 2].low in _CAME_IN
        # "I was in your ER on New Year's Eve": a stay at the hospital told as past
        stay = not before.isdisjoint(_HOSPITAL_STAYS) and _told_as_past(toks, i - 1)
        if (before.isdisjoint(_HAPPENED) and not came_in and not stay) or not before.isdisjoint(_OPEN_WORDS):
            continue
        last = min(i + size, n - 1)
        found.append((i + 1, last, "DATE"))
    found += _holiday_was_when(toks, index)
    found += _birthday_holidays(toks, index)
    return found


def _birthday_holidays(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """ "his birthday is valentines day", "her birthday's on Christmas Eve", "he was born Up Helly
    Aa": a holiday said as someone's birthday is their date of birth less the year."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(("birthday", "birthday's", "birthdays", "born")):
        k = i + 1
        while k < n and k <= i + 3 and toks[k].low in ("is", "was", "falls", "on", "'s", "’s"):
            k += 1
        for size in _HOLIDAY_SIZES:
            if k + size <= n and tuple(t.low for t in toks[k : k + size]) in _HOLIDAY_SET:
                found.append((k, k + size - 1, "DATE"))
                break
    return found


# Words that say a turn is about someone's birth: a leap day said in it is their birthday.
LEAP_BIRTH_WORDS = frozenset(("born", "birth", "birthday", "birthdays", "baby"))


def find_leap_days(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """ "born 2/29/2016, a leap day baby", "my date of birth is the 29th of February. Yes, leap day":
    a leap day in a turn about a birth is the birthday (one day in 1,461: it gives the date away
    even where the date itself is hidden). Called only where the turn has a birth word."""
    n = len(toks)
    return [(i, i + 1, "DATE") for i in index.positions(("leap",)) if i + 1 < n and toks[i + 1].low == "day"]


def find_holidays_after_dates(toks: list[Token], dates: list[TokenSpan]) -> list[TokenSpan]:
    """ "he went home on the 25th. Christmas Day, too", "born 24/12/1950, on Christmas Eve": a
    holiday said right after a date (past a comma, a full stop or a dash, and "on") names the same
    day again, and would give it away."""
    found: list[TokenSpan] = []
    n = len(toks)
    for _, b, label in dates:
        k = b + 1
        if label != "DATE" or k >= n or toks[k].text not in (",", ".", "-", "—", "–"):
            continue
        k += 1
        if k < n and toks[k].low == "on":
            k += 1
        for size in _HOLIDAY_SIZES:
            if k + size <= n and tuple(t.low for t in toks[k : k + size]) in _HOLIDAY_SET:
                found.append((k, k + size - 1, "DATE"))
                break
    return found


def _holiday_was_when(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """ "Halloween was when he fell", "christmas eve is when it started": a holiday said as the
    day something happened to someone, before "was when"."""
    found: list[TokenSpan] = []
    for i in index.positions(("when",)):
        if i < 2 or toks[i - 1].low not in ("was", "is"):
            continue
        end = i - 2
        for size in _HOLIDAY_SIZES:
            holiday = tuple(t.low for t in toks[end - size + 1 : end + 1])
            if end - size + 1 >= 0 and holiday in _HOLIDAY_SET:
                break
        else:
            continue
        after = {t.low for t in toks[i + 1 : i + 6]}
        if not after.isdisjoint(_HAPPENED) and after.isdisjoint(_OPEN_WORDS):
            found.append((end - size + 1, end, "DATE"))
    return found


_HOLIDAY_PREPOSITIONS = ("on", "after", "before", "since")
# The words that can place a holiday as someone's day: the gate for find_holiday_days.
HOLIDAY_CUES = frozenset((*_HOLIDAY_PREPOSITIONS, "when", "birthday", "birthdays", "born"))
_HOLIDAY_SET = frozenset(_HOLIDAYS)
# What happens to someone on a day: "admitted on", "fell on", "passed away on", "got the stitches on".
_HAPPENED = frozenset((
    "admitted", "discharged", "fell", "fall", "died", "passed", "away", "born", "seen", "saw",
    "happened", "started", "began", "collapsed", "injured", "hurt", "broke", "cut", "burned", "burnt",
    "operated", "surgery", "op", "operation", "procedure", "accident", "attack", "stroke", "rushed",
    "transferred", "delivered", "baby", "stitches", "x-ray", "scan", "treated", "diagnosed", "sick",
    "ill", "birthday", "birthdays", "anniversary", "home",
))  # fmt: skip
# Where someone is kept or seen: said with a past verb, a holiday after them is that person's day.
_HOSPITAL_STAYS = frozenset(("er", "a&e", "emergency", "hospital", "icu", "ward", "ambulance", "here"))
# Everyday verbs that say so only with "in": "she went in on Easter Sunday" (to hospital), not "my
# mum came on christmas eve".
_CAME_IN = frozenset(("went", "came", "brought", "taken", "took", "got", "was", "admitted"))
# Words of a place's hours, not of someone's day: "are you open on thanksgiving".
_OPEN_WORDS = frozenset(("open", "opened", "closed", "close", "shut", "hours", "staffed", "working",
                         "work", "visiting", "visit", "pharmacy", "clinic", "desk"))  # fmt: skip


def find_holiday_dates(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A holiday with its year: "admitted on Boxing Day 2022", "New Year's Eve, nineteen ninety
    nine". Said without a year it names a day of every year and is left alone."""
    found: list[TokenSpan] = []
    for run in runs:
        if not year_groups(run.groups) or run.first < 1:
            continue
        k = run.first - 1
        if toks[k].low in (",", "of", "in") and k >= 1:
            k -= 1
        for holiday in _HOLIDAY_ENDS.get(toks[k].low, ()):
            first = k - len(holiday) + 1
            if first >= 0 and tuple(t.low for t in toks[first : k + 1]) == holiday:
                if first >= 2 and toks[first - 1].text == "." and toks[first - 2].low == "st":
                    first -= 2  # "St. Patrick's Day"
                elif first >= 1 and toks[first - 1].low in ("st", "saint"):
                    first -= 1
                found.append((first, run.last, "DATE"))
                break
    return found


# Months of other calendars (Hebrew, Islamic, Persian, Ethiopian) that are no everyday English
# word: "10 Tishrei 5734", "the 3rd of Adar", "15 Shawwal 1360" are days as much as "3 March" is.
OTHER_MONTHS = frozenset((
    "tishrei", "tishri", "cheshvan", "heshvan", "marcheshvan", "kislev", "tevet", "teves", "shevat",
    "shvat", "adar", "nisan", "iyar", "iyyar", "sivan", "tammuz", "tamuz", "elul",
    "muharram", "rajab", "shaban", "ramadan", "ramadhan", "shawwal", "farvardin", "ordibehesht",
    "khordad", "mordad", "shahrivar", "esfand", "meskerem", "tikimt", "yekatit", "megabit", "miazia",
    "genbot", "hamle", "nehase", "pagume",
))  # fmt: skip
# Words of a month counted rather than named: "the fifth day of the fifth month" (a lunar date).
_COUNTED_MONTHS = frozenset(("month", "moon"))
CALENDAR_GATE = OTHER_MONTHS | _COUNTED_MONTHS


def find_calendar_dates(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A day of another calendar: a month of it with a day before or after ("10 Tishrei 5734",
    "the 3rd of Adar", "Shawwal 15"), its year kept with it whatever its era; and a lunar day told
    by counting ("the fifth day of the fifth month", "the 8th day of the first lunar month")."""
    by_first = {r.first: r for r in runs}
    by_last = {r.last: r for r in runs}
    found: list[TokenSpan] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        if tok.low in OTHER_MONTHS:
            start, end = i, i
            k = i - 1 if i >= 1 and toks[i - 1].low == "of" else i
            day = by_last.get(k - 1)
            if day is not None and len(day.groups) == 1 and 1 <= day.groups[0].value <= 30:
                start = day.first - 1 if day.first >= 1 and toks[day.first - 1].low == "the" else day.first
            after = by_first.get(i + 2 if i + 1 < n and toks[i + 1].text == "," else i + 1)
            if after is not None and len(after.groups) == 1:
                value = after.groups[0].value
                if start < i and len(after.digits) == 4:  # "10 Tishrei 5734": the day's year
                    end = after.last
                elif start == i and 1 <= value <= 30:  # "Shawwal 15", "Adar 3, 5701"
                    end = _following_any_year(toks, by_first, after.last)
            if start < i or end > i:
                found.append((start, end, "DATE"))
        elif tok.low in _COUNTED_MONTHS:
            span = _counted_day(toks, i, by_last)
            if span is not None:
                found.append(span)
    return found


def _following_any_year(toks: list[Token], by_first: dict[int, NumberRun], last: int) -> int:
    k = last + 2 if last + 1 < len(toks) and toks[last + 1].text == "," else last + 1
    run = by_first.get(k)
    return run.last if run is not None and len(run.groups) == 1 and len(run.digits) == 4 else last


def _counted_day(toks: list[Token], i: int, by_last: dict[int, NumberRun]) -> TokenSpan | None:
    """ "the fifth day of the fifth month": an ordinal day, "day of the", an ordinal month (a
    "lunar" between them allowed), each no more than a calendar holds."""
    k = i - 1
    if k >= 0 and toks[k].low == "lunar":
        k -= 1
    month = by_last.get(k)
    if month is None or len(month.groups) != 1 or not month.groups[0].ordinal or month.groups[0].value > 13:
        return None
    k = month.first - 1
    if k < 3 or toks[k].low != "the" or toks[k - 1].low != "of" or toks[k - 2].low != "day":
        return None
    day = by_last.get(k - 3)
    if day is None or len(day.groups) != 1 or not day.groups[0].ordinal or day.groups[0].value > 30:
        return None
    start = day.first - 1 if day.first >= 1 and toks[day.first - 1].low == "the" else day.first
    return (start, i, "DATE")
