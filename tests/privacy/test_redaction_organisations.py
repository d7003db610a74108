"""Organisations a caller names are no one's identifier (organisations.py): a funeral home, a
pharmacy, a transport company, an EMS crew, an interpreting service, a health network, an insurer,
a charity, a family firm. They stay as said, with the rules alone and with the tagger, while a
person named beside them, a home where someone lives (a care home, a hospice, assisted living) and
a school a child attends are still hidden. Sentences of their own, none from a held-out set."""

from __future__ import annotations

import re

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import kept

ORGANISATIONS = (
    "Good morning, Alderwick Funeral Home, how can I help?",
    "this is the night line at thornbury funeral directors",
    "thornbury funeral directors good evening",
    "I'm a pharmacist at Quenby Drug, calling to check a dose.",
    'the label says "Pellham Pharmacy" and two refills',
    "i'm calling from larchfield transport about tomorrow's pickups",
    "This is Coldharbour EMS, we are ten minutes out.",
    "hi this is the dispatcher at greywell ambulance service",
    "booked through Tallow Bridge Interpreting Services for next week",
    "I work for Saltmarsh Health Network, not for the hospital.",
    "we had a letter from blue cross blue shield about the claim",
    "I volunteer with Meals on Wheels on Tuesdays.",
    "calling from Amis & Sons Funeral Directors about the paperwork",
    "I'm with the Marrowby Foundation, we run the winter coat drive.",
    "This is Medic 4, ten minutes out with a cardiac patient.",
    "I'm calling from Adult Protective Services about a welfare check.",
    "calling from Brackwater Health about a referral we sent",
    "this is the front desk at Patriot Urgent Care",
    # a possessive in a name said as a proper name is the business's own
    "I'm calling from St. Anne's Pharmacy about a missing refill.",
    "I'm calling from the Alzheimer's Association about the caregiver class.",
)


@pytest.mark.parametrize("text", ORGANISATIONS)
@pytest.mark.parametrize("tagged", (False, True))
def test_an_organisation_a_caller_names_is_kept(text: str, tagged: bool) -> None:
    kept(text, tagged=tagged)


BESIDE = (
    # (text, what stays, what is hidden)
    ("Hi, this is Talia Brenner from Alderwick Funeral Home about Osric Pell.", "Alderwick Funeral Home",
     ("Talia Brenner", "Osric Pell")),
    ("im a pharmacist at quenby drug calling about a script for wendell amaro", "quenby drug",
     ("wendell amaro",)),
    ("Larchfield Transport will pick her up from the Hazelmere Care Home.", "Larchfield Transport",
     ("Hazelmere",)),
    ("she lives at Fernlea Assisted Living and uses Bexley Drug", "Bexley Drug", ("Fernlea",)),
    ("she's at the Larkspur Hospice now, the Corran Funeral Home is waiting", "", ("Larkspur",)),
    ("This is Medic 4, we have Rowena Tallis, 93, from 8 Quarry Row.", "Medic 4",
     ("Rowena Tallis", "Quarry")),
    ("I'm calling from Amis & Sons about Dilys Pryce.", "Amis & Sons", ("Dilys", "Pryce")),
    ("this is bert from the interpreter agency booking an interpreter for ilse marrow",
     "the interpreter agency", ("bert", "ilse marrow")),
)  # fmt: skip


@pytest.mark.parametrize(("text", "stays", "secrets"), BESIDE)
@pytest.mark.parametrize("tagged", (False, True))
def test_a_person_or_home_beside_an_organisation_is_still_hidden(
    text: str, stays: str, secrets: tuple[str, ...], tagged: bool
) -> None:
    out = redact(text, tagged=tagged).text
    assert stays in out, out
    for secret in secrets:
        assert not any(re.search(rf"\b{re.escape(w)}\b", out) for w in secret.split()), out


HOMES_AND_SCHOOLS = (
    # a home or school's word in the name, before or after a kind, keeps it a place someone lives
    ("the pharmacist at the Greystone Nursing Home pharmacy called", "Greystone"),
    ("she was in the Alders Group Home until march", "Alders"),
    ("the school nurse at Hartwell Primary School called about my son", "Hartwell"),
    ("my neighbour Odile's pharmacy is closed", "Odile's"),
    ("he lives on Memorial Drive in Ashcombe", "Ashcombe"),
    # a street in a business's name may be the caller's own; a relative's name may end in a kind
    ("we live at 14 Harbour Row and use Harbour Row Pharmacy", "Harbour"),
    ("my daughter Grace Health is the patient", "Grace"),
)


@pytest.mark.parametrize(("text", "secret"), HOMES_AND_SCHOOLS)
def test_a_home_a_school_or_a_person_named_with_a_kind_is_still_hidden(text: str, secret: str) -> None:
    for tagged in (False, True):
        out = redact(text, tagged=tagged).text
        assert secret not in out, out


def test_a_family_and_a_family_firm_are_told_apart() -> None:
    assert "[NAME]" in redact("the funeral is on friday with ansel dunmore and his sons").text
    assert "[NAME]" in redact("my husband and sons are coming in with fennimore").text


def test_a_possessive_before_a_kind_said_in_lower_case_stays_a_person() -> None:
    # the tagger reads "tom's" as a name; "at" before it must not make "tom's pharmacy" a business
    assert "tom's" not in redact("at tom's pharmacy they said no refills", tagged=True).text


@pytest.mark.parametrize(
    ("text", "secret"),
    (
        ("I'm calling from Pryce & Sons about Dilys Pryce.", "Pryce"),
        ("he drove for Kestrel Transport, that's Ewan Kestrel, my son", "Kestrel"),
        ("we live in Ashby, and Ashby Transport drove us here", "Ashby"),
    ),
)
def test_a_business_named_like_a_person_or_place_hidden_beside_it_is_hidden_too(
    text: str, secret: str
) -> None:
    # said plainly, the business's name would tell the surname or town the redaction hid
    for tagged in (False, True):
        out = redact(text, tagged=tagged).text
        assert secret not in out, out


CARRIERS_AND_FIRMS = (
    # airlines, cruise lines, coach companies, event firms, research sites and hauliers call about a
    # passenger, a guest, a participant or a worker: the firm is no one's identifier
    "I'm calling for the Tamsin Airways medical desk about a passenger we landed early.",
    "This is the ship's nurse at the medical office of Harrowgate Line cruises.",
    "I'm the coordinator with Saffron Gate Events, one of our guests fell at the reception.",
    "calling from Pellory Clinical Research about a study visit next week",
    "Our employer, Corvid Logistics, pays for the physical but not the drug screen.",
    "he drives for Ostwick Trucking and is away most weeks",
    "A Grace Baptist Church bus brings the residents to the clinic.",
    "We're with Amtrak, one of our passengers collapsed on the platform.",
    "The Salvation Army gave him a coat and the Red Cross found him a bed.",
    "the insurer is called Allonby something, I have the card here.",
    "Our company, Tidewell, pays for the physical but not the scan.",
    "My agency, Calloway, placed her with the family last spring.",
    # employers whose staff call about a worker or a client
    "Hi, I'm a nurse with Marlow Staffing, I'm covering nights on your ward.",
    "This is Halberd & Greene LLP, we represent the family.",
    "I'm with Ridgeline Construction, one of our workers fell off a ladder.",
    "I'm calling from Lakeside Legal Aid about a client.",
    # in lower-case speech, after a verb of working for it or "our company"
    "i work for marlow staffing and im covering nights on your ward",
    "our company corvid logistics pays for the physical",
    "she volunteers for the kettering foundation on weekends",
    # what of the organisation is meant, said after its name; its name as a possessive
    "calling from the Orrin Airlines crew desk about a flight attendant",
    "There's a St. Brendan's Catholic Church food pantry on Tuesdays.",
    "This is Marsh Valley Freight's safety office about a driver's physical.",
    "We got a ride with Uber and the driver walked her in.",
    # a hospice whose nurses visit at home, said as whom the nurse works with or for
    "Hello, I'm a hospice aide with Briar Lantern Hospice, calling about a comfort kit.",
    "I work for Quillmoor Hospice and we need the discharge summary.",
    "This is the chaplain from Quillmoor Hospice, I visit her on Thursdays.",
)


@pytest.mark.parametrize("text", CARRIERS_AND_FIRMS)
@pytest.mark.parametrize("tagged", (False, True))
def test_a_carrier_a_firm_or_a_caller_s_employer_is_kept(text: str, tagged: bool) -> None:
    kept(text, tagged=tagged)


PLACES_SOMEONE_STAYS = (
    # the same kinds said as where someone is: a hospice, a charity's shelter, a church
    ("My mother is at Quillmoor Hospice now, room twelve.", "Quillmoor"),
    ("she moved to Quillmoor Hospice on monday", "Quillmoor"),
    ("she came home from Quillmoor Hospice on friday", "Quillmoor"),
    ("This is the nurse on duty at Quillmoor Hospice, about bed four.", "Quillmoor"),
    ("he sleeps at the salvation army most nights", "salvation"),
    ("She's staying at the Salvation Army shelter on Ketch Street.", "Ketch"),
    ("this is Faith Church from up the road, I look after my neighbour", "Faith"),
    ("my son lives in Falls Church with his wife", "Falls"),
)


@pytest.mark.parametrize(("text", "secret"), PLACES_SOMEONE_STAYS)
def test_a_place_someone_stays_or_a_person_named_like_a_firm_is_still_hidden(text: str, secret: str) -> None:
    for tagged in (False, True):
        out = redact(text, tagged=tagged).text
        assert secret not in out, out


@pytest.mark.parametrize(
    ("text", "secret"),
    (
        ("We're with Tamsin Airways, the passenger is Odo Fenwright.", "Fenwright"),
        ("calling from Pellory Clinical Research about participant Anwen Dray", "Dray"),
        ("the company is called Allonby, and my husband Piers Allonby owns it", "Allonby"),
        # a name said right after the organisation's is no tail of it
        ("This is Quenby Drug Odo Fenwright's refill is ready", "Fenwright"),
        ("Our company, Tidewell Anders said to call you.", "Anders"),
        ("i work for dilys pryce and she needs her refill", "pryce"),
        ("This is Kessel Manufacturing's safety manager, Ines Kovar, about a worker.", "Kovar"),
        ("she was on room air and her son Ewan Kestrel was with her", "Kestrel"),
    ),
)
def test_a_person_beside_a_carrier_or_a_firm_is_still_hidden(text: str, secret: str) -> None:
    for tagged in (False, True):
        out = redact(text, tagged=tagged).text
        assert secret not in out, out


@pytest.mark.parametrize(
    "text",
    (
        "Her breathing was worse overnight, and the hospice said to give the next dose early.",
        "The care home said she ate breakfast and then got dizzy.",
        "the funeral home wants the death certificate by friday",
    ),
)
@pytest.mark.parametrize("tagged", (False, True))
def test_a_kind_said_with_no_name_of_its_own_is_kept(text: str, tagged: bool) -> None:
    # which hospice or home it is was never said: it identifies no one
    kept(text, tagged=tagged)


def test_a_role_at_a_kind_of_organisation_names_no_one() -> None:
    # the tagger read "the home care coordinator" as a place; the caller's own name stays hidden
    for tagged in (False, True):
        text = "Hi, I'm Wenna Trist, the home care coordinator, and I'm calling to book a visit for Mr. Vosk."
        out = redact(text, tagged=tagged).text
        assert "the home care coordinator" in out, out
        assert "Trist" not in out and "Vosk" not in out, out


def test_a_house_known_by_a_name_is_still_hidden() -> None:
    for tagged in (False, True):
        assert "grange" not in redact("he lives at the grange, past the chapel", tagged=tagged).text
