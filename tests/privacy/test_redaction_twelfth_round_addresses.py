"""The twelfth round, places: the kinds of ADDRESS and ZIP a twelfth held-out set (corpus_heldout12,
written blind) showed passing through, each in sentences of its own (none of the set's), in
lower-case recognizer text and in Whisper's capitals and digits. A unit written after a street
abroad (Puerto Rico's lot after its numbered calle, Denmark's floor and side), and the postcode
and town written after it; a town known by name after "before that", after "home to" and before
"office"; a town of everyday words after an address ("… apartment three in comfort") or between a
P.O. box and its state; a house said as the address with no street word, and the UK postcode said
after it letter by letter; a pub or an inn someone was taken from; a ZIP after a suite's number; a
Canadian postcode written. And what is not PHI, though the tagger read it as a place: a language,
a school year, a vitamin, a dose off a label, a car said by its colour, a territory with a state's
standing (the Faroe Islands, Guam)."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

UNITS_ABROAD = (
    ("we moved to urbanización sierra linda, calle 12, d-3, in caguas", "d-3"),
    ("Her address is Urb. Monte Verde, Calle 7 C-9, Toa Baja.", "C-9"),
    ("I'm staying at Vestergade 14, 3. th., in Odense.", "th."),
    ("Send it to Søndergade 31, st. tv., please.", "tv."),
)


@pytest.mark.parametrize(("text", "secret"), UNITS_ABROAD)
def test_a_unit_written_after_a_street_abroad_is_hidden_with_it(text: str, secret: str) -> None:
    out = redact(text).text
    assert "[ADDRESS]" in out and secret not in out, out


POSTCODE_FIRST = (
    (
        "Send the papers to Vesterbrogade 12, 1620 København V, please.",
        "Send the papers to [ADDRESS], please.",
    ),
    ("I live at Storgatan 4, 41138 Göteborg.", "I live at [ADDRESS]."),
    ("It's Rua do Ouro 88, 1100-063 Lisboa, on the third floor.", "It's [ADDRESS], on the third floor."),
)


@pytest.mark.parametrize(("text", "out"), POSTCODE_FIRST)
def test_a_postcode_and_town_written_after_a_street_abroad_are_one_address(text: str, out: str) -> None:
    assert redact(text).text == out


KNOWN_TOWNS_IN_NEW_FRAMES = (
    ("we lived in accra for ten years and before that kumasi", "kumasi"),
    ("she was in bergen, and after that tromsø", "tromsø"),
    ("all he wants is to fly home to kumasi for christmas", "kumasi"),
    ("hi it's dana from the bergen office, calling about one of our drivers", "bergen"),
    ("my son works at the leeds branch of a bank", "leeds"),
)


@pytest.mark.parametrize(("text", "secret"), KNOWN_TOWNS_IN_NEW_FRAMES)
def test_a_town_known_by_name_is_hidden_in_these_frames(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_no_town_in_the_same_frames_is_kept() -> None:
    kept("he wants to go home to bed")
    kept("before that kevin was the one who called")
    kept("i'm calling from the billing office about a bill")


EVERYDAY_TOWNS_AFTER_AN_ADDRESS = (
    ("i'm at forty two larch avenue unit six in accident and the door won't lock", "accident"),
    ("we're at 18 mill road in boring, nobody has come", "boring"),
    ("my mum is at 7 fern lane apartment 3 in comfort and she fell", "comfort"),
    ("send the forms to po box two twelve, truth, idaho", "truth"),
    ("please mail it to p o box nine eighty protection kansas six seven one two seven", "protection"),
)


@pytest.mark.parametrize(("text", "secret"), EVERYDAY_TOWNS_AFTER_AN_ADDRESS)
def test_a_town_of_everyday_words_after_an_address_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_what_follows_an_address_and_is_no_town_is_kept() -> None:
    assert redact("she stays at 4 oak lane in winter").text == "she stays at [ADDRESS] in winter"
    kept("there's no point in living like this")
    kept("we went for a walk in nature on sunday")
    assert redact("i work on oak street in sales").text.endswith(" in sales")
    assert "ohio" in redact("the box is po box 9 in ohio").text


def test_a_house_said_as_the_address_and_its_spoken_postcode_are_hidden() -> None:
    text = "my nan's address is nine pen y bryn dolgellau l l four zero one a b"
    out = redact(text).text
    assert "[ADDRESS]" in out and "[ZIP]" in out, out
    for word in ("pen", "bryn", "dolgellau", "zero"):
        assert word not in out.split(), out
    assert redact("her address is 7 bryn awel, bala").text.startswith("her address is [ADDRESS]")
    kept("the address is 3 blocks away from the station")
    kept("my email address is 5 letters long")


VENUES = (
    ("the paramedics picked him up from the white hart inn on station road", "white hart"),
    ("an ambulance took my dad from the kings arms pub in ruthin", "kings arms"),
    ("They found her outside the Golden Fleece Hotel, she'd fallen.", "Golden Fleece"),
)


@pytest.mark.parametrize(("text", "secret"), VENUES)
def test_a_pub_or_inn_someone_was_taken_from_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_a_pub_said_in_passing_is_kept() -> None:
    kept("we had lunch at the local pub")
    kept("she was at the pub on friday")
    kept("I had a drink at the red lion pub")


def test_a_zip_after_a_suites_number_and_a_town_is_hidden() -> None:
    hidden("Mail it to 300 Harlow Avenue, Suite 12, Brookvale, 60411.", "60411", "ZIP")
    hidden("send it to nine ten quill street suite three hundred brookvale six oh four one one", "six", "ZIP")


def test_a_canadian_postcode_written_is_hidden() -> None:
    hidden("My address is 14 Birch Road, Iqaluit, Nunavut, K2P 1L4.", "K2P", "ZIP")
    hidden("Postal code M5V3L9, in Toronto.", "M5V3L9", "ZIP")


NOT_PLACES = (
    ("Our neighbour is lovely but does not speak much English.", "much English"),
    ("Grandad has never spoken much English, he was a sailor.", "much English"),
    ("This is Eilidh NicLeòid, that's the Gaelic, the school has her as Ellie.", "the Gaelic"),
    ("She's in 2nd grade at the school on the hill.", "2nd grade"),
    ("She's been on vitamin D and calcium since the fall.", "vitamin D"),
    ("The label says Metformin 500 mg, take one twice daily with food.", "take one"),
    ("My mom's car, the silver Camry in the garage, got a parking ticket.", "the silver Camry"),
    ("It's the maroon Impala parked in the garage, plate number ends 44.", "the maroon Impala"),
    ("the gray Altima in the driveway is hers, the plate is on file", "the gray Altima"),
)


@pytest.mark.parametrize(("text", "said"), NOT_PLACES)
def test_what_the_tagger_took_for_a_place_and_is_none_is_kept(text: str, said: str) -> None:
    out = redact(text, tagged=True).text
    assert said in out, out


def test_a_town_named_with_a_colour_is_still_hidden() -> None:
    hidden("she lives in Green Bay and keeps her car there", "Green", "ADDRESS", tagged=True)
    hidden("he moved to Red Deer last year", "Deer", "ADDRESS", tagged=True)


TERRITORIES = (
    ("my cousin grew up in the faroe islands before moving here", "faroe islands"),
    ("She lives in Dededo, Guam, near the base.", "Guam"),
    ("my brother lives on the Isle of Man now", "Isle of Man"),
)


@pytest.mark.parametrize(("text", "said"), TERRITORIES)
def test_a_territory_with_a_states_standing_is_kept_whole(text: str, said: str) -> None:
    out = redact(text, tagged=True).text
    assert said in out, out
