"""Organisations a caller names: a business, agency, insurer or charity is no one's identifier.

Safe Harbor lists a person's identifiers. "I'm calling from Lakeside Funeral Directors", "a
pharmacist at Hollin Drug", "the Carrow Valley EMS", "a letter from blue cross" say whom the caller
works for or deals with: not who anyone is, nor where anyone lives. Finders and the tagger read such
a name as a person's or a place's (it is capitalised, it follows "from" or "at"), so composition
drops every name or place found wholly inside one (compose._without_regions).

An organisation is known by its kind, said last: one to four words of its own name before a word
that only an organisation's name ends in ("… Pharmacy", "… Funeral Home", "… Transport", "… &
Sons", "… Medical Group", "… Health Network"). Its own name is capitalised ("Tern Hill
Transport"); in lower-case speech it follows a word that says the caller deals with it ("calling
from", "a pharmacist at", "I'm with"), or, for a kind that cannot be anything else ("… funeral
home", "… interpreting service"), it opens a sentence. A few payers, charities, carriers and
chains are known nationally by a name with no such word ("Blue Cross Blue Shield", "Meals on
Wheels", "Amtrak"); any other is named so only when said as one ("the company is called …").

Some kinds are also places: a hospice is where a patient stays and an agency whose nurses visit at
home, a congregation or a charity that houses people is where someone sleeps or is buried from. The
frame tells them apart: "a nurse with …", "I work for …", "the … bus", "… brought clothes" name an
employer or an actor; "at", "in", "moved to", "sleeps at" name a place (left to the finders).
A kind said with no name of its own ("the hospice said …", "the home care coordinator") is no
one's, and the everyday words the tagger reads after an organisation's name ("the Orrin Airlines
crew desk") are part of what is said of it.

What is not here: a place where someone lives or stays (a care or nursing home, a hospice, a
shelter, assisted living, a school a child attends) is an address by every labelled set's
convention, so their words are neither kinds nor part of an organisation's own name ("the
Greystone Care Home pharmacy" keeps the home hidden); nor is a street's ("Harbour Row Pharmacy":
the sets label a business's street too, and it may be the caller's). A person stays a person: a
name after a relative ("my daughter Grace Health"), a possessive in lower case ("at tom's
pharmacy"), and a business whose own name holds a word of a name or place hidden elsewhere in the
text ("Pryce & Sons" beside "Dilys Pryce"), which said plainly would tell what was hidden.
"""

from __future__ import annotations

import re

from appliance.privacy.redaction.addresses import (
    CARE_WORDS,
    DWELLINGS,
    RESIDENCE_WORDS,
    SCHOOLS,
    STAY_PLACES,
    STAY_VERBS,
    STREET_SUFFIXES,
)
from appliance.privacy.redaction.dictionary import is_dictionary_word
from appliance.privacy.redaction.lexicon import DIGIT_WORDS, RELATIVES, TEEN_WORDS, TENS_WORDS
from appliance.privacy.redaction.spans import CharSpan

# A practice that calls or is called ("from Brookfield Medical Group", "at Northgate Imaging", "from
# greenfields surgery"): a clinic's name says where staff work, not where a patient lives.
_PRACTICE_KINDS = (
    "group", "therapy", "imaging", "surgery", "practice", "associates", "partners", "radiology",
    "diagnostics", "laboratory", "laboratories", "labs", "healthcare", "dental", "physiotherapy",
    "orthodontics", "optometry", "dialysis", "clinic", "clinics",
    "oncology", "dermatology", "audiology", "podiatry", "chiropractic",
    # a practice named by what it treats: "at Lakeview Pediatrics", "from Harbour Cardiology"
    "pediatrics", "paediatrics", "cardiology", "neurology", "urology", "orthopedics", "orthopaedics",
    "gastroenterology", "pulmonology", "endocrinology", "rheumatology", "nephrology", "obstetrics",
    "gynecology", "gynaecology", "ophthalmology", "psychiatry", "psychology", "counseling", "counselling",
)  # fmt: skip
# Other kinds of organisation a caller deals with: pharmacies, funeral homes, transport and
# ambulance services, interpreters, insurers, networks, charities and companies. Not "ambulance"
# alone ("from the Sandhaven ambulance station" names a town), nor "church" (a surname too).
_OTHER_KINDS = (
    "pharmacy", "pharmacies", "chemist", "chemists", "drug", "drugs", "drugstore", "apothecary",
    "funeral home", "funeral homes", "funeral directors", "funeral director", "funeral services",
    "funeral service", "funeral chapel", "funeral parlor", "funeral parlour", "mortuary", "crematorium",
    "memorial",  # "Greenway Memorial": a funeral home or a hospital; a street goes on ("… Memorial Drive")
    "transport", "transportation", "medical transport", "ems", "ambulance service", "ambulance services",
    "interpreting", "interpreting service", "interpreting services", "interpreter service",
    "interpreter services", "translation services", "language services",
    "insurance", "assurance", "health", "health plan", "health network", "health system", "credit union",
    "services", "urgent care",  # "Adult Protective Services", "Sutter Health", "Patriot Urgent Care"
    "home care", "home health", "medical supply", "medical supplies",
    "foundation", "agency", "charity", "society", "association", "company", "corporation", "corp",
    "inc", "llc", "ltd",
    # carriers and firms whose staff call about a passenger, a guest, a worker or a participant:
    # "Northwind Airlines", "Harrowgate Line cruises", "Saffron Gate Events", "Corvid Logistics"
    "airlines", "airline", "airways", "air", "cruises", "cruise line", "cruise lines", "bus lines",
    "coach lines", "events", "research", "clinical research", "freight", "logistics", "trucking",
    "haulage", "couriers", "shipping",
    # employers whose nurse, manager or safety officer calls about a worker or a client: "a nurse
    # with Marlow Staffing", "Halberd & Greene LLP", "Kessel Manufacturing's safety manager"
    "staffing", "solutions", "consulting", "consultants", "llp", "pllc", "plc", "towing",
    "construction", "manufacturing", "mining", "security", "legal aid", "veterinary", "industries",
    "enterprises", "temps",
    # an insurer known as a mutual ("Badger Mutual"), a blood supplier ("the Harlow Blood Center"),
    # a survey's interviewer ("the Household Health Survey"), a patrol that brings a patient in
    # ("Ski Patrol", "the Highway Patrol")
    "mutual", "blood center", "blood centre", "blood bank", "blood services", "survey", "patrol",
)  # fmt: skip
# A congregation is known by its faith said before "church" ("Grace Baptist Church"): "church"
# alone ends a surname ("Faith Church") or a town ("Falls Church"). It, like a charity that houses
# people, is a place someone stays or is buried from when said after "at", "in" or a verb of staying
# (_AT_A_PLACE), and an organisation only as an actor or a giver ("the Grace Baptist Church van").
_FAITHS = (
    "baptist", "lutheran", "methodist", "catholic", "presbyterian", "episcopal", "pentecostal",
    "evangelical", "adventist", "orthodox", "reformed", "anglican", "mennonite", "apostolic",
    "congregational", "community", "bible", "covenant", "nazarene", "assembly",
)  # fmt: skip
_CONGREGATIONS = (*(f"{faith} church" for faith in _FAITHS), "mosque", "synagogue", "gurdwara")
# A hospice is where a patient stays ("she's at Larkspur Hospice", "the nurse on duty at Tollgate
# Hospice": the sets' ADDRESS) and also an agency whose nurses visit at home: only "a nurse with
# Briar Lantern Hospice", "I work for …" names the employer.
_EMPLOYER_ONLY = frozenset(("hospice",))
# Staff who visit a patient at home from a hospice: "the chaplain from Quillmoor Hospice".
_VISITORS = frozenset((
    "nurse", "nurses", "aide", "aides", "chaplain", "worker", "workers", "volunteer", "volunteers",
    "coordinator", "liaison", "team", "doctor", "physician",
))  # fmt: skip
# Kinds that are everyday words in lower case ("on room air"): only a capitalised one ends a name.
_PROPER_ONLY = frozenset(("air",))
# Kinds that end no one's name nor any everyday phrase: these open a lower-case sentence as an
# organisation with no cue before them ("tollgate funeral home how can i help").
_UNMISTAKABLE = frozenset((
    "funeral home", "funeral homes", "funeral directors", "funeral services", "funeral chapel",
    "funeral parlor", "funeral parlour", "interpreting service", "interpreting services",
    "health network", "ambulance service", "ambulance services",
))  # fmt: skip
# A family business: "Kettle & Sons", "Pryce and Daughters", "Amis & Co".
_FAMILY_FIRMS = ("sons", "daughters", "brothers", "co")
_KINDS = tuple(
    sorted({*_PRACTICE_KINDS, *_OTHER_KINDS, *_CONGREGATIONS, *_EMPLOYER_ONLY}, key=lambda k: -len(k.split()))
)
# Payers and charities every caller may name, known by no kind word.
_NATIONAL = (
    "blue cross blue shield", "blue cross", "blue shield", "meals on wheels", "red cross",
    "march of dimes", "united way", "kaiser permanente", "united healthcare", "planned parenthood",
    "habitat for humanity", "alcoholics anonymous", "narcotics anonymous", "catholic charities",
    "rite aid", "salvation army", "ymca", "ywca",
    # carriers and chains a caller works for or buys from
    "greyhound", "amtrak", "megabus", "fedex", "walgreens", "cvs", "walmart", "costco", "uber", "lyft",
    "kroger", "amazon", "target", "meijer", "giant eagle", "safeway", "publix", "aldi", "home depot",
    "lowe's", "dollar general", "family dollar", "starbucks", "ups", "usps", "dhl",
    # services that bring a patient in, and a fund-raising site a family names
    "coast guard", "national guard", "gofundme",
)  # fmt: skip
# Those that house people too ("he sleeps at the salvation army"): a place after "at", "in" ….
_NATIONAL_STAYS = frozenset(("salvation army", "ymca", "ywca"))
_AT_A_PLACE = STAY_VERBS | frozenset(
    ("at", "in", "to", "into", "near", "by", "outside", "behind", "inside", "opposite")
)
# A name given for a company with no kind said: "the company is called Mutua something", "a firm
# called Ostrander", "the insurer's name is Allonby". Not an employer: that may be a person.
_CALLED = re.compile(
    r"\b(?:company|firm|insurer|insurance|carrier|agency|charity|business|airline)(?:'s|’s)?"
    r"(?:\s+(?:is|was))?\s+(?:called|named|name\s+is)\s+"
    # … or whom a cover is with: "his secondary is with Ashdown", "my insurance is through Tamsin
    # Life" (not "primary": that may be a doctor)
    r"|\b(?:secondary|insurance|coverage|cover)\s+(?:is|was)\s+(?:with|through)\s+",
    re.IGNORECASE,
)
# … or set beside it: "our company, Tidewell, pays for the physical" (capitalised only: in lower-case
# speech no comma is written to mark it).
_APPOSED = re.compile(
    r"\b(?i:our|my|his|her|their)\s+(?i:company|firm|insurer|carrier|agency|charity),\s+(?=[A-Z])"
)
# An ambulance or fire crew says its unit's call sign ("This is Medic 12", "rescue twenty one"): a
# vehicle of a service, no one's name.
_CALL_SIGNS = ("medic", "medics", "medevac", "rescue", "engine", "squad", "ladder", "ambulance")
_NUMBER_WORD = "|".join((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS))
# A merchant ship said by its prefix ("the purser on the MV Island Wren"): a ferry or a cargo ship
# whose crew calls, capitalised only ("mv" is a unit). A ship someone serves or lives aboard ("she
# serves aboard HMS …", a fishing vessel, FV) is where they live, as the sets label it, and is left
# to the finders; so is any ship said after a word of living or serving (_ABOARD).
_VESSEL = re.compile(r"\b(?:MV|M/V)\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}")
_ABOARD = re.compile(
    r"\b(?:aboard|board|lives|lived|living|serves|served|serving|stationed|crew)\W+(?:\w+\W+)?$"
)
# A sports team said as whom one plays ("we play the Harlow Hornets", "the game against the
# Eastfield Comets"): a town's or a school's name and a plural, capitalised; no one's name. A family
# said so has no word before its own ("against the Johnsons").
_TEAM = re.compile(
    r"\b(?i:play|plays|playing|played|against|versus|vs\.?|beat|beats|face|facing)\s+(?i:the)\s+"
    r"((?:[A-Z][\w'’-]*\s+){1,2}[A-Z][\w'’-]*s)\b"
)
_TEAM_WORDS = frozenset(
    ("play", "plays", "playing", "played", "against", "versus", "vs", "beat", "beats", "face", "facing")
)
_CALL_SIGN = re.compile(
    rf"\b(?:{'|'.join(_CALL_SIGNS)})\s+(?:\d+|(?:{_NUMBER_WORD})\b(?:[\s-]+(?:{'|'.join(DIGIT_WORDS)})\b)?)",
    re.IGNORECASE,
)

# Words that end an organisation's own name before its kind ("a call from Anna about surgery",
# "the note for my pharmacy"): function words, pronouns and the verbs of calling.
_NOT_OWN_NAME = frozenset((
    "about", "for", "regarding", "re", "to", "on", "in", "my", "her", "his", "their", "our", "your",
    "the", "a", "an", "and", "or", "after", "before", "of", "with", "at", "from", "is", "was", "said",
    "says", "called", "calling", "asked", "told", "this", "that", "it", "its", "it's", "i", "i'm",
    "im", "me", "we", "you", "he", "she", "they", "by", "no", "yes", "new", "any", "some", "what",
    "which", "local", "different", "same", "other", "another", "hospital", "here", "there", "um",
    "uh", "not", "but", "so", "if", "just", "also", "then", "now", "get", "got", "need", "needs",
    "company", "firm", "employer",
))  # fmt: skip
# A word of a home or a school in the name makes the whole a place someone lives or studies.
_LIVED_IN = frozenset(RESIDENCE_WORDS | SCHOOLS | STAY_PLACES | CARE_WORDS)
# A street's word in the name is a street, which the sets label wherever it is said ("the pharmacy
# at Holloway Parade"): "Harbour Row Pharmacy" may name the street a caller lives on.
_STREET_WORDS = frozenset((
    "street", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "boulevard", "blvd", "crescent",
    "close", "mews", "court", "ct", "terrace", "parkway", "highway", "row", "parade", "esplanade",
    "promenade", "alley", "square", "place", "way",
))  # fmt: skip
# Words before a name that make it a person's ("my son Kwame Agency"): kin and who someone is.
_PEOPLE = frozenset(
    RELATIVES | {"patient", "resident", "client", "named", "mr", "mrs", "ms", "miss", "mister"}
)
# Words after a kind that make the whole a home or a street ("… Memorial Home", "… Memorial Drive").
_GOES_ON = frozenset(_LIVED_IN | STREET_SUFFIXES)
# Words after which the caller names whom they deal with: "calling from", "a pharmacist at",
# "I'm with", "calling greenway memorial".
# "it's called" names it too: "the clinic down here, its called harbour view family practice".
_CUES = frozenset(("from", "at", "with", "calling", "ringing", "called"))
# "of" names whom a desk or office serves: "the medical office of Harrowgate Line cruises" (not
# "on behalf of", nor "the office of Harriet Vance, attorney", which ends in no kind).
_DESKS = frozenset(("office", "desk", "department", "team", "unit", "staff"))
_CUES_OR_OF = _CUES | {"of", "for"}
# "our company corvid logistics": whose employer is named next.
_EMPLOYERS = frozenset(("company", "firm", "employer"))
_OWNERS = frozenset(("our", "my", "his", "her", "their"))
# Said before "for", a verb of working makes what follows the employer ("I work for Quillmoor Hospice").
_WORKING = frozenset(("work", "works", "worked", "working", "volunteer", "volunteers", "drive", "drives"))
_OPENERS = frozenset(("hi", "hello", "hey", "yes", "yeah", "um", "uh", "oh", "so", "ok", "okay", "good",
                      "morning", "afternoon", "evening"))  # fmt: skip
# After "this is" a caller may give their own name first: only a one-word name is the business's.
_INTRODUCING = frozenset(("is", "it's", "its"))

# Abbreviations whose stop ends no sentence: "St. Anne's Pharmacy", "Mt. Hood Transport".
_ABBREVIATIONS = frozenset(("st", "mt", "ft"))
_WORD = re.compile(r"[^\W_][\w'’.-]*|&")
_GAP = re.compile(r"\s+")
_KIND_WORDS = frozenset(w for k in _KINDS for w in k.split()) | frozenset(_FAMILY_FIRMS)
_LAST_WORDS = frozenset(k.split()[-1] for k in _KINDS) | frozenset(_FAMILY_FIRMS)


def _by_last_word(kinds: tuple[str, ...]) -> dict[str, tuple[list[str], ...]]:
    """Each kind's words, under its last word, longest first as `kinds` holds them."""
    found: dict[str, list[list[str]]] = {}
    for kind in kinds:
        found.setdefault(kind.split()[-1], []).append(kind.split())
    return {last: tuple(parts) for last, parts in found.items()}


_KINDS_BY_LAST = _by_last_word(_KINDS)
# the words whose presence lets an organisation be named at all (a set look-up: one regex of them
# all, case-folded, read a text ten times slower)
_NATIONAL_ENDS = frozenset(n.split()[-1] for n in _NATIONAL)
_CALL_SIGN_WORDS = frozenset(_CALL_SIGNS)
_CALLED_WORDS = frozenset(
    ("called", "named", "name", "company", "firm", "insurer", "carrier", "agency", "charity", "secondary",
     "insurance", "coverage", "cover")
)  # fmt: skip
_VESSEL_WORDS = frozenset(("mv", "m"))
_GATE_WORDS = _LAST_WORDS | _NATIONAL_ENDS | _CALL_SIGN_WORDS | _CALLED_WORDS | _VESSEL_WORDS | _TEAM_WORDS
_LETTERS = re.compile(r"[a-z]+")
_NATIONAL_RE = re.compile(
    r"(?<![\w'’-])(?:" + "|".join(n.replace(" ", r"\s+") for n in _NATIONAL) + r")(?![\w'’-])",
    re.IGNORECASE,
)


def organisation_ranges(text: str) -> list[tuple[int, int]]:
    """Where `text` names an organisation: (start, end) of its own name and its kind."""
    said = set(_LETTERS.findall(text.lower()))
    if _GATE_WORDS.isdisjoint(said):
        return []
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    lows = [_kind_said(w[2].lower().rstrip(".")) for w in words]  # "Amis & Co.", "Hale Ltd."
    found = _national(text, words, lows) if not _NATIONAL_ENDS.isdisjoint(said) else []
    if not _CALL_SIGN_WORDS.isdisjoint(said):
        found += [m.span() for m in _CALL_SIGN.finditer(text)]
    if not _TEAM_WORDS.isdisjoint(said):
        found += [m.span(1) for m in _TEAM.finditer(text)]
    if not _VESSEL_WORDS.isdisjoint(said):
        found += [m.span() for m in _VESSEL.finditer(text) if not _lives_aboard(text, m.start())]
    lower_case = not any(c.isupper() for c in text)
    if not _CALLED_WORDS.isdisjoint(said):
        found += _called(text, words, lows, lower_case)
    for j, low in enumerate(lows):
        if low in _LAST_WORDS:
            span = _named(text, words, lows, j, lower_case)
            if span is not None:
                found.append(span)
    return found


def _lives_aboard(text: str, start: int) -> bool:
    """Is the ship at `start` said as where someone lives or serves ("she serves aboard …")?"""
    return _ABOARD.search(text, max(0, start - 24), start) is not None


def _kind_said(low: str) -> str:
    """A kind said as a possessive reads as the kind ("Marsh Valley Freight's safety office")."""
    if low.endswith(("'s", "’s")) and low[:-2] in _LAST_WORDS:
        return low[:-2]
    return low


def _national(text: str, words: list[tuple[int, int, str]], lows: list[str]) -> list[tuple[int, int]]:
    """The payers, charities and chains said by their own name alone, less a charity said as where
    someone stays ("he sleeps at the salvation army", "the Salvation Army shelter")."""
    found = []
    starts = {w[0]: k for k, w in enumerate(words)}
    ends = {w[1]: k for k, w in enumerate(words)}
    for m in _NATIONAL_RE.finditer(text):
        first, last = starts.get(m.start()), ends.get(m.end())
        if first is None or last is None:
            continue
        if last + 1 < len(words) and _joined(text, words, last) and lows[last + 1] in _GOES_ON:
            continue  # "the Red Cross shelter", "the YMCA hostel": a place someone stays
        if " ".join(lows[first : last + 1]) in _NATIONAL_STAYS and _at_a_place(text, words, lows, first):
            continue
        found.append(m.span())
    return found


def _called(
    text: str, words: list[tuple[int, int, str]], lows: list[str], lower_case: bool
) -> list[tuple[int, int]]:
    """A company's name said after "the company is called", "a firm named", or set beside "our
    company," between commas: its capitalised words, or in lower-case speech up to two words before
    a function word ("… called mutua something")."""
    found = []
    starts = {w[0]: k for k, w in enumerate(words)}
    apposed = [(m, True) for m in _APPOSED.finditer(text)]
    for m, beside in [(m, False) for m in _CALLED.finditer(text)] + apposed:
        first = starts.get(m.end())
        if first is None:
            continue
        last = first - 1
        while last + 1 < len(words) and last - first < 2 and (last < first or _joined(text, words, last)):
            low, said = lows[last + 1], words[last + 1][2]
            if low in _NOT_OWN_NAME or low in _PEOPLE or low in ("something", "like", "or"):
                break
            if not (_capitalised(said) or lower_case):
                break
            last += 1
            if lower_case and last - first == 1:
                break
        end = words[last][0] + len(words[last][2].rstrip(".")) if last >= first else None
        if end is not None and beside and text[end : end + 1] not in (",", ".", ""):
            continue  # "our company, Tidewell Anders said …": set beside it, a name ends at a comma
        if end is not None:
            found.append((words[first][0], end))
    return found


def _before(text: str, words: list[tuple[int, int, str]], lows: list[str], start: int) -> int | None:
    """The word said just before word `start`, past "the" or "a" ("at the", "from a"), if any."""
    k = start - 1
    if k >= 0 and lows[k] in ("the", "a", "an") and k > 0 and _joined(text, words, k - 1):
        k -= 1
    return k if k >= 0 and _joined(text, words, k) else None


def _at_a_place(text: str, words: list[tuple[int, int, str]], lows: list[str], start: int) -> bool:
    """Is the name at word `start` said as where someone is ("at", "in", "moved to", "sleeps at")?"""
    k = _before(text, words, lows, start)
    return k is not None and lows[k] in _AT_A_PLACE


def _for_an_employer(text: str, words: list[tuple[int, int, str]], lows: list[str], start: int) -> bool:
    """Is the name at word `start` said as whom someone works with or for ("a nurse with", "I work
    for", "the chaplain from")? Not "calling from" or "the nurse at": the sets label the place a
    caller rings from where a patient stays."""
    k = _before(text, words, lows, start)
    if k is None:
        return False
    if lows[k] == "with":
        return True
    said_before = lows[k - 1] if k > 0 and _joined(text, words, k - 1) else ""
    return (lows[k] == "for" and said_before in _WORKING) or (lows[k] == "from" and said_before in _VISITORS)


def _joined(text: str, words: list[tuple[int, int, str]], a: int) -> bool:
    """Are words a and a+1 said together (only spaces between them, no comma or full stop)?"""
    said = words[a][2]
    if said.endswith(".") and said.lower().rstrip(".") not in _ABBREVIATIONS:
        return False  # "Good afternoon. Tollgate Funeral Home": a sentence ends at the stop
    return _GAP.fullmatch(text, words[a][1], words[a + 1][0]) is not None


def _named(
    text: str, words: list[tuple[int, int, str]], lows: list[str], j: int, lower_case: bool
) -> tuple[int, int] | None:
    """The organisation whose kind ends at word j, with its own name before it, if one is said."""
    kind_first = _kind_start(text, words, lows, j)
    if kind_first is None:
        return None
    kind = " ".join(lows[kind_first : j + 1])
    if kind in _PROPER_ONLY and not _capitalised(words[j][2]):
        return None  # "on room air"
    if j + 1 < len(words) and _joined(text, words, j) and lows[j + 1] in _GOES_ON:
        return None  # "Oakwood Memorial Home", "Alders Group Home", "Memorial Drive": a home, a street
    if kind in _FAMILY_FIRMS and lows[kind_first - 1] not in ("&", "and"):
        return None  # "her sons", "the co": a family firm is "X & Sons"
    # the words said together before the kind, back to a function word: its own name ends them
    first = kind_first
    while first > 0 and kind_first - first < 4 and _joined(text, words, first - 1):
        low = lows[first - 1]
        if low in _NOT_OWN_NAME and not (low == "and" and first == kind_first and kind in _FAMILY_FIRMS):
            break
        first -= 1
    if first == kind_first:
        return None  # "the pharmacy", "my insurance": a kind, no one's name
    start = _own_name_start(text, words, lows, first, kind_first, kind in _UNMISTAKABLE and lower_case)
    if start is None:
        return None
    if kind in _EMPLOYER_ONLY and not _for_an_employer(text, words, lows, start):
        return None  # "she's at Larkspur Hospice": where she stays
    if kind in _CONGREGATIONS and _at_a_place(text, words, lows, start):
        return None  # "the funeral is at Grace Baptist Church", "staying at the …": a place
    if any(low in _LIVED_IN or low in _STREET_WORDS for low in lows[start:kind_first]):
        return None  # "the Greystone Care Home pharmacy": a home's; "Harbour Row Pharmacy": a street's
    if start > 0 and _joined(text, words, start - 1) and lows[start - 1] in _PEOPLE:
        return None  # "my daughter Grace Health": a person, however her name ends
    proper = all(_capitalised(words[k][2]) for k in range(start, kind_first + 1))
    if not proper and any(low.endswith(("'s", "’s")) for low in lows[start:kind_first]):
        return None  # "at tom's pharmacy": a person's, unless named so ("St. Anne's Pharmacy")
    return words[start][0], words[j][0] + len(words[j][2].rstrip("."))  # "… Funeral Home." ends a sentence


def _own_name_start(
    text: str, words: list[tuple[int, int, str]], lows: list[str], first: int, kind_first: int, opens: bool
) -> int | None:
    """Where the organisation's own name starts among the words first..kind_first, if it is one."""
    before = lows[first - 1] if first > 0 and _joined(text, words, first - 1) else ""
    cue = first - 1
    if before == "the" and first > 1 and _joined(text, words, first - 2) and lows[first - 2] in _CUES_OR_OF:
        before, cue = lows[first - 2], first - 2
    said_before = lows[cue - 1] if cue > 0 and _joined(text, words, cue - 1) else ""
    if before == "of" and said_before in _DESKS:
        before = "from"  # "the medical office of Harrowgate Line cruises": whom the office serves
    if (before == "for" and said_before in _WORKING) or (before in _EMPLOYERS and said_before in _OWNERS):
        before = "from"  # "i work for marlow staffing", "our company corvid logistics"
    if before in _CUES:
        return first  # "a pharmacist at fenwick drug", "calling from the hollin lane funeral home"
    if _capitalised(words[kind_first][2]):
        # a proper name wherever it is said ("Rose Pharmacy" on a label): its capitalised words
        start = kind_first
        while start > first and _capitalised(words[start - 1][2]):
            start -= 1
        return start if start < kind_first else None
    if opens:
        # "dunmore funeral directors speaking", "good morning dunmore funeral directors": one or two
        # words of its own opening what is said, in lower-case speech
        start = kind_first
        while start > first and kind_first - start < 2 and lows[start - 1] not in _OPENERS:
            start -= 1
        said_before = lows[start - 1] if start > 0 and _joined(text, words, start - 1) else ""
        if said_before in _INTRODUCING:
            return start if kind_first - start == 1 else None  # "this is anna tollgate funeral home"
        if said_before in ("", "the") or said_before in _OPENERS:
            return start if start < kind_first else None
    return None


def _kind_start(text: str, words: list[tuple[int, int, str]], lows: list[str], j: int) -> int | None:
    """The first word of the longest kind that ends at word j, or None."""
    for parts in _KINDS_BY_LAST.get(lows[j], ()):
        first = j - len(parts) + 1
        if first < 0 or lows[first : j + 1] != parts:
            continue
        if all(_joined(text, words, k) for k in range(first, j)):
            return first
    if lows[j] in _FAMILY_FIRMS and j > 0:
        return j
    return None


def _capitalised(word: str) -> bool:
    return word == "&" or word[:1].isupper()


def without_organisations(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    """The spans less the names and places that only (part of) an organisation's name is. Not an
    organisation whose own name holds a word of a person or place hidden elsewhere in the text ("I'm
    calling from Pryce & Sons about Dilys Pryce", "we live in Ashby, Ashby Transport drove us"):
    said plainly, the business's name would tell what the redaction hid."""
    spans = [s for s in spans if not (s[2] in ("ADDRESS", "NAME") and _bare_kind(text[s[0] : s[1]]))]
    ranges = organisation_ranges(text)
    if not ranges:
        return spans
    places = [s for s in spans if s[2] in ("ADDRESS", "NAME")]
    inside = {s for s in places if _names_no_one(text, s, ranges)}
    hidden = {w.lower() for s in places if s not in inside for w in _WORD.findall(text[s[0] : s[1]])}
    hidden -= _NOT_OWN_NAME | _LIVED_IN | _STREET_WORDS | _KIND_WORDS
    if hidden:
        ranges = [r for r in ranges if hidden.isdisjoint(w.lower() for w in _WORD.findall(text[r[0] : r[1]]))]
        inside = {s for s in inside if _names_no_one(text, s, ranges)}
    if any(c.isupper() for c in text):
        inside |= _tails(text, [s for s in places if s not in inside], ranges)
    return [s for s in spans if s not in inside]


def _tails(text: str, places: list[CharSpan], ranges: list[tuple[int, int]]) -> set[CharSpan]:
    """The everyday lower-case words said right after an organisation's capitalised name that a
    finder read as a name or place of their own ("the Orrin Airlines crew desk", "a St. Brendan's
    Catholic Church food pantry"): in speech written with capitals, a lower-case dictionary word
    is no one's name, and after the organisation it says what of it is meant."""
    ends = {b for _, b in ranges}
    tails: set[CharSpan] = set()
    for span in sorted(places):
        if not any(_GAP.fullmatch(text, b, span[0]) for b in ends if b < span[0]):
            continue
        said = _WORD.findall(text[span[0] : span[1]])
        if said and all(w.islower() and is_dictionary_word(w) for w in said):
            tails.add(span)
            ends.add(span[1])  # "food" then "pantry": the tail runs on
    return tails


# A kind said with no name of its own ("the hospice said to call them first", "the care home's
# number"): which hospice it is was never said, so it identifies no one. A house known by a name
# ("the grange") is someone's home: not these.
_BARE_KIND_WORDS = (_KIND_WORDS | CARE_WORDS | {"hospice", "home", "shelter", "facility"}) - DWELLINGS
# Its staff said after it name a role, not anyone ("the home care coordinator", "the hospice nurse").
_STAFF = frozenset((
    "coordinator", "nurse", "nurses", "manager", "driver", "drivers", "team", "office", "desk", "staff",
    "aide", "aides", "worker", "workers", "chaplain", "director", "van", "bus",
))  # fmt: skip
_BARE_KIND = re.compile(r"(?:the|a|an|this|that)\s+([a-z]+(?:\s+[a-z]+){0,2})(?:['’]s)?", re.IGNORECASE)


def _bare_kind(said: str) -> bool:
    """Is this name or place only "the" and a kind ("the hospice", "The care home"), perhaps with a
    role of its staff ("the home care coordinator")?"""
    m = _BARE_KIND.fullmatch(said)
    if m is None:
        return False
    lows = m.group(1).lower().split()
    if lows[-1] in _STAFF and len(lows) > 1:
        lows.pop()
    return all(w in _BARE_KIND_WORDS for w in lows)


def _names_no_one(text: str, span: CharSpan, ranges: list[tuple[int, int]]) -> bool:
    """Is the name or place at `span` only (part of) an organisation's name: wholly inside one, or
    running into one from lower-case everyday words ("and uses Bexley Drug" read as one place)?"""
    for a, b in ranges:
        if a <= span[0] and span[1] <= b:
            return True
        if span[0] < b and a < span[1]:
            outside = text[span[0] : max(a, span[0])] + " " + text[min(b, span[1]) : span[1]]
            said = _WORD.findall(outside)
            if said and all(w.islower() and is_dictionary_word(w) for w in said):
                return True
    return False
