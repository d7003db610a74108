"""The tenth round, places: the kinds of ADDRESS a tenth held-out set (corpus_heldout10, written by
someone who read neither the rules nor sets 1-9) showed passing through, each in sentences of its
own (none of the set's), in lower-case recognizer text and in Whisper's capitals and digits. Places
someone stays who has no home of their own or lives where they serve or study (a shelter, a mission,
a refuge, a marina and its slip, a campground and its site, a fort or a camp, a prison, a rehab
centre, sheltered housing, a hall of residence, a school named by a word no dictionary holds); a
town or a county made of everyday words ("copper falls", "tolbridge county"); a town or a city known
by name (GeoNames, towns.py) after "in", "from" or a relative ("my son in nottingham", "my parents
are both in peshawar") or as an area ("from the Aberdeen area"); a street named after its house
number by a word that ends streets only there ("fifty one heron ridge"); a run-on town after a
flat's letter; houses named by trees or old buildings; a street said after a house and a comma. And
what is not PHI: a bus shelter, a town hall, the state university, a slip on the ice, another town,
"in reading", "in march", "in college", a daughter-in-law, bank statements, a practice that calls."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from appliance.privacy.redaction.towns import PLACE_NAMES_FILE, PLACE_NAMES_SHA256, place_names, town_words
from tests.privacy.redaction_checks import hidden, kept

STAYS = (
    ("she's been sleeping at the candle mission since june", "candle mission"),
    ("We're staying at the Bramblegate Family Shelter for now.", "Bramblegate Family Shelter"),
    ("hes been staying at the harbour womens refuge", "harbour womens refuge"),
    ("my nephew is stationed at fort quellan and wants his results", "fort quellan"),
    ("my dad is at orrick recovery center for two more weeks", "orrick recovery center"),
    ("My brother is at Pellbrook Recovery Center until Friday.", "Pellbrook Recovery Center"),
    ("my son stays at vantree hall at corvey university", "vantree hall corvey university"),
    ("my granddaughter goes to pellow elementary and the school nurse rang", "pellow elementary"),
    ("we're at the Quillon Inn off the motorway while she's in here", "Quillon Inn"),
    ("my son is locked up at the dunmere correctional facility", "dunmere correctional facility"),
    ("He's held at Brackwater Detention Center.", "Brackwater Detention Center"),
    ("my gran lives in orlen sheltered housing", "orlen sheltered housing"),
    ("he's in the barracks at camp tarrow", "camp tarrow"),
)


@pytest.mark.parametrize(("text", "secret"), STAYS)
def test_a_place_someone_stays_is_an_address(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_a_marina_and_the_slip_a_boat_lives_in_are_hidden() -> None:
    hidden("He lives on a narrowboat at Tidewell Marina, slip 22.", "Tidewell Marina 22", "ADDRESS")
    hidden("were in bunk 7 at the night shelter on dray street", "7", "ADDRESS")
    hidden("We're in a tent at Wrenfield Campground, site 41.", "Wrenfield Campground 41", "ADDRESS")
    kept("the site 2 nurses said it was fine")


NOT_STAYS = (
    "i'll wait for you at the bus shelter",
    "we met at the town hall for the flu jabs",
    "he's studying at the state university",
    "she had a slip 2 weeks ago and hurt her hip",
    "the cardiac rehab center said to bring trainers",
    "we parked behind the medical facility",
)


@pytest.mark.parametrize("text", NOT_STAYS)
def test_a_place_anyone_goes_is_kept(text: str) -> None:
    kept(text)


TOWNS_OF_WORDS = (
    ("she lives in copper falls now", "copper falls"),
    ("we moved to heron landing last spring", "heron landing"),
    ("Mum lives in Otter Ferry these days.", "Otter Ferry"),
    ("we live out in tolbridge county", "tolbridge county"),
)


@pytest.mark.parametrize(("text", "secret"), TOWNS_OF_WORDS)
def test_a_town_of_everyday_words_is_told_by_its_ending(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


@pytest.mark.parametrize(
    "text", ["we moved to another town last year", "they live in the old town", "i live in fear of falls"]
)
def test_some_town_or_a_fear_is_no_place(text: str) -> None:
    kept(text)


KNOWN_TOWNS = (
    ("my son in nottingham has the spare key", "nottingham"),
    ("her sister's in Adelaide and can't come over", "Adelaide"),
    ("the letter went to my mum in harrogate by mistake", "harrogate"),
    ("I had the operation in Toulouse two years ago.", "Toulouse"),
    ("she was born in bruges", "bruges"),
    ("were from stratford upon avon originally", "stratford upon avon"),
    ("He's in Stratford-upon-Avon this week.", "Stratford-upon-Avon"),
    ("my parents are both in peshawar", "peshawar"),
    ("we're from the Aberdeen area", "Aberdeen"),
    ("shes somewhere near the doncaster area", "doncaster"),
)


@pytest.mark.parametrize(("text", "secret"), KNOWN_TOWNS)
def test_a_town_known_by_name_after_in_or_from_is_an_address(text: str, secret: str) -> None:
    hidden(text, secret.replace("-", " "), "ADDRESS")


def test_a_town_named_after_the_town_of_or_after_a_number_and_a_comma_is_hidden() -> None:
    hidden("she lives in the town of reading now", "reading", "ADDRESS")
    hidden("We moved to the village of Much Wenlock.", "Much Wenlock", "ADDRESS")
    hidden("the flat is Calle Mayor 4, Madrid", "Madrid", "ADDRESS")
    kept("it's a town of about five thousand people")


NOT_TOWNS = (
    "i'm calling in march about my reading glasses",
    "he's in reading group on tuesdays",
    "my son's in college now so he's not home",
    "my daughter in law will drive me",
    "the signal's bad, we're not near mobile reception",
    "can you ring back in a bit",
    "please wait in the waiting area",
    "it's in the area of my lower back",
)


@pytest.mark.parametrize("text", NOT_TOWNS)
def test_everyday_words_that_are_also_towns_are_kept(text: str) -> None:
    kept(text)


def test_the_town_list_is_the_pinned_file_and_holds_no_everyday_word() -> None:
    import hashlib

    assert hashlib.sha256(PLACE_NAMES_FILE.read_bytes()).hexdigest() == PLACE_NAMES_SHA256
    names = place_names()
    assert {"sheffield", "nairobi", "bradford on avon", "saint étienne", "saint etienne"} <= names
    assert not {"reading", "march", "mobile", "bath", "nice", "college", "may", "hope"} & names
    assert "port" not in town_words() and "new" not in town_words()  # the gate opens on rare words only


NUMBERED_STREETS = (
    ("i'm at fifty one heron ridge", "fifty one heron ridge"),
    ("The house is 9 Kestrel View, Marlow.", "9 Kestrel View Marlow"),
    ("its twenty two b moss bank in thornaby", "twenty two b moss bank thornaby"),
    ("send it to 14 Quarry Cottages please", "14 Quarry Cottages"),
)


@pytest.mark.parametrize(("text", "secret"), NUMBERED_STREETS)
def test_a_street_ending_only_after_its_number_is_an_address(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


@pytest.mark.parametrize(
    "text", ["we need 2 bank statements for the form", "it's 3 miles past the bend", "she scored 2 points"]
)
def test_a_number_before_such_a_word_is_no_house(text: str) -> None:
    kept(text)


def test_a_town_said_after_a_flats_letter_in_run_on_text_is_hidden() -> None:
    hidden("forty four wren walk apartment six b maple falls", "maple falls", "ADDRESS")
    hidden("unit two carter mews sutton coldfield and my phone is", "sutton coldfield", "ADDRESS")


HOUSES = (
    ("my gran's at the beeches on mill road", "beeches"),
    ("She's at the Sycamores now.", "Sycamores"),
    ("he lives at the old rectory", "old rectory"),
    ("they live at the grange", "grange"),
)


@pytest.mark.parametrize(("text", "secret"), HOUSES)
def test_a_house_named_by_trees_or_an_old_building_is_an_address(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_the_street_after_a_house_and_a_comma_is_hidden_with_it() -> None:
    hidden("we're at the old vicarage, church walk", "church walk", "ADDRESS")
    kept("we sat under the oaks in the park")


def test_a_practice_calling_is_no_one_s_address() -> None:
    kept("I'm calling from Harwell Dialysis about a shared patient.")


def test_room_letters_inside_a_code_make_no_empty_span() -> None:
    spans = redact("The plan number is 7QX4-TB9-RM52.").spans
    assert spans and all(s.start < s.end for s in spans)
