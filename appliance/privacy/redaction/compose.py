"""Composition: which finders run on a text, and the one result they make.

Cheap gates on the whole text (set operations on its words, a few regex searches) skip the finders
that cannot match, the text is tokenized once, and each finder of the modules beside this one adds
its spans; overlapping spans are merged (spans.py). Two learned layers may add names and places,
less the site's own words and staff: the token tagger (tagger.py) and spaCy's model (learned.py).
Both are too slow for turn-by-turn use and run on finished transcripts (redact_many)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from appliance.privacy.redaction.addresses import (
    ABROAD_ENDING,
    ABROAD_HEADS,
    ADDRESS_ENDS,
    FLAT_CUES,
    HEADINGS,
    HOUSE_GATE,
    HOUSE_NUMBER_ENDS,
    LIVING,
    OFFICE_WORDS,
    PLACE_KINDS,
    PLACE_WORDS,
    ROAD_NUMBERERS,
    ROMANCE_NUMBERS,
    ROOM_CORRECTION_GATE,
    ROOM_LETTER_WORDS,
    ROOM_WORDS,
    ROUTE_WORDS,
    SCHOOL_KINDS,
    SHIP_PREFIXES,
    STREET_SUFFIXES,
    STREET_WORDS_AFTER_NAME,
    TRAVEL_PARTICLES,
    TRAVEL_VERBS,
    VENUES,
    find_abroad_streets,
    find_addresses,
    find_areas,
    find_care_places,
    find_corners,
    find_corrected_places,
    find_house_numbers,
    find_lots,
    find_lower_places,
    find_plural_houses,
    find_postcodes,
    find_room_corrections,
    find_room_letters,
    find_routes,
    find_said_addresses,
    find_ships,
    find_spoken_postcodes,
    find_streets_named_first,
    find_streets_said_head_first,
    find_venues,
    town_gate,
)
from appliance.privacy.redaction.ages import find_ages
from appliance.privacy.redaction.answers import find_answer
from appliance.privacy.redaction.cues import CONTEXT_WORDS
from appliance.privacy.redaction.dates import (
    CALENDAR_GATE,
    HOLIDAY_CUES,
    HOLIDAY_GATE,
    LEAP_BIRTH_WORDS,
    find_calendar_dates,
    find_dates,
    find_day_ordinals,
    find_days_after_dates,
    find_holiday_dates,
    find_holiday_days,
    find_holidays_after_dates,
    find_leap_days,
)
from appliance.privacy.redaction.dictionary import can_be_verb, dictionary_words, is_dictionary_word
from appliance.privacy.redaction.emails import EMAIL_TLDS, find_emails, find_written_emails
from appliance.privacy.redaction.ids import (
    CHAIN_CUES,
    USER_NAME_CUES,
    find_as_in,
    find_code_chains,
    find_codes,
    find_codes_read_out,
    find_dashed_codes,
    find_ipv6,
    find_user_names,
    find_written,
)
from appliance.privacy.redaction.known_names import (
    KnownNames,
    find_known_names,
    known_index,
    repeated_names,
)
from appliance.privacy.redaction.lexicon import (
    COMMON_CAPITALISED,
    GATE_WORD,
    MONTHS,
    NAME_STOP,
    NUMBER_VOCAB,
    ORDINAL_WORDS,
    RELATIVES,
)
from appliance.privacy.redaction.medicines import ends_in_supplement, given_with_a_dose, is_medicine
from appliance.privacy.redaction.names import (
    FRAME_GATE,
    GAZETTEER_GATE,
    NAME_CLOSERS,
    PERSON_ROLES,
    SPELLED_ABBREVIATIONS,
    STAFF_TITLES,
    TURN_INTRO,
    WEAK_GATE,
    drop_staff,
    find_context_names,
    find_gazetteer_names,
    find_listed_names,
    find_names_said_again,
    find_spelled,
    find_surnames_after_spelling,
    find_unlisted_names,
    find_words_spelled_out,
    gazetteer_given_words,
    is_placeholder_name,
    names_a_pet,
    titled_relative,
)
from appliance.privacy.redaction.not_names import (
    PEOPLES,
    SPEAKS,
    in_latin_phrase,
    is_glossed_kin_word,
    is_people_or_language,
    is_rank,
    opening_greeting_end,
    rank_before,
)
from appliance.privacy.redaction.numbers import NumberRun, number_runs
from appliance.privacy.redaction.numeric import find_numbers
from appliance.privacy.redaction.organisations import without_organisations
from appliance.privacy.redaction.phrases import NOT_NAME_CAPS, find_capitalised_phrases
from appliance.privacy.redaction.plates import find_plates, plate_gate
from appliance.privacy.redaction.regions import LARGE_REGIONS, is_large_region, is_named_region
from appliance.privacy.redaction.site_facts import SiteFacts
from appliance.privacy.redaction.spans import CharSpan, Redaction, Span, TokenSpan, merge, redacted
from appliance.privacy.redaction.tagger import shared_tagger
from appliance.privacy.redaction.tokens import WORD_TOKEN, Token, TokenIndex, tokens
from appliance.privacy.redaction.urls import find_spoken_urls, find_urls


class LearnedLayer(Protocol):
    """What redaction asks of a learned model (learned.NameModel): names and places, as spans."""

    def find_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]: ...


def find_spans(
    text: str,
    known_names: Iterable[str] | KnownNames = (),
    learned: LearnedLayer | None = None,
    tagged: bool | None = None,
    site: SiteFacts | None = None,
) -> list[Span]:
    """Every identifier span in `text`, merged so that none overlap, in order. The tagger runs
    when `tagged` says so, and by default whenever `learned` is given (a finished transcript);
    `site`'s public facts (its address, main number, extensions) are kept (site_facts.py)."""
    reading = _Reading(text)
    spans = _rule_spans(text, known_names, learned is not None if tagged is None else tagged, reading)
    if learned is not None:
        spans += _kept_learned_spans(text, learned.find_many([text])[0])
    return _finished(text, spans, site, reading)


class _Reading:
    """One text cut into tokens and number runs once, when first asked for: the finders read
    them, and the site's facts (site_facts.said_in) read the same ones instead of cutting the
    text up again. Made for one text and dropped with the call."""

    __slots__ = ("_index", "_lows", "_runs", "_toks", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._toks: list[Token] | None = None
        self._runs: list[NumberRun] | None = None

    def tokens(self) -> tuple[list[Token], list[str], TokenIndex]:
        if self._toks is None:
            self._toks, self._lows = tokens(self.text)
            self._index = TokenIndex(self._lows)
        return self._toks, self._lows, self._index

    def numbers(self) -> tuple[list[Token], list[NumberRun]]:
        toks, lows, index = self.tokens()
        if self._runs is None:
            self._runs = number_runs(toks, lows, index)
        return toks, self._runs


def _finished(
    text: str, spans: list[CharSpan], site: SiteFacts | None = None, reading: _Reading | None = None
) -> list[Span]:
    if site is not None:
        spans = site.kept_apart(text, spans, (reading if reading is not None else _Reading(text)).numbers)
    return _joined_places(text, merge(_with_titles(text, _without_regions(text, spans))))


# Between two parts of one place: "bed 12 on ward B", "room 4 in Oakwood House", "flat 2, 9 Elm Row".
_PLACE_JOIN = re.compile(r"\s*(?:,\s*)?(?:on|in|at)?\s*|\s*,\s*", re.IGNORECASE)


# Between the two streets of a crossing: "at Hadley Road and Fifth Avenue" is one place.
_CROSSING = re.compile(r"\s+(?:and|&)\s+", re.IGNORECASE)


def _streets(text: str, a: Span, b: Span) -> bool:
    return all(text[s.start : s.end].rsplit(None, 1)[-1].lower() in STREET_SUFFIXES for s in (a, b))


def _joined_places(text: str, spans: list[Span]) -> list[Span]:
    """Places said one inside the other become one "[ADDRESS]": the bed is on the ward, the ward
    in the home, and a reader should not have to put them together to see that they are one."""
    out: list[Span] = []
    for s in spans:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.label == s.label == "ADDRESS"
            and s.start - prev.end <= 6
            and (
                _PLACE_JOIN.fullmatch(text, prev.end, s.start) is not None
                or (_CROSSING.fullmatch(text, prev.end, s.start) is not None and _streets(text, prev, s))
            )
        ):
            out[-1] = Span(prev.start, s.end, "ADDRESS")
        else:
            out.append(s)
    return out


# A courtesy title said before a name: hidden with it ("[NAME]", not "Mrs. [NAME]"), as the name
# is redacted whole whichever finder found it. "Dr." is not here: a doctor is staff, kept.
_TITLE_BEFORE = re.compile(
    r"\b(?:mr|mrs|ms|mx|miss|mister|missus|master|sir|dame|lady|lord)\.?\s+$", re.IGNORECASE
)


def _with_titles(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    out = []
    for start, end, label in spans:
        if label == "NAME" and start:
            m = _TITLE_BEFORE.search(text, max(0, start - 9), start)
            if m is not None:
                start = m.start()
        out.append((start, end, label))
    return out


def _without_regions(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    """Less the places that are a whole country or state ("my son lives in Canada"): Safe Harbor
    keeps those (regions.py); less the names and places that are only medicines (medicines.py) or
    lie inside an organisation's name (organisations.py); less the "names" that name no one: a
    greeting opening the call, a people or a language, a kin word glossed, a rank (not_names.py)."""
    if not any(s[2] in ("ADDRESS", "NAME") for s in spans):
        return spans  # every check below is of a name or a place
    cars = _CAR_WORDS.search(text) is not None  # once a text: most speak of no car
    # once a text, and only where a name was found: "Bonjour, my name is …"
    greeted = opening_greeting_end(text) if any(s[2] == "NAME" for s in spans) else 0
    kept = [
        s
        for s in dict.fromkeys(spans)  # each span judged once: a third are found by two finders or more
        if s[2] not in ("ADDRESS", "NAME")
        or not (
            _no_one(text[s[0] : s[1]])
            or (s[2] == "ADDRESS" and is_named_region(text[s[0] : s[1]]))  # "born in Georgia"
            or _region_said_on(text, s[0], s[1])
            or (cars and _car_by_colour(text, s[0], s[1]))
            or (s[2] == "NAME" and (s[1] <= greeted or _names_no_one(text, s[0], s[1])))
        )
    ]
    if len(kept) < len(spans):
        judged = set(kept)  # the verdicts, back on every span found, repeats and order kept
        kept = [s for s in spans if s in judged]
    # "Staff Sgt. Karl Grech": the rank said before a name is no part of it
    kept = [(rank_before(text, a, b), b, label) if label == "NAME" else (a, b, label) for a, b, label in kept]
    kept = _without_split_regions(text, kept)
    if not any(sp[2] in ("ADDRESS", "NAME") for sp in kept):
        return kept
    # an organisation's name ("from Tern Hill Transport", "Rose Pharmacy") names no one
    return without_organisations(text, kept)


_SPACES = re.compile(r"\s*")


def _without_split_regions(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    """Less two names or places found apart that together are one state or province ("Nova" and
    "Scotia", "New" and "Brunswick" found by different finders)."""
    places = [s for s in spans if s[2] in ("ADDRESS", "NAME")]
    starting_at: dict[int, list[CharSpan]] = {}
    for s in places:
        starting_at.setdefault(s[0], []).append(s)
    joined = []
    for a in places:
        # the next place may start only after the spaces that follow this one (one look-up, not a
        # scan of every pair: a long transcript names thousands of people)
        after = _SPACES.match(text, a[1]).end()  # type: ignore[union-attr]  # \s* always matches
        if after > a[1]:
            joined += [(a[0], b[1]) for b in starting_at.get(after, ()) if _no_one(text[a[0] : b[1]])]
    if not joined:
        return spans
    # every name or place inside the state's name goes: "Nova" found twice, once by each layer
    return [s for s in spans if s[2] not in ("ADDRESS", "NAME") or not _within(s, joined)]


def _names_no_one(text: str, start: int, end: int) -> bool:
    """Is this "name" a people or a language, a foreign kin word glossed, a rank alone or part of a
    Latin phrase (not_names.py)?"""
    return (
        is_people_or_language(text, start, end)
        or is_glossed_kin_word(text, start, end, _KIN_WORDS)
        or is_rank(text, start, end)
        or in_latin_phrase(text, start, end)
        or text[start:end].lower() in _ENDEARMENTS  # "we call him Dodong": a term of endearment
    )


def _pets_name(text: str, start: int) -> bool:
    """ "my cat is called Bishop", "the kitten, Smokey,": a pet's name, which is no one's (names.PETS)."""
    # only the 40 characters before are lowered: lowering the whole text for each span made a long
    # transcript's redaction quadratic
    return names_a_pet(_WORDS_BEFORE.findall(text[max(0, start - 40) : start].lower()))


# Up to two words either side of a place, that may complete a region's name: "the faroe | islands",
# "isle of | Man".
_WORDS_AFTER = re.compile(r"[ \t]+([A-Za-z]+)(?:[ \t]+([A-Za-z]+))?")
_TWO_WORDS_BEFORE = re.compile(r"(?:([A-Za-z]+)[ \t]+)?([A-Za-z]+)[ \t]+$")


# The words of the regions' names, cut as is_large_region cuts what it is asked (at spaces and dots).
_REGION_SPACES = re.compile(r"[\s.]+")
_REGION_WORDS = frozenset(w for region in LARGE_REGIONS for w in region.split(" "))


def _region_said_on(text: str, start: int, end: int) -> bool:
    """Is this place part of a country's or a territory's name said whole ("from the faroe |
    islands", "on the Isle of | Man"), a learned layer or a finder having cut it short?"""
    if end - start > 24:
        return False
    # every word of the place, read as is_large_region reads it, is a word of some region's name
    # (most names and places are not): the one cheap test before the look-arounds
    if not _REGION_WORDS.issuperset(_REGION_SPACES.sub(" ", text[start:end].lower()).split()):
        return False
    after = _WORDS_AFTER.match(text, end)
    before = _TWO_WORDS_BEFORE.search(text, max(0, start - 30), start)
    if (before is None or before.group(2).lower() not in _REGION_WORDS) and (
        after is None or after.group(1).lower() not in _REGION_WORDS
    ):
        return False  # neither word beside it is any region's: no whole name can be said
    lefts = [""] + ([] if before is None else [f"{before.group(2)} "])
    if before is not None and before.group(1):
        lefts.append(f"{before.group(1)} {before.group(2)} ")
    rights = [""] + ([] if after is None else [f" {after.group(1)}"])
    if after is not None and after.group(2):
        rights.append(f" {after.group(1)} {after.group(2)}")
    said = text[start:end]
    return any(is_large_region(f"{a}{said}{b}") for a in lefts for b in rights if a or b)


def _no_one(said: str) -> bool:
    """Is this name or place a whole country or state ("Tucson, Arizona": the state may stay) or a
    medicine's name ("switched from Coumadin", "prescribe Singulair"), which names no one?"""
    if len(said) > 24:
        return False  # longer than any region's or medicine's name: skip the look-ups
    low = said.lower()
    if is_large_region(said) or is_medicine(low) or ends_in_supplement(low):
        return True
    # "metoprolol 25 (mg)": a medicine and its dose, a learned layer having read a house number
    head, _, dose = low.partition(" ")
    return bool(dose) and is_medicine(head) and all(w in NUMBER_VOCAB or w.isdigit() for w in dose.split())


def _within(span: CharSpan, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in ranges)


def _hyphened_everyday(said: str) -> bool:
    """Does the span open with a word written with a hyphen that is an everyday word without it
    ("X-ray", "E-mail"), and go on, if at all, only in everyday words ("X-ray disc")?"""
    first, *rest = said.split()
    return (
        "-" in first
        and is_dictionary_word(first.lower().replace("-", ""))
        and all(is_dictionary_word(w.lower()) for w in rest)
    )


def _kept_learned_spans(text: str, found: list[tuple[int, int, str]]) -> list[CharSpan]:
    """The model's names and places, less the site's own words and staff ("Dr. Patel", "Elm Street")."""
    kept = []
    for start, end, label in found:
        words = WORD_TOKEN.findall(text[start:end])
        lows = [w.lower() for w in words]
        if not words or all(w in NOT_NAME_CAPS or w in NAME_STOP for w in lows):
            continue
        if len(words) == 1 and len(words[0]) == 1:
            continue  # a lone letter names no one ("D.O.B.": the rules read spelled names whole)
        if _hyphened_everyday(text[start:end]):
            continue  # "his X-ray disc", "an E-mail": a word written with a hyphen, no name
        if all(len(w) == 1 for w in words) and _SPELLED_DOB.match(text, start) is not None:
            continue  # "d o b eleven oh two": date of birth, spelled as said, a cue and no name
        if all(len(w) == 1 for w in words) and _spelled_abbreviation_around(text, start, end):
            continue  # "the m r n is …": part of an abbreviation said as letters, no name
        if len(words) > 1 and len(words[-1]) == 1:
            last = text.rfind(words[-1], start, end)
            if _SPELLED_DOB.match(text, last) is not None:
                end = len(text[start:last].rstrip()) + start  # "leontyne faraday | d o b …"
        if any(w in CONTEXT_WORDS for w in lows):  # "zip code": a cue word is never part of a name
            continue
        if label == "NAME" and len(words) > 1 and lows[0] in PERSON_ROLES:
            # "interpreter vesna ilić": the role before the name is no part of it
            start = text.index(words[1], start + len(words[0]))
            words, lows = words[1:], lows[1:]
        before = text[max(0, start - 12) : start].lower().replace(".", " ").split()
        if label == "NAME" and before and before[-1] in STAFF_TITLES and not titled_relative(text, start):
            continue  # "Dr. Patel" is staff; "my father, Dr. Farhad Rahimi" is family
        if label == "NAME" and _pets_name(text, start):
            continue  # "my service dog, Biscuit", "our cat is called Mango"
        if before and before[-1].rstrip(",") in SPEAKS:
            continue  # "she only speaks Hmong", "doesn't speak much English": a language, no one or place
        if _language(lows, before):
            continue  # "doesn't speak much English", "that's the Gaelic": a language, no place or one
        if _school_year(text[start:end].lower().split()) or _dose(lows):
            continue  # "she's in 3rd grade"; "Warfarin 3 mg, take one daily": no place, no one
        if given_with_a_dose(
            lows, _WORDS_AHEAD.findall(text[end : end + 30].lower())[:4], is_dictionary_word(lows[0])
        ):
            continue  # "ceftriaxone one gram", "lorazepam half | a milligram": a medicine given, no one
        if label == "NAME" and _after_staff_first_name(text, start, before):
            continue  # "Dr. Sofia Alvarez": the surname after a provider's first name
        if label == "NAME" and before and before[-1] in _POSSESSIVES and all(map(is_dictionary_word, lows)):
            continue  # "my rose garden", "our holly bush": a thing of mine, not a person
        if label == "NAME" and _lower_in_cased(text, start, end, lows):
            continue  # "The hospice election form has …": a transcript that capitalises names has none here
        if label == "NAME" and _described(text, start, end, before):
            continue  # "the path is sandy": an everyday word said of something, not a name
        if label == "NAME" and len(lows) == 1 and _verb_of_a_short_reply(text, start, end, lows[0]):
            continue  # "Hope so.", "hope not": a verb that answers, the subject left out, no one
        if label == "NAME" and is_placeholder_name(lows):
            continue  # "baby girl for now": what every unnamed newborn is called, no one's name
        if label == "NAME" and all(w in _KIN_WORDS for w in lows):
            continue  # "great-grandma": who someone is to the caller, not their name
        if lows[-1] in _HOSPITAL_PARTS:
            continue  # "the west wing entrance", "the rose garden entrance": where in a hospital, no one
        if lows[-1] in _REHAB_WORDS and _kind_of_rehab(text[start:end], lows):
            continue  # "goes to pulmonary rehab", "after cardiac rehab": a kind of care, no place or one
        if label == "ADDRESS" and len(lows) == 2 and lows[1] == "care" and lows[0] in _KINDS_OF_CARE:
            continue  # "she's in foster care", "he went into respite care": a kind of care, no place
        if label == "ADDRESS" and (_unnamed_place(text, start, words, lows) or lows[-1] in _ROLES):
            continue  # "the hospice said …", "the home care coordinator": no place's name, or a job
        if label == "ADDRESS" and _lower_in_capitalised_text(text, start, end, lows):
            continue  # "that's van der in small letters": Whisper writes a place's name capitalised
        kept.append((start, end, label))
    return kept


# A reply of a verb and "so" or "not", its subject left out: "Hope so.", "guess not".
_SO_OR_NOT = re.compile(r"[ \t]+(?:so|not)\b(?![ \t]*[-'’])", re.IGNORECASE)
_REPLY_OPENING = re.compile(r"(?:^|[.?!,]|\b(?:um|uh|well|oh|yeah|yes|okay|ok|i|we))\s*$", re.IGNORECASE)


def _verb_of_a_short_reply(text: str, start: int, end: int, low: str) -> bool:
    """Is the one-word name at start..end a verb that opens a reply with "so" or "not" after it
    ("Hope so. I'll call back", "hope not i need it"), which names no one ("Hope is coming" may)?"""
    if _SO_OR_NOT.match(text, end) is None or not can_be_verb(low):
        return False
    return _REPLY_OPENING.search(text, max(0, start - 8), start) is not None


_REHAB_WORDS = frozenset(("rehab", "rehabilitation"))


def _kind_of_rehab(said: str, lows: list[str]) -> bool:
    """Rehab said in lower case after everyday words only ("pulmonary rehab", "inpatient rehab"):
    care someone has; a rehab's own name holds a capital or a word no dictionary holds."""
    return said == said.lower() and all(is_dictionary_word(w) for w in lows[:-1])


# The words said after a span ("… a milligram"), numbers with their points: "0.5 mg".
_WORDS_AHEAD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_POSSESSIVES = frozenset(("my", "our", "his", "her", "their", "your"))
# A place said by its kind alone ("the hospice", "a care home", "the shelter") names none.
_DETERMINERS = frozenset(("the", "a", "an", "this", "that", *_POSSESSIVES))
# Rooms a parish or a town lends out, said by their kind ("the church hall", "the school gym").
_COMMUNITY_ROOMS = frozenset((
    "church", "hall", "parish", "chapel", "gym", "gymnasium", "auditorium", "library", "cafeteria",
    "canteen", "basement", "school", "community", "center", "centre", "fellowship", "social",
))  # fmt: skip
_KINDS_OF_PLACE = frozenset(PLACE_KINDS | SCHOOL_KINDS | _DETERMINERS | _COMMUNITY_ROOMS)
# A job said with a place's word ("the home care coordinator", "the hospice nurse"): a person.
_ROLES = frozenset((
    *PERSON_ROLES, "coordinator", "nurse", "nurses", "director", "worker", "aide", "officer",
    "planner", "driver", "chaplain", "administrator", "receptionist", "staff", "team", "desk",
))  # fmt: skip


def _unnamed_place(text: str, start: int, words: list[str], lows: list[str]) -> bool:
    """Words of a place's kind only, in lower case but for a sentence's first ("The hospice
    called"; "from Motel 9" is a motel's name)."""
    opens = text[:start].rstrip()[-1:] in ("", ".", "?", "!")
    capitals = [w for i, w in enumerate(words) if w[:1].isupper() and not (i == 0 and opens)]
    return not capitals and all(w in _KINDS_OF_PLACE for w in lows)


# A place's name as Whisper writes it holds a capital or a digit: in a text written with capitals,
# a learned place of lower-case everyday words only ("in small letters", "one passenger stayed")
# is speech.
def _lower_in_capitalised_text(text: str, start: int, end: int, lows: list[str]) -> bool:
    said = text[start:end]
    if said != said.lower() or any(c.isdigit() for c in said) or _CAPITALS.search(text) is None:
        return False
    plain = [w for w in lows if w not in NUMBER_VOCAB]
    return bool(plain) and all(is_dictionary_word(w) and w not in ROOM_WORDS for w in plain)


# A text written with capitals: a sentence's first word or "I" capitalised, as Whisper writes.
_CAPITALS = re.compile(r"(?:^|[.?!]\s+)[A-Z][a-z]|\bI\b")


# Words and marks before a name, lower-cased as names_a_pet reads them.
_WORDS_BEFORE = re.compile(r"[a-z]+(?:['’][a-z]+)?|,", re.IGNORECASE)


# Languages a caller names ("she speaks much English", "the Welsh for it"): a learned span that is
# one, with a word of how much or which before it, or after "speak", is no place and no one. A
# surname of the same spelling ("Ann English") has no such word before it.
_LANGUAGES = PEOPLES | {"sign"}  # not_names.py keeps the list of peoples and languages
_LANGUAGE_OPENERS = frozenset((
    "the", "much", "some", "any", "no", "little", "more", "less", "good", "broken", "basic",
    "fluent", "only", "just", "enough", "a", "bit", "of",
))  # fmt: skip


def _language(lows: list[str], before: list[str]) -> bool:
    if lows[-1] not in _LANGUAGES:
        return False
    spoken = bool(before) and before[-1].rstrip(",") in ("speak", "speaks", "spoke", "speaking")
    return (len(lows) == 1 and spoken) or (len(lows) > 1 and all(w in _LANGUAGE_OPENERS for w in lows[:-1]))


# A school year: "in 3rd grade", "she's in the fifth form", "a second grader".
_SCHOOL_YEARS = frozenset(("grade", "grader", "graders", "form", "standard", "class", "year"))


def _school_year(lows: list[str]) -> bool:
    if len(lows) < 2 or lows[-1] not in _SCHOOL_YEARS:
        return False
    return all(w == "the" or w in ORDINAL_WORDS or _NUMERAL_ORDINAL.fullmatch(w) for w in lows[:-1])


_NUMERAL_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
# A dose said off a label: "take one daily", "two tablets", "half a pill".
_DOSE_WORDS = frozenset((
    "take", "takes", "taking", "took", "give", "use", "apply", "a", "an", "half", "tablet", "tablets",
    "pill", "pills", "capsule", "capsules", "puff", "puffs", "drop", "drops", "dose", "doses",
    "daily", "twice", "once", "nightly", "times",
))  # fmt: skip


def _dose(lows: list[str]) -> bool:
    return any(w in _DOSE_WORDS for w in lows) and all(w in _DOSE_WORDS or w in NUMBER_VOCAB for w in lows)


# Colours a car is said by, and the words that say a car is meant: "the gray Camry in the garage".
_COLOURS = frozenset((
    "gray", "grey", "silver", "red", "blue", "black", "white", "green", "beige", "maroon", "gold",
    "brown", "tan", "orange", "yellow", "purple", "navy", "burgundy",
))  # fmt: skip
_CAR_WORDS = re.compile(
    r"\b(?:car|cars|truck|van|suv|plate|plates|parked|parking|garage|driveway|ticket|towed|"
    r"registration|vehicle|minivan|pickup|sedan|hatchback|drive|drives|drove|driving)\b",
    re.IGNORECASE,
)


def _car_by_colour(text: str, start: int, end: int) -> bool:
    """Is the name or place at start..end a car said by its colour and make or model ("the gray
    Camry", "my red civic")? Asked of a text that speaks of cars. A town of a colour's name
    ("Green Bay", "lives in Red Deer") has no "the" or "my" before the colour."""
    said = [w.strip(",.;:!?\"'()").lower() for w in text[start:end].split()]
    # the two words before the make, however many words the make and model take ("a white | Ford Transit")
    raw = [w.strip(",.;:!?\"'()") for w in text[max(0, start - 24) : start].split()]
    while len(said) > 1 and (said[0] in _COLOURS or said[0] in _CAR_OWNERS):
        raw.append(said.pop(0))  # a learned layer took the colour in: "the gray Camry"
    if len(raw) >= 3 and raw[-1][:1].isupper() and raw[-2].lower() in _COLOURS:
        raw = raw[:-1]  # the model found apart from its make: "a white Ford | Transit"
    words = [w.lower() for w in raw]
    return (
        1 <= len(said) <= 3
        and len(words) >= 2
        and words[-1] in _COLOURS
        and words[-2] in _CAR_OWNERS
        and said[-1] not in PLACE_WORDS
        and said[-1] not in VENUES
    )


_CAR_OWNERS = frozenset(("the", "my", "his", "her", "their", "our", "a", "dad's", "mum's", "mom's"))
# Single letters said apart, as a run: "m r n", "i c u".
_LETTER_RUN = re.compile(r"(?<![A-Za-z])[A-Za-z](?:[\s.]+[A-Za-z](?![A-Za-z]))+")


def _spelled_abbreviation_around(text: str, start: int, end: int) -> bool:
    """Do the single letters start..end lie in a run of letters that spells an abbreviation?"""
    for m in _LETTER_RUN.finditer(text, max(0, start - 12), min(len(text), end + 12)):
        if m.start() <= start and end <= m.end():
            return "".join(c for c in m.group().lower() if c.isalpha()) in SPELLED_ABBREVIATIONS
    return False


_KINDS_OF_CARE = frozenset((
    "foster", "respite", "day", "home", "intensive", "palliative", "hospice", "residential", "kinship",
    "memory", "urgent", "primary", "social", "aged", "nursing", "critical", "community", "end-of-life",
))  # fmt: skip
_SPELLED_DOB = re.compile(r"d\W{0,2}o\W{0,2}b\b", re.IGNORECASE)


def _after_staff_first_name(text: str, start: int, before: list[str]) -> bool:
    """Does a title and one capitalised word stand right before `start` ("Dr. Sofia |Alvarez")?"""
    if len(before) < 2 or before[-2] not in STAFF_TITLES:
        return False
    words = text[max(0, start - 40) : start].split()
    return bool(words) and words[-1][:1].isupper()


_CAPITALISED_WORD = re.compile(r"[A-Z][a-z]")


def _lower_in_cased(text: str, start: int, end: int, lows: list[str]) -> bool:
    """Are these everyday words in lower case inside a transcript that capitalises (Whisper's
    style: "The hospice election form …")? Such a recognizer writes a name with its capital; in a
    lower-case transcript every name is lower case and this says nothing."""
    said = text[start:end]
    if said != said.lower() or not all(map(is_dictionary_word, lows)):
        return False
    return _CAPITALISED_WORD.search(text) is not None


def _described(text: str, start: int, end: int, before: list[str]) -> bool:
    """Is this one lower-case everyday word said of something after "is" ("the path is sandy",
    "it was lovely")? Not after "this is" or "name is", which say who is speaking."""
    word = text[start:end]
    if not word.isalpha() or not word.islower() or not is_dictionary_word(word):
        return False
    if len(before) < 2 or before[-1] not in _COPULAS:
        return False
    # the word before "is" read whole, however long ("caseworker")
    who = text[max(0, start - 30) : start].lower().split()[-2]
    # "his caseworker is joy": who someone is to the caller outside the family says a name follows
    return who not in _KIN_WORDS and who not in _WHO_WORDS and who not in PERSON_ROLES


# Words before "is" that say a person is named next: "this is rose", "the patient is ivy".
_WHO_WORDS = frozenset((
    "this", "that", "here", "it", "who", "name", "names", "surname", "patient", "resident", "carer",
    "caller", "neighbour", "neighbor", "guardian", "one",
))  # fmt: skip
_COPULAS = frozenset(("is", "was", "are", "were", "looks", "looked", "seems", "feels", "felt"))
# Terms of endearment a family says for a girl, a boy, the youngest or an elder as a kin word is said
# (Filipino "inday", "dodong", "bunso", "manang"; Ainu "ekashi", "huchi"): who someone is to the
# family, as the labelled sets read them, unlike a nickname of the person's own ("we call her Gigi").
# Not those that are given names too ("Lola", "Tito").
_ENDEARMENTS = frozenset((
    "inday", "dodong", "nene", "totoy", "bunso", "ading", "manang", "manong", "ekashi", "huchi",
))  # fmt: skip
_KIN_WORDS = (
    RELATIVES
    | _ENDEARMENTS
    | {"great", "grand", "step", "nan", "nana", "gran", "granny", "grandad", "mum", "dad"}
)
# Last words of a place inside a hospital or on the way to it, which no one lives at.
_HOSPITAL_PARTS = frozenset((
    "entrance", "entrances", "unit", "department", "reception", "lobby", "desk", "stop", "stops",
    "corridor", "lift", "lifts", "elevator", "elevators", "exit",
))  # fmt: skip


def _rule_spans(
    text: str, known_names: Iterable[str] | KnownNames, tagged: bool = False, reading: _Reading | None = None
) -> list[CharSpan]:
    low = text.lower()
    words = set(GATE_WORD.findall(low))
    spans = find_known_names(text, low, known_names, words)
    if tagged:
        spans += _tagged_spans(text)
    has_digit = _DIGIT.search(text) is not None
    numberish = has_digit or not words.isdisjoint(NUMBER_VOCAB)
    months = not words.isdisjoint(MONTHS)
    # a spoken email ends in a top-level domain: "... at example dot com"
    email = "@" in text or (
        "at" in words and ("dot" in words or "." in text) and not words.isdisjoint(EMAIL_TLDS)
    )
    upper = text != low  # most ASR text has no capitals at all: skip the searches for them
    ascii_only = text.isascii()
    # Capitals matter only in a word that could be a name: "I", "How" or "Riverside" cannot.
    caps = upper and (
        not ascii_only or (_CAPITAL_AFTER_WORD.search(text) is not None and _uncommon_capital(text))
    )
    letters = not words.isdisjoint(_SINGLE_LETTERS) or (upper and _SHORT_CAPS.search(text) is not None)
    # A code holds an upper-case letter and two digits ("²" is a digit but no \\d); a spelling holds
    # three one-letter words (the "m" of "I'm" is none).
    codes = letters and upper and (numberish or not ascii_only)
    # ("Ng, N G": two letters spell a short surname said before them)
    spelled = letters and (not ascii_only or len(_SINGLE_LETTER_TOKEN.findall(text)) >= 2)
    strong = not words.isdisjoint(_STRONG_GATE)
    as_in = " as in " in low  # "J as in juliet": a letter spelled with a word
    # "uh this is ada quill um …", "yes it's ada quill": a self-introduction opening the turn
    filler_intro = TURN_INTRO.match(low) is not None
    plates = plate_gate(words)
    # a code after its cue, letters said as words: "member id is why jay kay four four seven"
    chains = numberish and not words.isdisjoint(CHAIN_CUES)
    # a portal user name after its cue: "my username is apickett_1977", "user name j dot moss"
    user_names = not words.isdisjoint(USER_NAME_CUES) or ("user" in words and "name" in words)
    # a word no dictionary holds, in a lower-case turn: maybe a name or a place ("ottoline brask")
    unlisted = _has_unlisted_word(words)
    # "lives in shale bluff": a town of everyday words; "my son in leeds": a town known by name. A
    # word outside ASCII is cut apart by GATE_WORD ("kraków"), so such a text always opens the gate;
    # a town's ending opens the look-up too, for towns named with dictionary words ("sioux falls").
    # "we live in salt marsh on tanner road": where someone lives, named by what is said after it
    towns = (
        not ascii_only
        or not words.isdisjoint(town_gate())
        or ("in" in words and not words.isdisjoint(LIVING))
        # "… 22 mill road in liberty", "… apartment four in climax": the town after an address
        or ("in" in words and numberish and not words.isdisjoint(ADDRESS_ENDS))
        # "we drove up from buffalo": a town of everyday words after a journey's direction
        or ("from" in words and not words.isdisjoint(TRAVEL_VERBS) and not words.isdisjoint(TRAVEL_PARTICLES))
    )
    weak = not upper and (not words.isdisjoint(FRAME_GATE) or (unlisted and not words.isdisjoint(WEAK_GATE)))
    # "lives at the orchards", "she's at the hawthorns"
    houses = "the" in words and not words.isdisjoint(HOUSE_GATE)
    # "discharged on new year's day", "the day after boxing day"
    holidays = not words.isdisjoint(HOLIDAY_GATE) and not words.isdisjoint(HOLIDAY_CUES)
    # "a leap day baby", "date of birth ... yes, leap day"
    leap_birthday = "leap" in words and not words.isdisjoint(LEAP_BIRTH_WORDS)
    if not (
        numberish
        or months
        or email
        or caps
        or codes
        or spelled
        or strong
        or plates
        or as_in
        or user_names
        or "/" in text
        or "www" in words
        or "slash" in words
        or not words.isdisjoint(ROOM_LETTER_WORDS)
        or not words.isdisjoint(PLACE_WORDS)
        or not words.isdisjoint(VENUES)
        or not words.isdisjoint(NAME_CLOSERS)
        or filler_intro
        or unlisted
        or towns
        or weak
        or houses
        or holidays
        or leap_birthday
        or "corner" in words
        or not words.isdisjoint(SHIP_PREFIXES)
        or "area" in words
        or (towns and not words.isdisjoint(OFFICE_WORDS))
    ):
        return spans  # the common case: nothing here could be an identifier
    if reading is None:
        reading = _Reading(text)
    toks, _, index = reading.tokens()
    runs = reading.numbers()[1] if numberish else []
    found: list[TokenSpan] = []
    if runs:
        found += find_numbers(toks, runs)
        found += find_ages(toks, runs)
        found += find_day_ordinals(toks, runs)
        # "on Route 9", "I-40 westbound", "on i eighty eastbound"
        interstate = "I-" in text or ("i" in words and not words.isdisjoint(HEADINGS))
        if not words.isdisjoint(ROUTE_WORDS) or not words.isdisjoint(ROAD_NUMBERERS) or interstate:
            found += find_routes(toks, runs)
        if not words.isdisjoint(HOLIDAY_GATE):  # "Boxing Day 2022"
            found += find_holiday_dates(toks, runs)
        if not words.isdisjoint(CALENDAR_GATE):  # "10 Tishrei 5734", "the fifth day of the fifth month"
            found += find_calendar_dates(toks, runs)
        # "P.O. box 12", "12 Elm Street", "204 flintlock ridge"
        if "box" in words or not words.isdisjoint(HOUSE_NUMBER_ENDS):
            found += find_addresses(toks, runs, index)
            found += find_house_numbers(toks, runs)
        # "Brīvības iela 57-12", "tartu maantee eighteen dash four", "komitas avenue twelve"
        if not words.isdisjoint(STREET_WORDS_AFTER_NAME) or not words.isdisjoint(STREET_SUFFIXES):
            found += find_streets_named_first(toks, runs)
        if "lot" in words:  # "lot two j forty five bis"
            found += find_lots(toks, runs)
        if "address" in words:  # "her address is two tan y bwlch"
            found += find_said_addresses(toks, runs)
        # "17 Rue Lepic", "Kirchgasse 17" ("Schillerstraße 40": the gate's words are cut at "ß")
        if not words.isdisjoint(ABROAD_HEADS) or not ascii_only or ABROAD_ENDING.search(low) is not None:
            found += find_abroad_streets(toks, runs)
    if not words.isdisjoint(ABROAD_HEADS) and not words.isdisjoint(
        ROMANCE_NUMBERS
    ):  # "calle del sol catorce"
        found += find_streets_said_head_first(toks, runs, index)
    if months:
        found += find_dates(toks, runs, index)
    if holidays:
        found += find_holiday_days(toks, index)
    if leap_birthday:
        found += find_leap_days(toks, index)
    if found and not words.isdisjoint(HOLIDAY_GATE):  # "on 12/24. Christmas Eve"
        found += find_holidays_after_dates(toks, found)
    if runs and found:  # "from June 3rd to the 9th", "the 12th no wait the 13th"
        found += find_days_after_dates(toks, runs, found)
    if "corner" in words:
        found += find_corners(toks, index)
    if not words.isdisjoint(SHIP_PREFIXES) or ("s" in words and ("u" in words or "h" in words)):  # "u s s …"
        found += find_ships(toks, index)
    if email:
        found += find_emails(toks, index)
    if plates:
        found += find_plates(toks, index)
    if codes:
        found += find_codes(toks, index)
    if letters and numberish and not upper:  # "… seacombe view c h four four eight a b"
        found += find_spoken_postcodes(toks, index)
    if spelled:
        letters_spelled = find_spelled(toks, index)
        found += letters_spelled
        found += find_surnames_after_spelling(toks, letters_spelled)  # "i n g r i d halvorsen"
        found += find_words_spelled_out(toks, letters_spelled)  # "petrosyan p e t r o s y a n"
    if chains:
        found += find_code_chains(toks, index)
    if numberish and "dash" in words:  # "it's q dash four four seven dash b": a code with no cue
        found += find_dashed_codes(toks, index)
    if user_names:  # "my username is apatel underscore eighty eight"
        found += find_user_names(toks, index)
    if spelled and numberish:  # "let me read it again: one e g four t e five m k seven three"
        found += find_codes_read_out(toks, index)
    if as_in:
        found += find_as_in(toks, runs, index)
    if not words.isdisjoint(ROOM_LETTER_WORDS):
        found += find_room_letters(toks, index)
    # "apartment six c i mean six d", "she lives across the hall in 4b"
    if runs and (
        (len(runs) > 1 and not words.isdisjoint(ROOM_CORRECTION_GATE) and not words.isdisjoint(ROOM_WORDS))
        or (letters and "in" in words and not words.isdisjoint(FLAT_CUES))
    ):
        found += find_room_corrections(toks, runs)
    if unlisted or towns:
        found += find_lower_places(toks, index, towns)
    if not words.isdisjoint(PLACE_WORDS):
        found += find_care_places(toks, index)
    if not words.isdisjoint(VENUES):  # "took her from the red lion pub on high street"
        found += find_venues(toks, index)
    if houses:
        found += find_plural_houses(toks, index)
    if found and not words.isdisjoint(ROOM_CORRECTION_GATE):  # "at coyote ridge no sorry at the …"
        found += find_corrected_places(toks, found)
    if "area" in words or (towns and not words.isdisjoint(OFFICE_WORDS)):  # "from the leeds area"
        found += find_areas(toks, index)
    if "slash" in words:
        found += find_spoken_urls(toks, index)
    # a lower-case name is known only by the words around it: "it's ada quill calling"
    closers = not words.isdisjoint(NAME_CLOSERS)
    names = find_context_names(toks, index) if strong or caps or closers or filler_intro or weak else []
    if caps:
        names += find_capitalised_phrases(toks, index)
    if unlisted or (caps and not ascii_only):
        names += find_unlisted_names(toks, index)
    # "his mom is tiffany rich": a full name of dictionary words, known from the Census's lists
    if not words.isdisjoint(GAZETTEER_GATE):
        given = words.intersection(gazetteer_given_words())
        if given:
            names += find_gazetteer_names(toks, index, given)
    if names and ("and" in words or "," in text):
        names += find_listed_names(toks, names)  # "obinna chiamaka and somto"
    if names:
        names += find_names_said_again(toks, names)  # "my nan winifred winifred sallow"
    found += drop_staff(toks, names)
    spans += [(toks[a].match.start(), toks[b].match.end(), label) for a, b, label in found if a <= b]
    if "@" in text:
        spans += find_written_emails(text)
    if has_digit:
        spans += find_written(text)
        if "::" in text or text.count(":") >= 5:  # "2001:db8::17"
            spans += find_ipv6(text)
        if upper:
            spans += find_postcodes(text)
    if "/" in text or "www" in words:
        spans += find_urls(text)
    spans = [s for s in spans if s[2] != "NAME" or not _pets_name(text, s[0])]  # before they are sought again
    if plates:
        spans = _within_plates(spans)
    return spans + repeated_names(text, spans)


def _within_plates(spans: list[CharSpan]) -> list[CharSpan]:
    """Less the names and places that lie inside a plate or a VIN ("the van is new mexico | eight
    eight one b x r": the tagger reads its characters as a place); the plate is what they are, and
    outranks them only when they are gone."""
    plates = [(a, b) for a, b, label in spans if label == "PLATE"]
    if not plates:
        return spans
    return [s for s in spans if s[2] not in ("NAME", "ADDRESS") or not _within(s, plates)]


def _tagged_spans(text: str) -> list[CharSpan]:
    """The tagger's names and places (tagger.py), less the site's own words and staff; none when
    its weights could not load (the rules then redact alone)."""
    model = shared_tagger()
    if model is None:
        return []
    return _kept_learned_spans(text, model.spans(text))


def _has_unlisted_word(words: set[str]) -> bool:
    # most words are dictionary words as they stand: one set difference leaves the few to stem
    return any(len(w) > 2 and not is_dictionary_word(w) for w in words.difference(dictionary_words()))


def _uncommon_capital(text: str) -> bool:
    """Does a capitalised word that is not an everyday or site word ("Novak", not "Hello") occur?"""
    if not text.isascii():
        return True  # a capital outside ASCII ("É") is a token of its own: let the finders judge
    common = COMMON_CAPITALISED
    return any(word.lower() not in common for word in _CAPITALISED_TOKEN.findall(text))


# A one-letter word token, as TOKEN_RE cuts it ("R A H M A N"; not the "I" of "I'm").
_SINGLE_LETTER_TOKEN = re.compile(r"[A-Za-z](?<![A-Za-z].)(?<![A-Za-z]['’].)(?![A-Za-z]|['’][A-Za-z])")
# A whole capitalised word token, as TOKEN_RE cuts it ("O'Brien", "Novak"; not "Brien" in "O'Brien").
_CAPITALISED_TOKEN = re.compile(r"[A-Z](?<![A-Za-z].)(?<![A-Za-z]['’].)[A-Za-z]*(?:['’][A-Za-z]+)*")
_DIGIT = re.compile(r"\d")
_SINGLE_LETTERS = frozenset("bcdefghjklmnopqrstuvwxyz")
_SHORT_CAPS = re.compile(r"[A-Z](?<!\w.)[A-Z]{1,3}\b")  # \b[A-Z]{2,4}\b
# ("by", "short": a nickname, "he goes by ted", "thandi for short")
_STRONG_GATE = frozenset((
    "name", "names", "named", "called", "surname", "spelled", "spell", "spelling", "by", "short",
))  # fmt: skip
# Each opens with a character class so that the engine scans for it in C; lookbehinds stand in for
# the leading \\w or \\b of the plain forms noted beside them.
# A capital after a word ("calling Novak"), after a title's dot or a colon ("Mr. Tsao", "Name: X"),
# or a sentence that opens with two capitalised words.
_CAPITAL_AFTER_WORD = re.compile(
    r"[\s,](?<=\w[\s,])[\s,]*[A-Z]|^[A-Z][a-z]+\s+[A-Z]|[.:](?<=\w[.:])\s+[A-Z]"
)  # \w[\s,]+[A-Z]|…


def redact(
    text: str,
    known_names: Iterable[str] | KnownNames = (),
    learned: LearnedLayer | None = None,
    tagged: bool | None = None,
    site: SiteFacts | None = None,
) -> Redaction:
    """The text with every identifier replaced by "[LABEL]", and the spans (offsets into `text`).

    `learned` adds a model's names and places to the rules' spans (learned.shared_model()); it is
    for finished transcripts, being too slow for turn-by-turn use (see learned.py). The tagger
    (tagger.py) is for finished transcripts too (with it the rules read a third as fast): it runs
    when `tagged` is true, and when it is left out, whenever `learned` is given. `site` is the
    site's public facts (SitePack.public_facts()): its own address and numbers are left as said.
    """
    return redacted(text, find_spans(text, known_names, learned, tagged, site))


def redact_many(
    texts: list[str],
    known_names: Iterable[str] | KnownNames = (),
    learned: LearnedLayer | None = None,
    asked: list[str | None] | None = None,
    tagged: bool = True,
    site: SiteFacts | None = None,
) -> list[Redaction]:
    """`redact` for each text of a finished transcript, with the tagger (unless `tagged=False`) and
    the learned layer run over all of them as one batch. `asked` says, for each text, what the
    question before it asked for (answers.asked_for: NAME, ADDRESS, ID or None): a text that
    answers it is read as that answer ("rose baker" after "your full name?"). `site`: as for
    `redact`."""
    known = known_names if isinstance(known_names, KnownNames) else known_index(tuple(known_names))
    found = learned.find_many(texts) if learned is not None else [[] for _ in texts]
    questions = asked if asked is not None else [None] * len(texts)
    out = []
    for t, f, q in zip(texts, found, questions, strict=True):
        reading = _Reading(t)
        spans = _rule_spans(t, known, tagged, reading) + _kept_learned_spans(t, f) + _answer_spans(t, q)
        out.append(redacted(t, _finished(t, spans, site, reading)))
    return out


def _answer_spans(text: str, asked: str | None) -> list[CharSpan]:
    if asked is None or not text.strip():
        return []
    toks, _ = tokens(text)
    return [(toks[a].match.start(), toks[b].match.end(), label) for a, b, label in find_answer(toks, asked)]
