"""Where a patient lives or lies: street addresses ("12 Elm Street, apartment 3B"), P.O. boxes,
care homes and streets said in lower case ("the rosewood care home", "at clementine court"), and
rooms, wards and beds named by a letter ("ward C"). Numbered rooms are read with the other numbers
(numeric.py); capitalised places ("Tillerman Crescent", "lives in Ashcombe") by phrases.py."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from appliance.privacy.redaction.dictionary import is_dictionary_word, is_function_word, tags
from appliance.privacy.redaction.lexicon import (
    COMMON_CAPITALISED,
    DIGIT_WORDS,
    FILLERS,
    MONTHS,
    NAME_STOP,
    NUMBER_VOCAB,
    ORDINAL_WORDS,
    RELATIVES,
    TENS_WORDS,
)
from appliance.privacy.redaction.numbers import NumberRun, is_number_or_digits
from appliance.privacy.redaction.regions import LARGE_REGIONS, is_large_region
from appliance.privacy.redaction.spans import CharSpan, TokenSpan
from appliance.privacy.redaction.tokens import WORD_TOKEN, Token, TokenIndex, is_cap, is_word
from appliance.privacy.redaction.towns import town_at, town_words

# A number right after one of these is where a patient is: "Room 412", "room four twelve", "bed 7".
ROOM_WORDS = {"room", "rm", "bed", "ward", "bay", "apartment", "apt", "unit", "flat", "caravan", "plot",
              "suite", "space", "pitch", "berth", "cubicle", "lot",
              # where someone sleeps at a marina, a camp or a shelter: "slip 14", "bunk 3", "cabin 9"
              "slip", "mooring", "bunk", "cabin", "chalet", "campsite", "trailer", "site",
              # a jail's cell ("cell 4, bunk B": a short number, numeric.py) and a cottage of a
              # senior living campus ("she lives in cottage three")
              "cell", "cottage",
              # a building of a base, a camp or a block of flats: "barracks, building 12"
              "building", "bldg"}  # fmt: skip
# Before "space", "pitch" or "berth", words that make it a place to park or play, not to live:
# "parking space 12", "football pitch 2".
NOT_A_HOME_BEFORE = frozenset(("parking", "car", "disabled", "storage", "visitor", "visitors", "loading",
                               "football", "cricket", "rugby", "hockey", "office", "desk", "loft",
                               "ambulance"))  # fmt: skip

STREET_SUFFIXES = {
    "street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "crescent", "close", "mews", "grove", "green", "walk", "gate", "heights", "rise", "crossing",
    "court", "ct", "way", "place", "pl", "circle", "cir", "terrace", "parkway", "pkwy", "highway",
    "hwy", "trail", "square", "loop", "pike", "row", "yard", "wharf", "quay", "park", "hill", "parade",
    "esplanade", "promenade", "alley",
}  # fmt: skip
# Words that end a street's name only after its house number ("204 flintlock ridge", "7 harbour
# view", "22 thistle brae", "6 brook cottages"): on their own they are everyday words too often.
NUMBERED_STREET_ENDS = frozenset((
    "ridge", "bend", "view", "brae", "bank", "run", "glen", "chase", "commons", "cove", "crest",
    "knoll", "landing", "meadow", "meadows", "path", "pass", "trace", "vista", "hollow", "point",
    "gardens", "cottages", "mount", "heath", "fold", "croft", "dale", "brook", "end",
))  # fmt: skip
# Words that end a town's or village's name ("dunmore heights", "hollis creek", "marston vale"): kept
# after a word no dictionary holds, though a dictionary holds them.
TOWN_ENDINGS = frozenset((
    "vale", "heights", "creek", "falls", "springs", "junction", "bluff", "ridge", "hollow", "ford",
    "bridge", "cross", "green", "end", "bay", "harbour", "harbor", "point", "valley", "mills", "wells",
    "hills", "village", "town", "city", "beach", "on-sea", "magna", "parva", "minor", "major",
    "ferry", "landing", "crossing", "cove", "haven", "corners", "lake", "lakes", "rapids", "grove",
    "county", "parish", "borough", "township",
))  # fmt: skip
# Last words of a place where someone lives or stays: "Maplewood Gardens", "Cedar Hollow Care Home".
RESIDENCE_WORDS = {
    "manor", "house", "home", "lodge", "residence", "residences", "gardens", "hall", "village",
    "towers", "villa", "cottage", "cottages", "estate", "hospice", "apartments", "flats", "mansions",
    "centre", "center", "ward", "wing", "farm", "farmhouse", "barn", "rectory", "vicarage", "grange",
    "bungalow", "hostel", "motel", "dorm", "dormitory",
    # where someone stays who has no home of their own, or lives where they serve or study
    "shelter", "refuge", "mission", "inn", "marina", "campground", "barracks", "prison", "jail",
    "penitentiary", "halls", "university", "college", "academy", "elementary", "housing", "facility",
}  # fmt: skip
# Words that make a lower-case phrase a care facility ("the rosewood care home"): the recognizer
# prints no capitals to find it by.
CARE_WORDS = {"care", "nursing", "retirement", "assisted", "living", "residential", "sheltered"}
# Residence words that name a place on their own, lower case, after "the" ("the elmsleigh hospice").
CARE_PLACES = {"hospice", "residence", "lodge", "manor", "hostel", "motel", "dorm", "dormitory"}
# Words before "park" that make it a place people live in ("sunset ridge trailer park"), counted
# with CARE_WORDS: the park's own name is the words before them.
HOME_PARK_WORDS = {"trailer", "caravan", "mobile", "rv", "motorhome", "holiday"}
# Places someone stays that are also where anyone goes ("the bus shelter", "the town hall", "the
# state university"): said in lower case, one is a person's only with a name no dictionary holds
# ("at pagett hall", "westbrook elementary") or after a verb of staying ("sleeping at the lamplight
# mission"). Care words of the same kind: "stillbrook recovery center", "a halfway house".
STAY_PLACES = frozenset((
    "shelter", "refuge", "mission", "inn", "marina", "campground", "barracks", "prison", "jail",
    "penitentiary", "hall", "halls", "army",
))  # fmt: skip
# Schools where someone studies or boards: only with a name no dictionary holds, in lower case
# ("westbrook elementary", not "the state university").
SCHOOLS = frozenset(("university", "college", "academy", "elementary", "middle"))
STAY_CARE_WORDS = frozenset(("recovery", "rehab", "rehabilitation", "detox", "halfway", "group",
                             "sober", "women's", "womens", "family", "homeless", "correctional",
                             "detention", "supported"))  # fmt: skip
# Verbs that say someone stays at the place named next: "sleeping at", "stationed at", "lives in".
STAY_VERBS = frozenset((
    "lives", "live", "living", "lived", "stays", "stay", "staying", "stayed", "sleeping", "sleeps",
    "slept", "sleep", "stationed", "housed", "resident", "residing", "resides", "boarding", "lodging",
    "moved", "moving", "locked", "incarcerated", "serving", "studies", "studying", "enrolled",
    "goes", "attends", "attending", "dorms", "rooming", "camping", "parked", "moored", "docked",
))  # fmt: skip
# Houses known by a name ("rosemary cottage", "the mill house"): a named one is someone's home.
DWELLINGS = {"cottage", "house", "farm", "farmhouse", "lodge", "manor", "villa", "barn", "rectory",
             "vicarage", "grange", "bungalow"}  # fmt: skip
# Words right before a town or place: "lives in X", "from X", "resident of X".
PLACE_CUES = {"from", "near", "outside"}
PLACE_CUE_PAIRS = {
    ("in", w) for w in ("live", "lives", "living", "lived", "stays", "staying", "based", "over", "out",
                        "up", "down", "back", "moved", "born", "raised", "grew")
} | {("of", "resident"), ("to", "moved"), ("to", "moving"), ("at", "lives"), ("at", "live"), ("at", "out"),
     ("at", "based"),
     ("at", "staying"), ("at", "stays"), ("into", "moved"), ("at", "is"), ("at", "she's"), ("at", "he's"),
     ("in", "she's"), ("in", "he's"), ("in", "i'm"), ("in", "we're"), ("in", "they're"), ("in", "us"),
     ("in", "me"), ("in", "them"), ("in", "home"), ("in", "that's"), ("in", "thats")} | {
    (cue, w) for cue in ("in", "at") for w in ("sleeping", "sleeps", "slept", "stationed", "housed",
                                                "residing", "resides", "settled", "retired", "stay", "stayed")
} | {("to", w) for w in ("move", "moves", "relocated", "relocating", "retired", "retiring",
                        "home")}  # fmt: skip
# Who is somewhere: "my daughter in sheffield", "her son's in Nairobi", "family in Leeds".
PEOPLE_IN = frozenset((*RELATIVES, *(f"{r}'s" for r in RELATIVES), *(f"{r}s" for r in RELATIVES),
                       "family", "folks", "relatives", "friends", "parents", "kids",
                       "grandparents", "grandkids", "children"))  # fmt: skip
UNIT_WORDS = {"apartment", "apt", "unit", "suite", "number", "#", "lot"}


ROOM_SKIPS = frozenset(("number", "#", "no", ".", ":"))


def after_word(toks: list[Token], first: int, words: set[str]) -> bool:
    """Is the token before `first` (past "number", "#", "no", ".") one of `words`?"""
    k = first - 1
    while k >= 0 and toks[k].low in ROOM_SKIPS:
        k -= 1
    return k >= 0 and toks[k].low in words


def room_said_is(toks: list[Token], first: int) -> bool:
    """Is the number at `first` a room said with "is" after whose it is: "his room is two oh six",
    "my mother's bed is 14", "her flat is number 9"? ("the room is 20 degrees" says no one's.)"""
    k = first - 1
    while k >= 0 and toks[k].low in ROOM_SKIPS:
        k -= 1
    if k < 2 or toks[k].low not in ("is", "was") or toks[k - 1].low not in ROOM_WORDS:
        return False
    whose = toks[k - 2].low
    return whose in _WHOSE or (whose.endswith(("'s", "’s")) and whose not in ("it's", "that's", "what's"))


_WHOSE = frozenset(("my", "his", "her", "their", "our", "your"))
COMPASS = frozenset(("north", "south", "east", "west"))


def room_letter(tok: Token) -> bool:
    return (len(tok.text) == 1 and tok.text.isalpha() and tok.low not in ("i", "a")) or tok.text == "A"


def find_room_letters(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A ward, bay, bed, slip or building named by a letter, and the number after it if one is
    said: "ward C", "bay d", "Room G14", "slip C-14", "building c five"."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(ROOM_LETTER_WORDS):
        if i + 1 < n and toks[i + 1].text == "a" and _bed_a(toks, i):
            found.append((i, i + 1, "ADDRESS"))  # "room two nineteen bed a and …"
            continue
        if i + 1 < n and room_letter(toks[i + 1]) and not (i + 2 < n and toks[i + 2].low in ("as", "and")):
            last = i + 1
            k = last + 1 + (last + 2 < n and toks[last + 1].text == "-" and toks[last + 2].text.isdigit())
            while k < n and k - last <= 3 and (toks[k].text.isdigit() or toks[k].low in _DIGIT_NAMES):
                k += 1  # "Room G14", "slip C-14", "building c five": the letter's number
            last = max(last, k - 1)
            found.append((i, last, "ADDRESS"))
    return found


_BED_A_CLOSERS = frozenset(("and", "but", "so", "where", *FILLERS))


def _bed_a(toks: list[Token], i: int) -> bool:
    """Is the "a" after the room word at i a bed's letter, not an article: after a room's number
    ("room 12 bed a", "ward four bed a") and closing what is said ("… bed a and the nurse …", "…
    bed a.")? "room 4 bed a few days" goes on as an article does."""
    n = len(toks)
    after = toks[i + 2] if i + 2 < n else None
    closes = after is None or not is_word(after) or after.low in _BED_A_CLOSERS
    if not closes:
        return False
    k = i - 1
    while k >= 0 and is_number_or_digits(toks[k]):
        k -= 1
    return k < i - 1 and k >= 0 and toks[k].low in ROOM_WORDS


# Number words said after a room's letter ("building c five", "berth d oh four").
_DIGIT_NAMES = frozenset((
    "oh", "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "double",
))  # fmt: skip
# Said between a room and the same room said again: "apartment six c, i mean six d", "room 12, no, 14".
_CORRECTIONS = frozenset(("mean", "sorry", "no", "actually", "wait", "or", "correction", "rather"))
_CORRECTION_SKIPS = frozenset((",", ".", "i", "uh", "um", "er", "-", "sorry", "no", "wait", "meant"))
# find_room_corrections' gate (compose.py): a correction's word, or a flat's cue with "in".
ROOM_CORRECTION_GATE = frozenset(("mean", "sorry", "actually", "wait", "correction", "rather", "no"))
# Words that say a number and its letter are where someone lives: "he lives across the hall in 4b".
FLAT_CUES = frozenset(("lives", "live", "living", "stays", "staying", "hall", "upstairs", "downstairs",
                        "neighbor", "neighbour", "flat", "apartment", "building"))  # fmt: skip


def find_room_corrections(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A room or flat said again after a correction ("apartment six c i mean six d", "bed 4, sorry,
    bed 5" is read already), and a flat said by its number and letter where someone lives ("she
    lives across the hall in four b", "we're upstairs in 12C")."""
    found: list[TokenSpan] = []
    n = len(toks)
    for prev, run in pairwise(runs):
        last = run.last + (run.last + 1 < n and room_letter(toks[run.last + 1]))
        gap = toks[prev.last + 1 : run.first]
        if not (gap and len(gap) <= 4 and any(t.low in _CORRECTIONS for t in gap)):
            continue
        said_again = all(t.low in _CORRECTIONS or t.low in _CORRECTION_SKIPS or room_letter(t) for t in gap)
        if said_again and prev.first > 0 and toks[prev.first - 1].low in ROOM_WORDS:
            found.append((run.first, last, "ADDRESS"))
    for run in runs:
        if run.first == 0 or toks[run.first - 1].low != "in" or len(run.digits) > 4:
            continue
        if not (run.last + 1 < n and room_letter(toks[run.last + 1]) and toks[run.last + 1].low != "a"):
            continue  # "lives in one of the flats" names none
        if any(t.low in FLAT_CUES for t in toks[max(0, run.first - 6) : run.first - 1]):
            found.append((run.first, run.last + 1, "ADDRESS"))
    return found


def find_care_places(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A care facility or street said in lower case: "the rosewood care home", "thistledown
    retirement village", "the elmsleigh hospice", "at clementine court". Its own name is one to
    three words before the generic ones; a street needs a word that places someone there."""
    found: list[TokenSpan] = []
    n = len(toks)
    for j in index.positions(_CARE_PLACE_ENDS):
        end_low = toks[j].low
        if end_low in _KIND_BEFORE_END and (
            end_low in _CHILD_CARE or (j > 0 and toks[j - 1].low in _KIND_BEFORE_END[end_low])
        ):
            school = _school_or_daycare(toks, j)
            if school is not None:
                found.append(school)
            if end_low not in RESIDENCE_WORDS or school is not None:
                continue
        if end_low == "living" and not (j > 0 and toks[j - 1].low in _LIVING_KINDS):
            continue  # "assisted living" is a home; "for a living", "the living room" are not
        if end_low == "army" and not (j > 0 and toks[j - 1].low == "salvation"):
            continue  # the Salvation Army houses people; "in the army" is where someone serves
        if end_low not in STREET_SUFFIXES and j + 2 < n and toks[j + 1].low == "on":
            street = toks[j + 2]  # "the shelter on lyndale": a street's name no dictionary holds
            if _place_word(street) and not is_dictionary_word(street.low) and not is_cap(street):
                found.append((j + 2, j + 2, "ADDRESS"))
        if end_low in _CHARITY_HOMES:
            if _stay_frame(toks, j - 1):
                found.append((j, j, "ADDRESS"))  # "staying at the ywca"
            continue
        park_kind = toks[j - 2].low if j > 1 and toks[j - 1].low == "home" else toks[j - 1].low if j else ""
        home_park = end_low == "park" and park_kind in HOME_PARK_WORDS  # "mobile home park"
        street = toks[j].low in STREET_SUFFIXES and toks[j].low not in RESIDENCE_WORDS and not home_park
        if street and toks[j].text[0].isupper():
            continue  # capitalised streets are found as phrases
        k, generic, named = j - 1, street or toks[j].low in CARE_PLACES or toks[j].low in DWELLINGS, 0
        generic = generic or (j > 0 and _homestead(toks, j))  # "the Okafor ranch"
        # generic only with more said
        stay = toks[j].low in STAY_PLACES or toks[j].low in SCHOOLS or toks[j].low in _REHABS
        unknown = False
        while k >= 0 and j - k <= 5 and (is_word(toks[k]) or _NUMERAL_ORDINAL.fullmatch(toks[k].low)):
            low = toks[k].low
            if low in CARE_WORDS or (home_park and (low in HOME_PARK_WORDS or low == "home")):
                generic = True
            elif low in STAY_CARE_WORDS and toks[j].low in _STAY_CARE_ENDS:
                stay = True  # "stillbrook recovery center", "sagebrush family shelter"
            elif toks[j].low in _ORDINAL_STREET_ENDS and (
                low in ORDINAL_WORDS or _NUMERAL_ORDINAL.fullmatch(low)
            ):
                named += 1  # "on fifth avenue", "off 3rd street": a street named by its order
                if k > 0 and toks[k - 1].low in TENS_WORDS:
                    k -= 1  # "on forty second street"
            elif low in NAME_STOP or low in COMMON_CAPITALISED or low in NUMBER_VOCAB or low in RELATIVES:
                break
            elif low == "off":
                break  # "a room off elm street": the street starts after it
            else:
                named += 1
                unknown = unknown or not is_dictionary_word(low)
            k -= 1
        if not generic and end_low in _NAMED_BUILDINGS:
            # "the larkmoor apartments", "the oak ridge apartments number six": a building by its
            # name, told from "the new apartments" by a word no dictionary holds or a unit after it
            generic = unknown or (j + 2 < n and toks[j + 1].low in _BUILDING_UNITS)
        if stay and not generic and end_low in _REHABS:
            generic = unknown  # a rehab only by a name no dictionary holds: "goes to pulmonary rehab" is care
        elif stay and not generic:
            refuge = toks[j].low not in SCHOOLS
            generic = unknown or (refuge and _stay_frame(toks, k)) or _named_jail(toks, k + 1, j)
            # "bracken hill elementary": a primary school is named by its own words, never its kind
            generic = generic or (toks[j].low == "elementary" and _named_school(toks, k + 1, j))
            # "goes to bayou teche middle": a middle school said short, only after going to it
            generic = generic or (_middle_school(toks, k, j) and _named_school(toks, k + 1, j))
        if toks[j].low == "middle" and not _middle_school(toks, k, j):
            continue  # "in the middle of", "the muddy middle": no school
        if not (generic and named):
            continue
        if street and named > 2:
            continue
        first = k + 1
        if k >= 0 and toks[k].low == "the" and not street:
            first = k
        elif (
            k >= 0
            and toks[k].low == "the"
            and toks[j].low in _HOMESTEADS
            and named == 1
            and _owner(toks[j - 1])
        ):
            first = k  # "the kittredge place", "the Osei place": a home called by whose it is
        elif k >= 1 and toks[k].text == "," and is_number_or_digits(toks[k - 1]):
            pass  # "flat 2, larkhill court"
        elif street and k >= 1 and toks[k].text == "," and toks[k - 1].low in _HOUSE_ENDS:
            pass  # "the mill house, long lane", "the grange, ivy lane": the house's street
        elif street and k >= 1 and toks[k].low in ("and", "&") and toks[k - 1].low in STREET_SUFFIXES:
            # "at hadley road and fifth avenue": a crossing, one place with the first street
            crossing = next((f for f in found if f[1] == k - 1), None)
            if crossing is not None:
                found.remove(crossing)
                first = crossing[0]
        elif not (
            k >= 0
            and (
                toks[k].low in ("at", "in", "into", "to", "from", "on", "of")
                or (street and toks[k].low == "off")
                or (toks[j].low in SCHOOLS and toks[k].low == "for")  # "the bus driver for …"
            )
        ):
            continue  # a place is where someone is: "at …", "in …", "the …"
        found.append((first, j, "ADDRESS"))
    return found


# Where someone is found or collected that is no home: "took her from the red lion pub on high
# street", "picked him up outside the Kings Arms hotel in Ruthin" (find_venues).
VENUES = frozenset(("pub", "inn", "tavern", "hotel", "motel", "hostel", "bar", "saloon"))
_VENUE_CUES = frozenset(("from", "at", "outside", "in", "near", "behind"))
# Verbs that say someone was taken from a place, found or fell there.
_TAKEN = frozenset((
    "took", "taken", "take", "picked", "pick", "collected", "collect", "fetched", "found", "fell",
    "collapsed", "brought", "drove", "transported", "attended",
))  # fmt: skip


def find_venues(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A pub, an inn or a hotel by its name, where someone was taken from, found or fell, or said
    with its street or town ("from the red lion pub on high street", "the ambulance collected her
    at the Mermaid Inn"): one to three words of its name between "the" and the venue's word. "at
    the pub", "a hotel bar" name none; "the hotel on the square" has no name."""
    found: list[TokenSpan] = []
    n = len(toks)
    for j in index.positions(VENUES):
        k = j - 1
        while k >= 0 and j - k <= 3 and _place_word(toks[k]) and toks[k].low not in VENUES:
            if toks[k].low in COMMON_CAPITALISED or toks[k].low in _NOT_A_VENUE_NAME:
                break
            k -= 1
        if k == j - 1 or k < 1 or toks[k].low != "the" or toks[k - 1].low not in _VENUE_CUES:
            continue
        where = (
            j + 2 < n
            and toks[j + 1].low in ("on", "in")
            and (
                any(t.low in STREET_SUFFIXES for t in toks[j + 2 : j + 5]) or town_at(toks, j + 2) is not None
            )
        )
        taken = any(t.low in _TAKEN for t in toks[max(0, k - 8) : k])
        # "he's at the harbour inn room 12", "im at the blue heron motel all week": where someone
        # stays now, told by a room after it or a "be" before it
        roomed = j + 1 < n and toks[j + 1].low in ROOM_WORDS
        staying = k >= 2 and toks[k - 2].low in _BEING_AT
        if where or taken or roomed or staying:
            found.append((k + 1, j - 1, "ADDRESS"))
    return found


# "be" as a caller says someone is somewhere: "she's at the …", "im at the …", "staying at the …".
_BEING_AT = frozenset((
    "is", "i'm", "im", "he's", "hes", "she's", "shes", "we're", "they're", "theyre", "staying", "stays",
    "stayed", "lodging", "living", "lives", "'s", "’s", "'m", "’m", "am",
))  # fmt: skip


# Words before a venue's word that say what kind it is, not which: "the local pub", "the airport hotel".
_NOT_A_VENUE_NAME = frozenset((
    "local", "village", "airport", "station", "cheap", "nearest", "nearby", "same", "old", "new",
    "hospital", "big", "little", "small", "wine", "sports", "cocktail", "snack", "salad", "hotel",
    "coffee", "juice", "oyster", "raw", "piano", "dive", "karaoke", "breakfast", "lobby", "minibar",
))  # fmt: skip


# A home called by the family who has it: "the hallworth place", "the Abara ranch".
_HOMESTEADS = frozenset(("place", "ranch", "homestead", "farm"))


def _homestead(toks: list[Token], j: int) -> bool:
    return toks[j].low in _HOMESTEADS and _owner(toks[j - 1])


def _owner(tok: Token) -> bool:
    """A family's name before a home's word: capitalised and no everyday word, or no dictionary
    word at all ("the kittredge place"; not "the right place", "the Walmart place" is one too)."""
    low = tok.low.removesuffix("s'").removesuffix("'s")
    if low in NAME_STOP or low in COMMON_CAPITALISED or low in NUMBER_VOCAB:
        return False
    return not is_dictionary_word(low) or (is_cap(tok) and not is_dictionary_word(low.lower()))


# Ships someone serves on: "the USS Bellwood", "on the h m s tarrant".
SHIP_PREFIXES = frozenset(("uss", "usns", "hms", "hmcs", "hmas", "hmnzs", "usc", "uscgc"))
_SPELLED_SHIPS = (("u", "s", "s"), ("h", "m", "s"), ("u", "s", "n", "s"))
_SHIP_ENDS = frozenset((
    "right", "now", "currently", "still", "at", "until", "till", "since", "for", "and", "but", "so",
    "he's", "she's", "hes", "shes", "off", "out", "in", "on", "deployed", *FILLERS,
))  # fmt: skip


def find_ships(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A ship someone serves on, by its prefix and name: "on the USS Tarrow Bay", "hes on the u s s
    corran island right now", "aboard HMS Dunmere". One to three words of its name after the prefix
    (capitalised ones in Whisper's text), to the clause's end."""
    found: list[TokenSpan] = []
    n = len(toks)
    starts = [(i, i) for i in index.positions(SHIP_PREFIXES)]
    for i in index.positions(("u", "h")):
        for spelled in _SPELLED_SHIPS:
            if tuple(t.low for t in toks[i : i + len(spelled)]) == spelled:
                starts.append((i, i + len(spelled) - 1))
    for first, prefix in starts:
        k = prefix + 1
        capital = k < n and is_cap(toks[k])
        while k < n and k - prefix <= 3 and is_word(toks[k]) and toks[k].low not in _SHIP_ENDS:
            if (
                (capital and not is_cap(toks[k]))
                or is_function_word(toks[k].low)
                or toks[k].low in NUMBER_VOCAB
            ):
                break
            k += 1
        if k > prefix + 1:
            found.append((first, k - 1, "ADDRESS"))
    return found


# Charities that house people, named by the charity: "staying at the ymca", "stays at the salvation
# army" (the army only after "salvation"; both only after a verb of staying).
_CHARITY_HOMES = frozenset(("ymca", "ywca"))
# "assisted living", "senior living": a home; "living" alone ends no place's name.
_LIVING_KINDS = frozenset(("assisted", "independent", "senior", "supported", "residential"))
# Schools and daycares said with their kind before the last word: "ashgrove middle school", "tiny
# acorns learning center", or named by a daycare's own word ("bumblebee daycare").
SCHOOL_LEVELS = frozenset(("middle", "high", "elementary", "primary", "junior", "intermediate", "secondary",
                            "prep", "preparatory", "grade", "montessori"))  # fmt: skip
_CHILD_CARE = frozenset(("daycare", "preschool", "childcare"))
# What sort of school, not which: "goes to regular middle school", "a summer daycare".
_SCHOOL_SORTS = frozenset((
    "regular", "normal", "special", "gifted", "alternative", "magnet", "summer", "night", "boarding",
    "online", "virtual", "bible", "sunday", "medical", "nursing", "law", "driving", "language", "art",
    "music", "dance", "trade", "vocational", "technical", "career", "traditional", "full", "half",
    "part", "day", "after", "before", "drop", "in", "home", "kids", "children's", "childrens",
))  # fmt: skip
_CHILD_CARE_KINDS = frozenset(("learning", *_CHILD_CARE, "montessori"))
_KIND_BEFORE_END: dict[str, frozenset[str]] = {
    "school": SCHOOL_LEVELS,
    "center": _CHILD_CARE_KINDS,
    "centre": _CHILD_CARE_KINDS,
    **{w: frozenset() for w in _CHILD_CARE},
}
# Buildings of flats said by name: "the larkmoor apartments", and the unit words said after one.
_NAMED_BUILDINGS = frozenset(("apartments", "condos", "condominiums", "townhomes", "townhouses", "lofts",
                              "towers"))  # fmt: skip
_BUILDING_UNITS = frozenset(("number", "apartment", "apt", "unit", "suite", "flat", "#"))
# A rehab by its own name, said short: "at foxmoor rehab" (as a shelter is, with more said).
_REHABS = frozenset(("rehab", "rehabilitation"))
_CARE_PLACE_ENDS = frozenset(
    RESIDENCE_WORDS | STREET_SUFFIXES | STAY_PLACES | SCHOOLS | _CHARITY_HOMES | _HOMESTEADS | {"living"}
    | _KIND_BEFORE_END.keys() | _NAMED_BUILDINGS | _REHABS
)  # fmt: skip
# Words before a school's or a daycare's name that say it is where a child goes: "at", "goes to".
_SCHOOL_CUES = frozenset(("at", "to", "for", "from", "in", "of", "attends", "attend", "attended",
                          "attending"))  # fmt: skip


def _school_or_daycare(toks: list[Token], j: int) -> TokenSpan | None:
    """A school or a daycare in lower case by its name and kind, where a child goes or is from:
    "at ashgrove middle school", "for brindle park high school", "goes to tiny acorns learning
    center", "at bumblebee daycare". One to three words of its own name, none that says only
    which kind ("the local high school", "a new daycare", "her old middle school" name none)."""
    end = j - 1 if toks[j].low not in _CHILD_CARE else j
    k = end - 1
    while k >= 0 and end - k <= 3 and is_word(toks[k]) and not is_cap(toks[k]):
        low = toks[k].low
        if (
            low in NAME_STOP
            or low in COMMON_CAPITALISED
            or low in NUMBER_VOCAB
            or low in RELATIVES
            or low in SCHOOL_KINDS
            or low in _SCHOOL_SORTS
            or (low in _NOT_A_TOWN_OPENER and low != "little")
            or low in _SCHOOL_CUES
            or is_function_word(low)
            or low in SCHOOL_LEVELS
            or low in _CHILD_CARE_KINDS
        ):
            break
        k -= 1
    if k == end - 1 or k < 0:
        return None
    the = toks[k].low == "the"
    cue = k - 1 if the else k
    if cue < 0 or toks[cue].low not in _SCHOOL_CUES:
        return None
    if k == end - 2:
        # "at the best daycare", "the little daycare": one everyday word after "the" says which
        # kind, not which one ("at bramley daycare", "little acorns daycare" are names)
        word = toks[end - 1].low
        if word == "little" or _adjective_only(word) or (the and is_dictionary_word(word)):
            return None
    return (k + 1, j, "ADDRESS")


def _adjective_only(low: str) -> bool:
    t = tags(low)
    return t is not None and "a" in t and "n" not in t


_STAY_CARE_ENDS = frozenset(("center", "centre", "home", "house", "shelter", "refuge", "hostel", "unit",
                             "facility", "housing"))  # fmt: skip
# Streets named by their order ("ninth avenue", "3rd street"): only after these words, since "in first
# place", "the second way" and "on second walk" are no streets.
_ORDINAL_STREET_ENDS = frozenset(("street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane",
                                  "drive", "parkway"))  # fmt: skip
_NUMERAL_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")
_STAY_SKIPS = frozenset(("the", "at", "in", "into", "to", "on", "a", "been", "still", "now", "up"))


# A jail or a detention centre by its name holds those it names a place for ("the harlan county
# detention center", "at marrow creek jail"): the words that say only whose it is name none ("the
# county jail", "state prison").
_JAILS = frozenset(("jail", "prison", "penitentiary", "detention", "correctional"))
_JURISDICTIONS = frozenset((
    "county", "state", "federal", "city", "regional", "juvenile", "women's", "womens", "men's", "mens",
    "metro", "municipal", "local", "the", "a",
))  # fmt: skip


# Words before "elementary" that say what kind of school, not which: "the local elementary" (and
# before any place's kind, for a learned layer: compose.py).
SCHOOL_KINDS = frozenset((
    "local", "public", "private", "nearby", "new", "old", "same", "other", "catholic", "christian",
    "charter", "district", "neighborhood", "neighbourhood", "community", "village", "town", "city",
))  # fmt: skip


def _named_school(toks: list[Token], first: int, j: int) -> bool:
    words = [t.low for t in toks[first:j]]
    return bool(words) and all(w not in SCHOOL_KINDS and w not in _NOT_A_TOWN_OPENER for w in words)


# Verbs of going to a school: "goes to … middle", "attends … middle", "a teacher at … middle".
_SCHOOL_GOING = frozenset(("goes", "go", "going", "went", "attends", "attend", "attended", "teaches",
                           "teacher", "coach", "student", "enrolled"))  # fmt: skip


def _middle_school(toks: list[Token], k: int, j: int) -> bool:
    """Is "middle" at j a school said short ("goes to bayou teche middle"): gone to, taught at, not
    followed by "of"?"""
    if j + 1 < len(toks) and toks[j + 1].low in ("of", "school", "name", "names"):
        return False
    m = k - 1 if k >= 0 and toks[k].low == "the" else k
    if m < 1 or toks[m].low not in ("to", "at", "attends", "attend"):
        return False
    return toks[m].low in ("attends", "attend") or toks[m - 1].low in _SCHOOL_GOING


def _named_jail(toks: list[Token], first: int, j: int) -> bool:
    words = [t.low for t in toks[first : j + 1]]
    if not any(w in _JAILS for w in words):
        return False
    return any(w not in _JAILS and w not in _JURISDICTIONS and w not in STAY_CARE_WORDS for w in words[:-1])


def _stay_frame(toks: list[Token], k: int) -> bool:
    """Does a verb of staying come just before the place whose name starts after k ("sleeping at
    the …", "he's been stationed at …", "lives in the …")?"""
    m = k
    while m >= 0 and k - m < 4 and toks[m].low in _STAY_SKIPS:
        m -= 1
    return m >= 0 and toks[m].low in STAY_VERBS


def find_addresses(toks: list[Token], runs: list[NumberRun], index: TokenIndex) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    n = len(toks)
    by_first = {r.first: r for r in runs}
    for run in runs:
        if len(run.digits) > 6 or run.groups[0].ordinal:
            continue
        j = run.last + 1
        if j < n and toks[j].low in _NOT_A_HOUSE_NUMBER:
            continue  # "a 5 minute walk", "3 miles down the lane"
        # "14 1st Avenue", "two hundred fifth avenue": the ordinal read into the run names the street
        words, the = (1 if len(run.groups) >= 2 and run.groups[-1].ordinal else 0), False
        if j + 1 < n and _house_letter(toks[j]) and is_word(toks[j + 1]):
            j += 1  # "seven a linnet close", "14 B Elm Road": the house's letter is its number's
        while j < n and words < 4:
            ordinal = by_first.get(j)
            if ordinal is not None and len(ordinal.groups) == 1 and ordinal.groups[0].ordinal:
                words += 1  # "230 West 85th Street", "14 1st Avenue"
                j = ordinal.last + 1
                continue
            if not (is_word(toks[j]) or toks[j].text == "."):
                break
            ends = toks[j].low in STREET_SUFFIXES or (words >= 1 and toks[j].low in NUMBERED_STREET_ENDS)
            if ends and (words >= 1 or (the and _street_ends(toks, j + 1))):
                end = _address_tail(toks, by_first, j)
                found.append((_lot_or_mile(toks, run.first), end, "ADDRESS"))  # "19 the crescent"
                break
            if toks[j].low in FILLERS or (toks[j].low == "the" and words == 0):
                the = the or toks[j].low == "the"
                j += 1  # "two nine one uh canal street", "19 the crescent"
                continue
            if toks[j].low in _NOT_A_STREET_NAME:
                break  # "take 2 the same way"
            stop = toks[j].low in NAME_STOP and toks[j].low not in ("north", "south", "east", "west")
            named = toks[j].low in _STREET_NAME_STOPS and j + 1 < n and toks[j + 1].low in STREET_SUFFIXES
            if stop and not named:
                break  # but "9 well lane", "12 middle row"
            words += 1 if toks[j].text != "." else 0
            j += 1
    for i in index.positions(_PO):
        if i + 2 < n:
            k = i + 1
            if toks[i].low == "post":  # "post office box 293"
                k += 1 if toks[k].low == "office" else n
            while k < n and toks[k].low in (".", "o"):
                k += 1
            if k < n and toks[k].low == "box":
                run = by_first.get(k + 1) or by_first.get(k + 2)
                if run is not None:
                    town = _town_before_its_state(toks, run.last + 1)
                    if town is None and not toks[k].text[:1].isupper():
                        town = _town_after(toks, run.last + 1)
                    found.append((i, run.last, "ADDRESS"))
                    if town is not None:
                        found.append((run.last + 1, town, "ADDRESS"))  # "p o box 12 kilbride"
    return found


def _town_before_its_state(toks: list[Token], first: int) -> int | None:
    """The last token of a town said between a box or a street and its state, whatever its words
    ("po box 12 why arizona", "box 40, hope, idaho"): one to three words, then the state's name.
    Not a state said first ("box 9 new mexico"), nor a word that joins ("box 9 in ohio")."""
    n = len(toks)
    k = first + (first < n and toks[first].text == ",")
    if k >= n or _region_end(toks, k) is not None:
        return None
    for end in range(k, min(k + 3, n)):
        if not is_word(toks[end]) or toks[end].low in _NOT_A_TOWN_WORD or toks[end].low in FILLERS:
            return None
        j = end + 1 + (end + 1 < n and toks[end + 1].text == ",")
        if j < n and _region_end(toks, j) is not None:
            return end
    return None


# Words between a box and a state that are no town's: "box 9 in ohio", "box 9 and the state's ohio".
_NOT_A_TOWN_WORD = frozenset(("in", "at", "of", "and", "or", "the", "a", "to", "on", "is", "state"))


def _lot_or_mile(toks: list[Token], first: int) -> int:
    """Where a rural address starts that is said by its lot or its mile on the road ("lot 12
    concession road 4", "mile twelve copper creek road", "mile marker 40 hollis road")."""
    if first > 0 and toks[first - 1].low in ("lot", "mile"):
        return first - 1
    if first > 1 and toks[first - 1].low == "marker" and toks[first - 2].low == "mile":
        return first - 2
    return first


# Words after a number that say it counts something else ("a 5 minute walk"); words of a phrase
# that is no street ("2 the same way"); stop words that do name streets ("Well Lane", "Middle Row").
_NOT_A_HOUSE_NUMBER = frozenset((
    "minute", "minutes", "min", "mins", "mile", "miles", "hour", "hours", "second", "seconds", "day",
    "days", "week", "weeks", "month", "months", "year", "years", "more", "times", "of", "percent",
    "steps", "yards", "metres", "meters", "feet", "foot", "km", "kilometres", "blocks", "doors",
))  # fmt: skip
_NOT_A_STREET_NAME = frozenset(("same", "other", "wrong", "usual", "whole", "long", "short", "quickest",
                                "shortest", "fastest", "best", "easiest", "only", "next"))  # fmt: skip
_STREET_NAME_STOPS = frozenset(("well", "last", "middle", "right"))


def _house_letter(tok: Token) -> bool:
    """A letter said after a house number ("seven a", "22 B"), not "I"."""
    return len(tok.text) == 1 and tok.text.isalpha() and tok.low != "i"


def _street_ends(toks: list[Token], k: int) -> bool:
    """Does a street said as "the crescent" end here: the turn's end, a mark, a function word or a
    filler ("22 the green please" is no address; "22 the green, hexley" is)?"""
    return k >= len(toks) or not is_word(toks[k]) or is_function_word(toks[k].low) or toks[k].low in FILLERS


# The word that opens a street as other languages write it, number first or last: "17 Rue Lepic",
# "Calle Mayor 4". The number after is read by the tagger; the number before is read here.
ABROAD_HEADS = frozenset((
    "rue", "calle", "via", "viale", "rua", "avenida", "strada", "piazza", "plaza", "paseo", "camino",
    "chemin", "corso", "largo", "travessa", "carrer",
))  # fmt: skip
_ABROAD_PARTICLES = frozenset(("de", "del", "de la", "des", "du", "dei", "delle", "della", "das", "do",
                               "dos", "da", "di", "la", "le", "les", "el", "l'", "d'"))  # fmt: skip


# Heads of streets that are named by a number alone: "Urb. Villa Rosa, Calle 4", "Carrera 7".
_NUMBERED_STREET_HEADS = frozenset(("calle", "carrera", "avenida", "rua"))
# A Danish flat's side after its floor: "2. tv." (left), "st. th." (ground floor, right), "1. mf.".
_FLAT_SIDES = frozenset(("tv", "th", "mf"))


def _unit_after(toks: list[Token], last: int) -> int:
    """The last token of a street said abroad with the unit written after its number, the way the
    country writes it: Puerto Rico's lot by letter and number ("Calle 4, B-12", "calle 9 d-4"),
    Denmark's floor and side ("Nørregade 8, 2. tv.", "Vestergade 14, st. th."); else `last`."""
    n = len(toks)
    k = last + 1 + (last + 1 < n and toks[last + 1].text == ",")
    if k + 1 < n and len(toks[k].text) == 1 and toks[k].text.isalpha():
        m = k + 1 + (toks[k + 1].text == "-")
        if m < n and toks[m].text.isdigit() and len(toks[m].text) <= 4:
            return m  # "B-12", "D4"
    floor_door = _floor_and_door(toks, k)
    if floor_door is not None:
        return floor_door  # "Carrer del Roser 14, 3r 2a", "Calle Mayor 7, 2º B"
    if k < n and toks[k].low == "st" and k + 1 < n and toks[k + 1].text == ".":
        k += 2  # "st." (stuen): the ground floor
    elif toks[last].text.isdigit() and k == last + 1 and k < n and toks[k].text == ".":
        k += 1  # "…, 2. tv.": the floor was read as the number's last group
    elif k + 1 < n and toks[k].text.isdigit() and len(toks[k].text) <= 2 and toks[k + 1].text == ".":
        k += 2  # "… 8, 2. tv."
    else:
        return last
    if k < n and toks[k].low in _FLAT_SIDES:
        return k + (k + 1 < n and toks[k + 1].text == ".")
    return last


# Marks of an ordinal written after a floor's or a door's number in Spain and Catalonia, France
# and Italy: "3r 2a", "2º 1ª", "4o", "1er", "2e".
_ORDINAL_MARKS = frozenset(("r", "a", "o", "º", "ª", "n", "t", "er", "e", "°", "ème", "eme", "pta"))


def _ordinal_at(toks: list[Token], k: int) -> bool:
    """A number of one or two digits and an ordinal's mark written on to it ("3r", "2ª")."""
    if k + 1 >= len(toks) or not (toks[k].text.isdigit() and len(toks[k].text) <= 2):
        return False
    return toks[k + 1].low in _ORDINAL_MARKS and toks[k].end == toks[k + 1].start


def _floor_and_door(toks: list[Token], k: int) -> int | None:
    """The last token of a floor and door written as ordinals after a street's number ("3r 2a",
    "2º 1ª", "4o B"), or None."""
    n = len(toks)
    if not (
        k + 1 < n and toks[k].text.isdigit() and len(toks[k].text) <= 2 and toks[k + 1].low in _ORDINAL_MARKS
    ):
        return None
    last = k + 1
    m = last + 1
    if m + 1 < n and toks[m].text.isdigit() and len(toks[m].text) <= 2 and toks[m + 1].low in _ORDINAL_MARKS:
        last = m + 1  # the door's number after the floor's
    elif m < n and len(toks[m].text) == 1 and toks[m].text.isupper():
        last = m  # the door's letter
    return last


def _postcode_town_after(toks: list[Token], last: int) -> int:
    """The last token of a postcode and its town written after a street abroad, the postcode
    first ("Hämeenkatu 22, 33200 Tampere", "Nørregade 8, 8000 Aarhus C", "Rua Augusta 1184,
    1100-053 Lisboa"): four or five digits (Portugal's with a dash and three more), then one to
    three capitalised words, a district's letter after them; else `last`."""
    n = len(toks)
    k = last + 1 + (last + 1 < n and toks[last + 1].text == ",")
    if k >= n or not (toks[k].text.isdigit() and len(toks[k].text) in (4, 5)):
        return last
    if k + 2 < n and toks[k + 1].text == "-" and toks[k + 2].text.isdigit() and len(toks[k + 2].text) == 3:
        k += 2  # "1100-053"
    m = k + 1
    while m < n and m - k <= 3 and is_cap(toks[m]) and toks[m].low not in COMMON_CAPITALISED:
        m += 1
    if m == k + 1:
        return last
    if m < n and len(toks[m].text) == 1 and toks[m].text.isupper():
        m += 1  # "Aarhus C", "København K": the district's letter
    return m - 1


# Endings of one-word street names in German, Dutch and Nordic languages: "Kirchgasse 17",
# "Lindenweg 9", "Birkenallee 21", "Prinsengracht 263", "Storgatan 4".
ABROAD_ENDINGS = (
    "strasse", "straße", "gasse", "weg", "allee", "platz", "damm", "ufer", "gade", "vej", "straat",
    "laan", "gracht", "katu", "gatan", "vägen", "veien", "steig", "pfad",
)  # fmt: skip


def abroad_street_word(low: str) -> bool:
    return len(low) > 5 and low.endswith(ABROAD_ENDINGS)


# The gate for find_abroad_streets on a whole lowered text: a word that ends as those streets do.
ABROAD_ENDING = re.compile(r"[a-zß](?:" + "|".join(ABROAD_ENDINGS) + r")\b")


def find_abroad_streets(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A street said as other languages say it, its number before ("17 Rue Lepic", "5 calle del
    olmo": the head word must be followed by a word of the street's name) or after ("Rua Augusta
    1184", "Calle Membrillo 14", "Kirchgasse 17": after the head and its name, or after one word
    that ends as streets do there)."""
    found: list[TokenSpan] = []
    n = len(toks)
    for run in runs:
        # "Storgatan 4, 41138 Göteborg": the comma joined the house number and the postcode
        house = 0 if len(run.groups) > 1 and run.seps[0] == "," else len(run.groups) - 1
        before = _abroad_street_before(toks, run, run.groups[house].last)
        if before is not None:
            found.append(
                (before, _postcode_town_after(toks, _unit_after(toks, run.groups[house].last)), "ADDRESS")
            )
            continue
        j = run.last + 1
        if j + 1 >= n or toks[j].low not in ABROAD_HEADS or len(run.digits) > 5:
            continue
        k, last = j + 1, j
        while k < n and k - j <= 4 and is_word(toks[k]):
            if toks[k].low in _ABROAD_PARTICLES:
                k += 1
                continue
            if is_function_word(toks[k].low) or toks[k].low in NAME_STOP:
                break
            last = k
            k += 1
        if last > j:
            found.append((run.first, last, "ADDRESS"))
    return found


def _abroad_street_before(toks: list[Token], run: NumberRun, last: int) -> int | None:
    """Where a street said before its number (the run up to `last`) starts ("Rua Augusta 1184",
    "calle 4"), or None."""
    k = run.first - 1
    digits = "".join(g.digits for g in run.groups if g.last <= last)
    if k < 0 or len(digits) > 5 or not is_word(toks[k]):
        return None
    if abroad_street_word(toks[k].low) and is_cap(toks[k]):
        return k
    if toks[k].low in _NUMBERED_STREET_HEADS and run.groups[0].last == last:
        return k  # "Calle 4", "carrera 7": streets numbered, as in Puerto Rico and Colombia
    m = k
    while m >= 0 and k - m <= 4 and is_word(toks[m]) and toks[m].low not in ABROAD_HEADS:
        if toks[m].low not in _ABROAD_PARTICLES and not is_cap(toks[m]):
            return None
        m -= 1
    return m if 0 <= m < k and toks[m].low in ABROAD_HEADS else None


def _address_tail(toks: list[Token], by_first: dict[int, NumberRun], suffix: int) -> int:
    """Extend past the street suffix: ". ", unit ("apartment 3B"), then ", City"."""
    while suffix + 1 < len(toks) and toks[suffix + 1].low in STREET_SUFFIXES:
        suffix += 1  # "quarry hill road", "park lane": a suffix word inside the street's name
    end = suffix
    k = end + 1
    if k < len(toks) and toks[k].text == ".":
        k += 1
    if k + 1 < len(toks) and toks[k].text == "," and toks[k + 1].low in UNIT_WORDS:
        k += 1
    if k < len(toks) and toks[k].low in UNIT_WORDS:
        m = k + 1
        if m < len(toks) and toks[m].text == ".":
            m += 1  # "Apt. 3B"
        if m < len(toks) and toks[m].low in ("number", "#"):
            m += 1
        run = by_first.get(m)
        if run is not None:
            end = run.last
            if end + 1 < len(toks) and room_letter(toks[end + 1]):
                end += 1  # "apartment 3B", "apartment four c"
        elif m < len(toks) and (toks[m].text.isupper() or toks[m].low[:1].isdigit()):
            end = m
        k = end + 1
    town = _town_before_its_state(toks, k)
    if town is not None:
        return town  # "…, Apt. 3B, Welcome, Maryland": a town of everyday words, told by its state
    if (
        k + 1 < len(toks)
        and toks[k].text == ","
        and is_cap(toks[k + 1])
        and toks[k + 1].low not in COMMON_CAPITALISED
    ):
        end = k + 1
        if end + 1 < len(toks) and is_cap(toks[end + 1]) and toks[end + 1].low not in COMMON_CAPITALISED:
            end += 1
    elif k < len(toks) and not toks[suffix].text[:1].isupper():
        town = _town_after(toks, k)  # "… ostler lane marston vale": a run-on town, in lower case
        if town is not None:
            end = town
    return end


def _town_after(toks: list[Token], first: int) -> int | None:
    """The last token of a town said right after a street with no comma, as recognizers print it
    ("twelve larch rise fenwick and my number …", "… juniper hollow drive dunmore heights four six
    …"): one to three words that end the clause, one of them a word no dictionary holds or the
    last a town's ending ("… apartment four c cedar bluff"), or a town known by name ("… tannery
    mews bradford on avon")."""
    town = town_at(toks, first)
    if town is not None and (town + 1 >= len(toks) or _ends_town(toks[town + 1])):
        return town
    k = first
    while k < len(toks) and k - first < 3 and _place_word(toks[k]) and not is_cap(toks[k]):
        if toks[k].low in _TOWN_CLOSERS:
            break
        k += 1
    if k == first or (k < len(toks) and not _ends_town(toks[k])):
        return None
    end = _town_end(toks, first, k)
    return end if end is not None else _town_of_words(toks, first, k)


def _ends_town(tok: Token) -> bool:
    """After a town: the line's end, punctuation, a conjunction, a new clause or a number."""
    return not is_word(tok) or tok.low in _TOWN_CLOSERS or tok.low in NUMBER_VOCAB


_TOWN_CLOSERS = frozenset(("and", "but", "so", "i", "i'm", "im", "we", "we're", "my", "she", "he",
                           "it's", "its", "thats", "that's", "near", "zip", "postcode", "phone",
                           *FILLERS))  # fmt: skip


def _town_end(toks: list[Token], first: int, k: int) -> int | None:
    """Of the place words first..k-1, where the place ends: dictionary words at the end are dropped
    ("from work"), but for the words that end a town's name after one no dictionary holds
    ("hollis creek"); None when every word is in the dictionary."""
    end = k - 1
    while end >= first and is_dictionary_word(toks[end].low):
        end -= 1
    if end < first:
        return None
    while end + 1 < k and toks[end + 1].low in TOWN_ENDINGS:
        end += 1
    return end


PLACE_WORDS = frozenset(_CARE_PLACE_ENDS)
# Words that say what kind of place, not which ("the hospice", "a care home", "the shelter"): a
# learned place made of them only names none (compose.py).
PLACE_KINDS = frozenset(RESIDENCE_WORDS | CARE_WORDS | STAY_PLACES | SCHOOLS | STAY_CARE_WORDS)
# Words an address ends with before its town: a street's, or a flat's ("apartment four in climax").
ADDRESS_ENDS = frozenset(STREET_SUFFIXES | UNIT_WORDS)
HOUSE_NUMBER_ENDS = frozenset(STREET_SUFFIXES | NUMBERED_STREET_ENDS)  # find_addresses' gate
ROOM_LETTER_WORDS = frozenset(("ward", "bay", "bed", "room", "wing", "building", "bldg", "slip", "berth",
                               "bunk", "cabin", "apartment", "apt", "cell", "unit"))  # fmt: skip
# Room words said in the plural before a list of their numbers: "sites eleven and twelve", "rooms 4
# and 5" (numeric.py reads each number of the list as a room's).
PLURAL_ROOMS = frozenset(("rooms", "beds", "sites", "cabins", "cottages", "cells", "bunks",
                          "apartments", "flats", "spaces", "berths", "slips", "campsites", "pitches",
                          "chalets", "trailers"))  # fmt: skip
_PO = ("p", "po", "post")


def after_place_cue(toks: list[Token], i: int) -> bool:
    """ "lives in X", "from X", "resident of X", "Old Mill Road in X", "moved to X", "my son in X",
    "my parents are in X", "at fort X", "the town of X"."""
    if i == 0:
        return False
    before = toks[i - 1].low
    before2 = toks[i - 2].low if i > 1 else ""
    if before in PLACE_CUES:
        return True
    return (
        (before, before2) in PLACE_CUE_PAIRS
        or (before in ("in", ",") and (before2 in STREET_SUFFIXES or before2 in NUMBERED_STREET_ENDS))
        or (before == "in" and before2 in PEOPLE_IN and toks[i].low not in ("law", "laws"))
        or (before == "in" and before2 in _BEING and i > 2 and toks[i - 3].low in PEOPLE_IN)
        or (before in ("at", "in", "to", "from", "near") and toks[i].low in PLACE_HEADS)
        or (before == "of" and before2 in SETTLEMENTS)
    )  # "my father in law kenji": a relative by marriage, not one somewhere


# Words that open the name of a place where someone serves or stays: "at fort quellan", "at camp
# orrin" (the name after them is read as a town's).
PLACE_HEADS = frozenset(("fort", "camp", "raf", "hmp", "naval", "base"))
# "the town of X", "the county of X": what follows is the place's name, everyday words or not.
SETTLEMENTS = frozenset(("town", "city", "village", "hamlet", "county", "borough", "parish", "township"))
_BEING = frozenset(("is", "are", "was", "were", "still", "now", "both", "all", "live", "lives"))


def find_lower_places(toks: list[Token], index: TokenIndex, towns: bool = True) -> list[TokenSpan]:
    """A town or place said in lower case after a place cue, told by a dictionary: "she lives in
    great ormsby", "we're out at pellingham", "he's from ketteridge", "… granary lane, upper quenby".
    One to three words; dictionary words at the end are dropped ("lower brancombe in the summer"
    stops at "in"; "from work" is no place); what is left must hold a word no dictionary holds, or
    end as a town's name does ("shale bluff"). A town known by name (towns.py: "sheffield",
    "bradford on avon") is read after any of these cues and after "in" alone ("my daughter in
    leeds"); `towns` says whether the text holds a word of one (compose.py's gate)."""
    found: list[TokenSpan] = []
    n = len(toks)
    for cue in index.among(_LOWER_PLACE_CUES):
        first = cue + 1
        if first >= n:
            continue
        end = None
        cued = after_place_cue(toks, first)
        if cued:
            k = first
            while k < n and k - first < 3 and _place_word(toks[k]):
                k += 1
            end = _town_end(toks, first, k)
            if end is None:
                end = _town_of_words(toks, first, k)
            if end is None and k > first and toks[cue].low == "of" and toks[cue - 1].low in SETTLEMENTS:
                end = k - 1  # "the town of reading", "the village of great snoring": named as one
            if end is None:
                end = _town_in_a_larger_place(toks, first, k)  # "lives in hope in yorkshire"
        if end is None and toks[cue].low in ("in", ",") and _after_an_address(toks, cue):
            end = _town_said_last(toks, first)  # "… chervil street apartment four in climax"
        if end is None and toks[cue].low == "from" and cue > 1 and toks[cue - 1].low in TRAVEL_PARTICLES:
            end = _town_travelled_from(toks, cue)  # "we drove up from buffalo this morning"
        if end is None and toks[cue].low in _REGION_CUES:
            end = _town_before_region(toks, first)  # "in liberty, missouri", "from paradise texas"
            if end is None:
                end = _town_told_apart(toks, first)  # "in hope, the one in arkansas"
        if cued or end is not None:
            pass
        elif toks[cue].low == "that":
            if not (cue > 0 and toks[cue - 1].low in ("before", "after")):
                continue  # "we lived in leeds and before that york": the next of a list of towns
        elif toks[cue].low != "in" and not (toks[cue].text == "," and toks[cue - 1].text[:1].isdigit()):
            continue  # but a town known by name after "in", or after a number and a comma:
            # "Calle Mayor 4, Madrid", "Birkenallee 21, Freiburg"
        if towns:
            town = town_at(toks, first)  # "in sheffield", "my son's in Nairobi": a town known by name
            if town is not None and (end is None or town > end):
                end = town
        if end is not None:
            found.append((first, end, "ADDRESS"))
    return found


@lru_cache(maxsize=1)
def town_gate() -> frozenset[str]:
    """The words that open find_lower_places for a town (compose.py): a rare word of a town known
    by name, a town's ending ("lives in shale bluff"), or a word of a state's or a country's name
    ("in liberty, missouri"); one set, so the gate is one look-up."""
    regions = {w for r in LARGE_REGIONS for w in r.split() if w not in _COMMON_REGION_WORDS}
    return frozenset(town_words() | TOWN_ENDINGS | regions)


# Verbs of living: with "in", they open find_lower_places (compose.py) for a place named by what
# is said after it ("we live in salt marsh on tanner road").
LIVING = frozenset(("live", "lives", "living", "lived"))
# Words of a region's name too common to open the gate ("us", "new", "north"): another word of
# the same name does ("mexico" of "new mexico").
_COMMON_REGION_WORDS = frozenset(("the", "us", "states", "united", "new", "north", "south", "west",
                                  "northern",
                                  "western", "island", "republic", "territory", "territories", "kingdom",
                                  "prince", "edward", "and", "islands", "east", "coast", "cape",
                                  "outer", "french", "arab", "ivory", "san", "new"))  # fmt: skip
# Cues before a town that a state or a country names next: "in X, texas", "from X ohio".
_REGION_CUES = frozenset(("in", "from", "near", "outside", "to", "of"))
# Words that say which part of a state, not which town: "in north texas", "from rural ohio".
_PART_OF = frozenset((
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
    "southeastern", "southwestern", "upstate", "downstate", "rural", "coastal", "inland", "all",
    "most", "much", "part", "parts", "mainland", "greater", "lower", "upper", "midwest", "deep",
))  # fmt: skip


def _region_end(toks: list[Token], j: int) -> int | None:
    """The last token of a state's or a country's name (regions.py) that starts at j, or None."""
    words: list[str] = []
    end = None
    for m in range(j, min(j + 3, len(toks))):
        if not is_word(toks[m]):
            break
        words.append(toks[m].low)
        if " ".join(words) in LARGE_REGIONS:
            end = m
    return end


def _town_before_region(toks: list[Token], first: int) -> int | None:
    """A town named with everyday words before its state or country, as addresses are said ("in
    liberty missouri", "from Paradise, Texas", "near hope, british columbia"): one to three words
    after the cue, then the state's name (a comma between or none). Not a part of the state ("in
    north texas", "from rural ohio"), a state before its country ("in ohio, usa"), a month or a
    state named in two words ("in new mexico")."""
    n = len(toks)
    for k in range(first, min(first + 3, n)):
        low = toks[k].low
        if k == first + 1 and low in _TOWN_JOINERS and _joins_a_town(toks, first):
            continue  # "in bird in hand pennsylvania", "from walton on thames, england"
        if not _place_word(toks[k]) or low in _PART_OF or low in MONTHS or low in _NOT_A_TOWN_OPENER:
            return None
        j = k + 1 + (k + 1 < n and toks[k + 1].text == ",")
        if j >= n or _region_end(toks, j) is None:
            continue
        said = " ".join(t.low for t in toks[first : k + 1])
        if is_large_region(said) or _region_end(toks, k) is not None:
            return None  # "ohio, usa"; "new mexico", "west virginia": the state's own name
        return k
    return None


# Words inside a town's name between two of its words: "bird in hand", "stratford upon avon".
_TOWN_JOINERS = frozenset(("in", "on", "upon", "by", "under", "le", "de"))
# Words before "in" that say where someone is, not a town's first word: "in jail in dayton, ohio".
_NOT_A_TOWN_BEFORE_IN = frozenset((
    "jail", "prison", "hospital", "school", "college", "work", "business", "sales", "church", "town",
    "hospice", "rehab", "care", "bed", "class", "court", "custody", "treatment", "therapy", "foster",
))  # fmt: skip


def _joins_a_town(toks: list[Token], first: int) -> bool:
    """Is the word after `first` a joiner inside one town's name ("bird in hand"), the word
    before it no place someone is in ("in jail in dayton")?"""
    low = toks[first].low
    return (
        _place_word(toks[first])
        and low not in _NOT_A_TOWN_BEFORE_IN
        and low not in _NOT_A_PLACE_AFTER_IN
        and low not in PLACE_WORDS
        and first + 2 < len(toks)
        and _place_word(toks[first + 2])
    )


def _town_told_apart(toks: list[Token], first: int) -> int | None:
    """A town told apart from others of its name: "we live in hope, the one in arkansas", "from
    sandford the one near the coast". One to three words after the cue, then "the one" and where."""
    n = len(toks)
    for k in range(first, min(first + 3, n)):
        low = toks[k].low
        if not _place_word(toks[k]) or low in _PART_OF or low in MONTHS or low in _NOT_A_TOWN_OPENER:
            return None
        if low in SETTLEMENTS or low in PLACE_WORDS or low in HOUSE_NUMBER_ENDS:
            return None  # "in town, the one near the lake": no town's name
        j = k + 1 + (k + 1 < n and toks[k + 1].text == ",")
        if j + 2 < n and toks[j].low == "the" and toks[j + 1].low == "one" and toks[j + 2].low in _WHICH_ONE:
            return k
    return None


_WHICH_ONE = frozenset(("in", "on", "near", "by", "outside", "up", "down", "over", "out"))


def _town_in_a_larger_place(toks: list[Token], first: int, k: int) -> int | None:
    """After a verb of living, a place named with everyday words inside a larger one: "lives in
    hope in yorkshire", "we live in brook green, london", "he stays in cedar grove in leeds". The
    larger is a state or country, a town known by name, an English county ("-shire") or a street
    said next ("in silver brook on elm road")."""
    living = first > 1 and toks[first - 2].low in LIVING
    for end in range(first, k):
        low = toks[end].low
        if (low in MONTHS and not living) or low in _NOT_A_TOWN_OPENER:
            return None  # "born in may in ohio" is a month; "i live in march in x" is a town
        j = end + 1
        said = toks[first:j]
        everyday = any(t.low in _NOT_A_PLACE_AFTER_IN for t in said) or (
            len(said) == 1 and is_dictionary_word(said[0].low)  # "in church at 12 …"
        )
        if not everyday and j + 1 < len(toks) and toks[j].low == "at" and _house_and_street(toks, j + 1):
            return end  # "with his son in cedar falls at 12 birch lane": the address is in the town
        if j + 1 >= len(toks) or toks[j].low not in ("in", ",", "on"):
            continue
        if toks[j].low == "on":  # "lives in silver brook on elm road": the street is in the town
            if any(t.low in STREET_SUFFIXES for t in toks[j + 2 : j + 5]):
                return end
            continue
        larger = toks[j + 1].low
        if (
            larger.endswith("shire")
            or _region_end(toks, j + 1) is not None
            or town_at(toks, j + 1) is not None
        ):
            return end
    return None


def _house_and_street(toks: list[Token], k: int) -> bool:
    """Does a house's number and then its street start at k ("12 birch lane", "sixty one oh
    eight rushmore lane")?"""
    if k >= len(toks) or not is_number_or_digits(toks[k]):
        return False
    m = k
    while m < len(toks) and m - k < 8 and is_number_or_digits(toks[m]):
        m += 1
    return any(t.low in STREET_SUFFIXES for t in toks[m : m + 4])


def find_areas(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A town said as the area around it: "i'm from the leeds area", "he lives in the Brixton
    area", "somewhere near the kettering area". One or two words between "the" and "area", after
    a place cue: a town known by name, a word no dictionary holds, or a capitalised word that is
    no everyday one ("the London area"; not "the waiting area", "the Riverside area"). A town
    known by name said as where an office is, too ("calling from the tampere office", "at our
    leeds branch"); a firm's own name there is no town ("the Acme office")."""
    found: list[TokenSpan] = []
    for i in index.positions(OFFICE_WORDS):
        for first in (i - 1, i - 2):
            if first < 1 or toks[first - 1].low not in _OFFICE_OPENERS:
                continue
            if town_at(toks, first) == i - 1 and (first < 2 or toks[first - 2].low in _OFFICE_CUES):
                found.append((first, i - 1, "ADDRESS"))
                break
    for i in index.positions(("area",)):
        for first in (i - 1, i - 2):
            if first < 2 or toks[first - 1].low != "the" or toks[first - 2].low not in _AREA_CUES:
                continue
            words = toks[first:i]
            if not all(_place_word(t) for t in words):
                continue
            known = town_at(toks, first) == i - 1
            rare = any(not is_dictionary_word(t.low) for t in words)
            capital = all(is_cap(t) and t.low not in COMMON_CAPITALISED for t in words)
            if known or rare or capital:
                found.append((first, i - 1, "ADDRESS"))
                break
    return found


_AREA_CUES = frozenset(("in", "from", "near", "around", "outside", "to", "round", "of"))
# Where a firm's office is, said by its town: "the tampere office", "our leeds branch" (the gate
# of find_areas with "area", compose.py).
OFFICE_WORDS = frozenset(("office", "branch", "depot", "plant", "site", "campus"))
_OFFICE_OPENERS = frozenset(("the", "our", "their", "its", "his", "her", "my"))
_OFFICE_CUES = frozenset((*_AREA_CUES, "at", "with", "for", "work", "works", "worked", "working"))


def _after_an_address(toks: list[Token], cue: int) -> bool:
    """Does the "in" or comma at `cue` come right after a street or a flat's number ("… chervil
    street in …", "… apartment four in …", "… unit 3b, …")?"""
    k = cue - 1
    if k < 0:
        return False
    if toks[k].low in STREET_SUFFIXES or toks[k].low in NUMBERED_STREET_ENDS:
        # a street after its house number ("22 brook view in …", "… chervil street in …"; not "no
        # point in living", "a walk in nature", "i work on oak street in sales")
        return any(is_number_or_digits(t) for t in toks[max(0, k - 6) : k])
    if room_letter(toks[k]) and k > 0 and is_number_or_digits(toks[k - 1]):
        k -= 1  # "apartment 4b"
    m = k
    while m >= 0 and cue - m <= 4 and is_number_or_digits(toks[m]):
        m -= 1
    return m < k and m >= 0 and toks[m].low in UNIT_WORDS


def _town_said_last(toks: list[Token], first: int) -> int | None:
    """The last token of a town named with everyday words said after an address, where nothing
    else of the sentence follows but a new clause ("… in climax and the heat is off", "… in
    liberty."): one or two words; not a time, a season or a state of things ("in winter", "in
    pain", "in town")."""
    n = len(toks)
    k = first
    while k < n and k - first < 2 and _place_word(toks[k]) and toks[k].low not in _NOT_A_PLACE_AFTER_IN:
        k += 1
    if k == first or (k < n and not _ends_town(toks[k])):
        return None
    return k - 1


# Said after "in" at an address's end, and no town: "12 oak lane in winter", "… in the back".
_NOT_A_PLACE_AFTER_IN = frozenset((
    *MONTHS, *SETTLEMENTS, *UNIT_WORDS, *ROOM_WORDS, "winter", "summer", "spring", "autumn", "fall",
    "time", "pain", "bed", "fact", "case", "person", "general", "particular", "front", "back", "full",
    "advance", "total", "trouble", "charge", "between", "there", "here", "now", "hospital", "care",
    "order", "question", "mind", "touch", "private", "public", "future", "past", "morning",
    "afternoon", "evening", "night", "daytime", "december", "rehab", "recovery", "labor", "labour",
    # a question tag or an answer after the address and a comma: "… Riverbend Road, correct?"
    "correct", "right", "yes", "yeah", "yep", "okay", "ok", "please", "thanks", "sorry", "exactly",
    "sure", "true", "again", "too", "also", "though",
))  # fmt: skip


def _town_of_words(toks: list[Token], first: int, k: int) -> int | None:
    """A town named with everyday words, told by the word that ends it ("lives in shale bluff",
    "moved to hobart ferry", "from cedar falls"): two or three words after a place cue, the last
    of them a town's ending; not "moved to another town"."""
    if k - first < 2 or toks[first].low in _NOT_A_TOWN_OPENER or toks[first].low in TOWN_ENDINGS:
        return None
    end = k - 1
    while end > first and toks[end].low not in TOWN_ENDINGS:
        end -= 1
    return end if end > first else None


# A journey said with its direction, then where it started: "drove up from …", "came down from …",
# "flew in from …". A town of everyday words ("buffalo", "mobile", "orange") is a town here.
TRAVEL_VERBS = frozenset((
    "drove", "drive", "driving", "drives", "driven", "came", "come", "coming", "comes", "flew", "fly",
    "flying", "flies", "flown", "travelled", "traveled", "travelling", "traveling", "rode", "ride",
    "riding", "headed", "heading", "bused", "bussed", "trekked",
))  # fmt: skip
TRAVEL_PARTICLES = frozenset(("up", "down", "over", "in", "out", "way"))
# Where a trip starts that is no town: "came down from upstairs", "came in from work", "drove over
# from church", "came out from surgery".
_NOT_TRAVELLED_FROM = frozenset((
    "work", "school", "home", "church", "lunch", "dinner", "breakfast", "class", "college", "camp",
    "vacation", "holiday", "holidays", "overseas", "abroad", "upstairs", "downstairs", "outside",
    "inside", "there", "here", "town", "surgery", "rehab", "jail", "prison", "practice", "shopping",
    "uni", "university", "break", "recess", "duty", "deployment", "leave", "hospital", "recovery",
    "work's", "downtown", "uptown", "upstate", "base", "bed", "nowhere", "somewhere", "anywhere",
    "afar", "above", "below", "behind", "across", "nearby", "far", "away", "afar", "far", "next",
    "wherever", "everywhere", "outdoors", "indoors", "offshore", "shore", "sea", "mass", "service",
    "services", "temple", "mosque", "synagogue", "daycare", "preschool", "therapy", "dialysis",
    "chemo", "physio", "anesthesia", "sedation", "pre-op", "post-op", "triage", "admissions", "radiology",
    "labor", "delivery", "icu", "er", "gym", "court", "heaven", "scratch", "floor", "ward", "outpatient",
    "inpatient", "peds", "pediatrics", "maternity", "oncology", "cardiology", "neurology",
))  # fmt: skip
# A department, a procedure or a doing ("from radiology", "from surgery", "from hiding") is no town.
_NOT_TOWN_ENDINGS = ("ology", "ics", "ery", "ing")
# Said after the town, to the clause's end: "from buffalo this morning", "from mobile last week".
_AFTER_TRAVELLED_FROM = frozenset((
    "this", "last", "yesterday", "today", "tonight", "tomorrow", "on", "for", "to", "and", "so",
    "because", "just", "early", "late", "earlier", "every", "each", "with", "by", "in", "but",
    "overnight", "again", "um", "uh",
))  # fmt: skip


def _town_travelled_from(toks: list[Token], cue: int) -> int | None:
    """A town of one everyday word after a journey said with its direction and "from" ("we drove
    up from buffalo this morning", "she came all the way down from mobile."), to the clause's end
    or a word of when; not where one comes from every day ("came in from work", "down from
    upstairs")."""
    n, first = len(toks), cue + 1
    k = cue - 1
    if toks[k].low == "way":  # "all the way from"
        if not (k >= 2 and toks[k - 1].low == "the" and toks[k - 2].low == "all"):
            return None
        k -= 3
    elif toks[k].low not in TRAVEL_PARTICLES:
        return None
    m = k
    if m >= 0 and toks[m].low in TRAVEL_PARTICLES and toks[m].low != "way":
        m -= 1
    if m >= 0 and toks[m].low == "way" and m >= 2 and toks[m - 1].low == "the" and toks[m - 2].low == "all":
        m -= 3  # "came all the way down from"
    if m < 0 or toks[m].low not in TRAVEL_VERBS:
        return None
    if first >= n or not _place_word(toks[first]) or is_cap(toks[first]):
        return None  # a capitalised town is read as a phrase
    low = toks[first].low
    if low in _NOT_TRAVELLED_FROM or low in _NOT_A_PLACE_AFTER_IN or low.endswith(_NOT_TOWN_ENDINGS):
        return None
    t = tags(low)
    if t is not None and "n" not in t:
        return None  # "came in from outside": a town's name is a noun where a dictionary lists it
    if first + 1 < n and is_word(toks[first + 1]) and toks[first + 1].low not in _AFTER_TRAVELLED_FROM:
        return None
    return first


# Words that open a phrase about some town, not a town's name: "moved to another town".
_NOT_A_TOWN_OPENER = frozenset((
    "another", "other", "same", "different", "big", "small", "nearby", "next", "neighbouring",
    "neighboring", "local", "home", "whole", "old", "inner", "capital", "main", "little"
))  # fmt: skip


_LOWER_PLACE_CUES = frozenset((*PLACE_CUES, "in", "at", "to", "into", "of", ",", "that"))


def _place_word(tok: Token) -> bool:
    low = tok.low
    return (
        WORD_TOKEN.fullmatch(tok.text) is not None
        and len(low) > 1
        and low not in NAME_STOP
        and low not in NUMBER_VOCAB
        and low not in RELATIVES
        and not is_function_word(low)  # "great ormsby": an everyday word may open a place's name
    )


def find_lots(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A lot said as Madagascar and other places number houses, a letter between its numbers and
    "bis" or "ter" after ("lot II J 45 bis", "lot two j forty five bis"): the whole lot is the
    address."""
    found: list[TokenSpan] = []
    by_first = {r.first: r for r in runs}
    n = len(toks)
    for run in runs:
        if run.first == 0 or toks[run.first - 1].low != "lot":
            continue
        k = run.last + 1
        if not (k + 1 < n and _house_letter(toks[k]) and k + 1 in by_first):
            continue
        last = by_first[k + 1].last
        if last + 1 < n and toks[last + 1].low in ("bis", "ter"):
            last += 1
        found.append((run.first - 1, last, "ADDRESS"))
    return found


def find_house_numbers(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A house said by its number beside its street: "number six, poplar close", "spring lane,
    number fourteen"."""
    found: list[TokenSpan] = []
    for run in runs:
        cue = run.first - 1 - (run.first > 1 and toks[run.first - 1].text == ".")  # "No. 42/3"
        if cue < 0 or toks[cue].low not in ("number", "no") or len(run.digits) > 4:
            continue
        near = toks[max(0, run.first - 5) : run.last + 6]
        if any(t.low in STREET_SUFFIXES for t in near):
            found.append((cue, run.last, "ADDRESS"))
    return found


# A UK or Canadian postcode as a recognizer with capitals writes it ("SW1A 1AA", "M4 6RT", "K1A 0B1":
# a Canadian one alternates letter and digit, and never uses D, F, I, O, Q or U): like a ZIP code, a
# place smaller than a state. Upper case only: "m25 3pm" in lower case is a road and a time.
_POSTCODE = re.compile(
    r"(?<![\w-])(?:[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"
    r"|[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9])(?![\w-])"
)


def find_postcodes(text: str) -> list[CharSpan]:
    return [(m.start(), m.end(), "ZIP") for m in _POSTCODE.finditer(text)]


# A UK or Canadian postcode as its characters, once read from speech: "ch44 8ab", "k1a 0b1".
_SAID_POSTCODE = re.compile(r"[a-z]{1,2}[0-9][a-z0-9]?[0-9][a-z]{2}|[a-z][0-9][a-z][0-9][a-z][0-9]")
# Said just before a postcode: the end of its street or its town, or the word for it.
_POSTCODE_CUES = frozenset(("postcode", "code", "postal", "post", "zip", "is", "it's", "its", ","))


# Said before an address a postcode ends, whatever its town: "her address is … l l five three five h u".
_ADDRESS_SAID = frozenset(("address", "postcode", "lives", "live"))


def postcode_starts(toks: list[Token], k: int) -> bool:
    """Does a postcode said letter by letter start at k: one or two one-letter words, then a
    digit ("l l five …", "m four …"; not the "y" of "tan y bwlch")?"""
    n = len(toks)
    for m in (k + 1, k + 2):
        if not all(len(t.low) == 1 and t.low.isalpha() for t in toks[k:m]) or m >= n:
            return False
        if toks[m].low in DIGIT_WORDS or toks[m].low.isdigit():
            return True
    return False


def find_said_addresses(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A house said as the address, no street word ending it: "her address is two tan y bwlch
    pwllheli", "my address is 9 bryn glas, llanberis". The words after the number, to the clause's
    end, a number or a postcode said letter by letter (up to five of them)."""
    found: list[TokenSpan] = []
    n = len(toks)
    for run in runs:
        f = run.first
        if f < 2 or len(run.digits) > 5 or toks[f - 1].low not in ("is", ":") or toks[f - 2].low != "address":
            continue
        if f > 2 and toks[f - 3].low in _NOT_A_HOME_ADDRESS:
            continue  # "my email address is …", "the IP address is …"
        k, last = run.last + 1, None
        if k < n and (toks[k].low in _NOT_A_HOUSE_NUMBER or toks[k].low in _COUNTED):
            continue  # "the address is 3 blocks away", "… is 5 letters long"
        while k < n and k - run.last <= 5 and is_word(toks[k]) and not postcode_starts(toks, k):
            if toks[k].low in _TOWN_CLOSERS or toks[k].low in NUMBER_VOCAB:
                break
            last = k
            k += 1
        if last is not None:
            found.append((f, last, "ADDRESS"))
    return found


# Addresses that are no place: "my email address is …". What a number counts that is no house.
_NOT_A_HOME_ADDRESS = frozenset(("email", "e-mail", "mail", "ip", "web", "mac", "internet", "server"))
_COUNTED = frozenset(("letters", "characters", "digits", "words", "numbers", "lines", "parts"))


def find_spoken_postcodes(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A UK or Canadian postcode said letter by letter in lower case after a street, a town or the
    word for it: "… seacombe view c h four four eight a b", "postal code k one a zero b one". A
    letter is a one-letter word, a digit a digit's word ("oh", "double four") or a digit."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in range(n):
        if not (len(toks[i].low) == 1 and toks[i].low.isalpha()) or i == 0:
            continue
        before = toks[i - 1].low
        if not (
            before in _POSTCODE_CUES
            or before in HOUSE_NUMBER_ENDS
            or town_at(toks, i - 1) == i - 1
            or any(t.low in _ADDRESS_SAID for t in toks[max(0, i - 12) : i])
        ):
            continue
        chars, k, ends = "", i, []
        while k < n and len(chars) < 7:
            low = toks[k].low
            if len(low) == 1 and low.isalpha() and low != "o":
                chars += low
            elif low in DIGIT_WORDS:
                chars += str(DIGIT_WORDS[low])
            elif low == "double" and k + 1 < n and toks[k + 1].low in DIGIT_WORDS:
                chars += str(DIGIT_WORDS[toks[k + 1].low]) * 2
                k += 1
            elif low.isdigit() and len(low) <= 2:
                chars += low
            else:
                break
            k += 1
            ends.append((len(chars), k - 1))
        for size, last in reversed(ends):
            if _SAID_POSTCODE.fullmatch(chars[:size]):
                found.append((i, last, "ZIP"))
                break
    return found


# Where someone lives, said with a verb of living ("lives at", "moved into", "the home is called"):
# a plural noun after "the" there is a house's or a home's name ("lives at the orchards", "moved
# into the poplars"), unless it is where anyone goes ("she's staying at the shops" has no such verb;
# "lives at the shops" is excluded by name).
RESIDENCE_VERBS = frozenset(("lives", "live", "living", "lived", "staying", "stays", "moved", "moving",
                             "resident", "called"))  # fmt: skip
_RESIDENCE_CUES = frozenset((
    ("lives", "at"), ("live", "at"), ("living", "at"), ("lived", "at"), ("staying", "at"), ("stays", "at"),
    ("moved", "to"), ("moved", "into"), ("moving", "to"), ("moving", "into"), ("resident", "at"),
    ("resident", "of"), ("home", "called"), ("house", "called"), ("home's", "called"),
))  # fmt: skip
_NOT_A_HOUSE = frozenset(("shops", "moment", "weekends", "races", "doctors", "dentists", "lights",
                          "stairs", "pictures", "movies", "baths", "cinemas", "stations", "same",
                          "others", "kids", "children", "parents", "grandparents", "neighbours",
                          "neighbors", "weekend", "end"))  # fmt: skip


_HOMES = frozenset(("home", "house", "place", "cottage", "bungalow", "flat", "farm"))
# Trees in the plural after "the" name a house or a home ("the laurels", "the Willows"): said
# after "at", whatever the verb ("she's at the hawthorns on whinmoor road").
HOUSE_TREES = frozenset((
    "laurels", "pines", "willows", "elms", "hawthorns", "limes", "beeches", "oaks", "cedars", "firs",
    "larches", "poplars", "hollies", "yews", "chestnuts", "maples", "birches", "rowans", "lindens",
    "sycamores", "alders", "acacias", "cypresses", "hazels", "junipers", "magnolias", "myrtles",
))  # fmt: skip
# Old buildings that name one house after a verb of living: "lives at the grange", "the old forge".
NAMED_HOUSES = frozenset(("grange", "rectory", "vicarage", "forge", "manse", "granary", "maltings",
                          "priory", "deanery", "parsonage", "mill", "smithy", "chantry"))  # fmt: skip
_PLACE_ENDS = frozenset(("last", "now", "recently", "yesterday", "today", "this", "next", *FILLERS))


_HOUSE_ENDS = frozenset(RESIDENCE_WORDS | DWELLINGS | HOUSE_TREES | NAMED_HOUSES)
HOUSE_GATE = frozenset(RESIDENCE_VERBS | HOUSE_TREES)  # with "the", find_plural_houses' gate


def find_plural_houses(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(("the",)):
        if i < 2 or i + 1 >= n:
            continue
        named = toks[i - 1].low == "called" and any(t.low in _HOMES for t in toks[max(0, i - 4) : i - 1])
        low = toks[i + 1].low
        if low in HOUSE_TREES and toks[i - 1].low == "at" and is_word(toks[i + 1]):
            found.append((i, i + 1, "ADDRESS"))  # "she's at the hawthorns", "hes at the laurels on …"
            continue
        if (toks[i - 2].low, toks[i - 1].low) not in _RESIDENCE_CUES and not named:
            continue  # "the home is called the larches" is named too
        if low in NAMED_HOUSES or (low == "old" and i + 2 < n and toks[i + 2].low in NAMED_HOUSES):
            found.append((i, i + 1 + (low == "old"), "ADDRESS"))  # "lives at the grange", "the old forge"
            continue
        if not (is_word(toks[i + 1]) and low.endswith("s") and len(low) > 4 and low not in _NOT_A_HOUSE):
            continue
        if not (is_dictionary_word(low[:-1]) or is_dictionary_word(low[:-2])):
            continue  # an everyday plural: a word no dictionary holds is the tagger's to judge
        k = i + 2
        ends = k >= n or not is_word(toks[k]) or is_function_word(toks[k].low) or toks[k].low in _PLACE_ENDS
        if not ends:
            continue  # "lives at the orchards" ends there, at a mark, "on", "in", "last year", "now"
        found.append((i, i + 1, "ADDRESS"))
    return found


def find_corners(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A street corner where someone is: "the corner of Fifth and Lyle", "corner of oak and main",
    "the corner of Dunmore Avenue and Pell Street". Each side is one or two words (and a street
    word); "the corner of my eye", "the corner of the room and the door" name no street."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(("corner",)):
        if i + 4 >= n or toks[i + 1].low != "of":
            continue
        first = i + 2
        joint = _corner_side(toks, first)
        if joint is None or joint >= n or toks[joint].low not in ("and", "&"):
            continue
        end = _corner_side(toks, joint + 1)
        if end is not None:
            found.append((first, end - 1, "ADDRESS"))
    return found


def _corner_side(toks: list[Token], k: int) -> int | None:
    """The token after one side of a corner that starts at k (a street's name, up to two words and
    a street word), or None when no street starts there."""
    start, n = k, len(toks)
    while k < n and k - start < 3 and _street_word(toks[k]):
        k += 1
        if toks[k - 1].low in STREET_SUFFIXES:
            break
    return k if k > start else None


def _street_word(tok: Token) -> bool:
    low = tok.low
    if not (is_word(tok) or low.rstrip("stndrh").isdigit()):
        return False  # "5th", "Fifth", "Oak"
    return low not in ("and", "&") and low not in FILLERS and not is_function_word(low)


# Words before a number that make it a road: "Route 9", "highway twelve", "I-94".
# "concession 4": a numbered road of rural Ontario, where farms are said by lot and concession.
ROUTE_WORDS = frozenset(("route", "rte", "highway", "hwy", "interstate", "freeway", "concession"))
# Words that make "road" before a number a numbered road: "county road nine", "Farm Road 12",
# "concession road 4".
ROAD_NUMBERERS = frozenset(("county", "state", "farm", "forest", "township", "concession"))


def find_routes(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A numbered road someone lives or stays on: "a motel on Route 9", "off route forty one",
    "Highway 12", and a rural route with its box ("rural route two box fourteen", "Rural Route 3,
    Box 41"). A bus's route is no one's address ("bus route 9")."""
    found: list[TokenSpan] = []
    by_first = {r.first: r for r in runs}
    by_last = {r.last: r for r in runs}
    for run in runs:
        k = run.first - 1
        after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
        if _interstate(toks, run, after):
            found.append(
                (
                    run.first - 1 - (toks[run.first - 1].text == "-"),
                    _where_on_the_road(toks, run.last, by_first),
                    "ADDRESS",
                )
            )
            continue
        bus = (k > 0 and toks[k - 1].low == "bus") or after == "bus"
        numbered_road = k > 0 and toks[k].low in ("road", "rd") and toks[k - 1].low in ROAD_NUMBERERS
        if k < 0 or (toks[k].low not in ROUTE_WORDS and not numbered_road) or bus:
            continue
        first, last = (k - 1 if numbered_road else k), run.last
        if k > 0 and toks[k - 1].low == "rural":
            first = k - 1
        lot = by_last.get(first - 1 - (first > 1 and toks[first - 1].text == ","))
        if lot is not None and lot.first > 0 and toks[lot.first - 1].low == "lot":
            first = lot.first - 1  # "lot 4, concession 7": the farm's lot on the numbered road
        j = last + 1 + (last + 1 < len(toks) and toks[last + 1].text == ",")
        if j + 1 < len(toks) and toks[j].low == "box" and j + 1 in by_first:
            last = by_first[j + 1].last  # the box on the route is the house
            town = _town_before_its_state(toks, last + 1)
            if town is not None:  # "…, Box 9, Hope, Idaho"
                found.append((last + 1 + (toks[last + 1].text == ","), town, "ADDRESS"))
        found.append((first, _where_on_the_road(toks, last, by_first), "ADDRESS"))
    return found


# Which way on a road and where: "I-40 westbound at mile marker 143", "route 9 north near exit 12".
HEADINGS = frozenset(("northbound", "southbound", "eastbound", "westbound", "north", "south", "east", "west"))
_ROAD_MARKS = (("mile", "marker"), ("mile",), ("exit",), ("milepost",), ("marker",))


def _interstate(toks: list[Token], run: NumberRun, after: str) -> bool:
    """An interstate said by its letter: "I-40", "i forty westbound" (lower case, a heading after:
    "i" alone before a number is the speaker)."""
    k = run.first - 1
    if k >= 1 and toks[k].text == "-" and toks[k - 1].text in ("I", "i"):
        return True
    return k >= 0 and toks[k].text in ("I", "i") and after in HEADINGS and len(run.digits) <= 3


def _where_on_the_road(toks: list[Token], last: int, by_first: dict[int, NumberRun]) -> int:
    """The last token of a road said with its heading and the mile marker or exit where one is
    on it ("… westbound at mile marker 143"); else `last`."""
    n = len(toks)
    k = last + 1
    if k < n and toks[k].low in HEADINGS:
        last = k
        k += 1
    if k < n and toks[k].low in ("at", "near", "by", "past", "around"):
        k += 1
    for mark in _ROAD_MARKS:
        if tuple(t.low for t in toks[k : k + len(mark)]) == mark and k + len(mark) in by_first:
            return by_first[k + len(mark)].last
    return last


# Said between a place and the place said instead: "at coyote ridge no sorry at the …".
_PLACE_CORRECTIONS = frozenset(("no", "sorry", "mean", "wait", "actually", "correction", "rather"))
_PLACE_CORRECTION_SKIPS = frozenset((*_PLACE_CORRECTIONS, ",", ".", "i", "meant", "not", *FILLERS))


def find_corrected_places(toks: list[Token], found: list[TokenSpan]) -> list[TokenSpan]:
    """A place said, then corrected to another after the same word ("the jail nurse at coyote
    ridge no sorry at the harlan county detention center", "from millbrook, sorry, from …"): the
    place said first names where someone may be as much as the one said after. One to three
    words between the preposition and the correction."""
    out: list[TokenSpan] = []
    for first, _last, label in found:
        if label != "ADDRESS":
            continue
        p = first - 1 - (first > 0 and toks[first - 1].low == "the")  # "… at the harlan county …"
        if p < 1 or toks[p].low not in ("at", "in", "from", "to", "on", "near"):
            continue
        k = p - 1
        while k >= 0 and toks[k].low in _PLACE_CORRECTION_SKIPS:
            k -= 1
        gap = toks[k + 1 : p]
        if not gap or not any(t.low in _PLACE_CORRECTIONS for t in gap):
            continue
        end = k
        while k >= 0 and end - k < 3 and _place_word(toks[k]) and toks[k].low != toks[p].low:
            k -= 1
        named = end - k >= 2 or (end == k + 1 and not is_dictionary_word(toks[end].low))
        if named and k >= 0 and toks[k].low == toks[p].low:
            out.append((k + 1, end, "ADDRESS"))  # not "at home no sorry at …": one everyday word
    return out


# Words for "street", "road" or "avenue" said after the street's name, then its number, in
# languages of the Baltic, central and eastern Europe and Turkey: "Brīvības iela 57-12", "tartu
# maantee eighteen dash four", "Váci utca 9", "Kızılay caddesi 14".
STREET_WORDS_AFTER_NAME = frozenset((
    "iela", "maantee", "tänav", "tanav", "pst", "puiestee", "gatve", "gatvė", "prospektas", "prospekt",
    "prospekti", "utca", "ulica", "ulitsa", "ul", "sokak", "sokağı", "sokagi", "caddesi", "cad",
    "bulvar", "bulevardi", "poghots", "trg", "náměstí", "namesti", "ulice", "cesta",
))  # fmt: skip


def find_streets_named_first(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    """A street said by its name, its street word and then its number, as Latvian, Estonian,
    Armenian and other addresses are ("Brīvības iela 57-12", "tartu maantee eighteen dash four",
    "komitas avenue twelve"): the house's number and its flat's after a dash are in the span. An
    English street word before a number is read so only after a name no dictionary holds ("the
    park road 5 minutes away" is none)."""
    found: list[TokenSpan] = []
    for run in runs:
        w = run.first - 1
        if w < 1 or len(run.digits) > 6 or not is_word(toks[w]):
            continue
        foreign = toks[w].low in STREET_WORDS_AFTER_NAME
        if not foreign and toks[w].low not in STREET_SUFFIXES:
            continue
        k = w - 1
        while k >= 0 and w - k <= 2 and _place_word(toks[k]) and toks[k].low not in STREET_SUFFIXES:
            k -= 1
        names = toks[k + 1 : w]
        if not names:
            continue
        if not foreign and (is_dictionary_word(names[-1].low) or names[-1].low in COMMON_CAPITALISED):
            continue
        after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
        if after in _NOT_A_HOUSE_NUMBER:
            continue
        found.append((k + 1, run.last, "ADDRESS"))
    return found


# A house's number said in the street's own language after a street abroad ("carrer de la mina
# vint i tres", "calle del sol catorce"): Catalan, Spanish, Portuguese and Italian numbers, with
# the words that join their tens and units.
ROMANCE_NUMBERS = frozenset((
    "u", "un", "una", "dos", "dues", "tres", "quatre", "cinc", "sis", "set", "vuit", "nou", "deu",
    "onze", "dotze", "tretze", "catorze", "quinze", "setze", "disset", "divuit", "dinou", "vint",
    "trenta", "quaranta", "cinquanta", "seixanta", "setanta", "vuitanta", "noranta", "cent",
    "uno", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece",
    "catorce", "quince", "veinte", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta",
    "ochenta", "noventa", "cien", "ciento", "quatro", "cinco", "oito", "nove", "dez", "vinte",
    "trinta", "cento", "due", "quattro", "sei", "sette", "otto", "dieci", "venti", "trenta",
))  # fmt: skip
_ROMANCE_JOINS = frozenset(("i", "y", "e"))
# A flat's floor, door or staircase said after a street abroad: "floor three door two", "piso 4".
_FLAT_PARTS = frozenset(("floor", "door", "piso", "planta", "puerta", "porta", "pis", "escalera",
                         "staircase", "stair", "flat", "apartment", "apt"))  # fmt: skip


def find_streets_said_head_first(
    toks: list[Token], runs: list[NumberRun], index: TokenIndex
) -> list[TokenSpan]:
    """A street abroad said head first in lower case with its number in the street's language and
    the flat's floor and door after ("carrer de la mina vint i tres floor two door one"): from the
    head word to the last of them. A number said in English is read by find_abroad_streets."""
    found: list[TokenSpan] = []
    by_first = {r.first: r for r in runs}
    n = len(toks)
    for i in index.positions(ABROAD_HEADS):
        k, named = i + 1, 0
        while k < n and k - i <= 5 and is_word(toks[k]) and toks[k].low not in ROMANCE_NUMBERS:
            if toks[k].low in _ABROAD_PARTICLES:
                k += 1
                continue
            if is_function_word(toks[k].low) or toks[k].low in NAME_STOP or toks[k].low in NUMBER_VOCAB:
                break
            named += 1
            k += 1
        if not named or k >= n or toks[k].low not in ROMANCE_NUMBERS:
            continue
        last = k
        while k + 1 < n and (toks[k + 1].low in ROMANCE_NUMBERS or toks[k + 1].low in _ROMANCE_JOINS):
            k += 1
            if toks[k].low in ROMANCE_NUMBERS:
                last = k
        m = last + 1
        while m + 1 < n and toks[m].low in _FLAT_PARTS and m + 1 in by_first:
            last = by_first[m + 1].last  # "floor three door two"
            m = last + 1
        found.append((i, last, "ADDRESS"))
    return found
