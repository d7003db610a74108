"""The sixteenth round's names and places: those a fifteenth held-out set (corpus_heldout15) showed
passing through or hidden wrongly, each kind in sentences of its own (none of the set's).
Places: a care home named with "and Rehab" ("Larchfield Nursing and Rehabilitation") and a
post-acute home ("Ashby Post-Acute") are one place, not a place and a name; a school said with its
kind ("at marlow brook middle school", "Tamsin Ridge High School") and a daycare by its name
("at tiny acorns learning center", "bumblebee daycare") are places where a child goes; a block of
flats by its name ("the quillon apartments number six") is a place. "the local high school", "a
good middle school", "the new apartments", "for rehab" name none; nor does a question tag after
an address ("… Mill Road, correct?") name a town, nor a chain store ("at the Kroger", "works at
the Amazon warehouse") a place.
Names: a relative said with a doctor's title ("my father, Dr. Idris Kamali") is family, not staff;
a name said after a role and a comma to the clause's end ("the care coordinator again, wenna")
is hidden; "Hope so." and "guess not" are replies, not names. A town of an everyday word after a
journey said with its direction ("we drove up from buffalo", "She came down from Mobile") is a
place, not where one comes from every day ("came in from work"). A name glossed by its own word
("its love like love") is hidden once, the gloss kept; a word of a spoken email said again to
spell it ("… dot com, pike like the fish") is a name. A unit by its letter ("unit b") and a rehab
by a name no dictionary holds ("at quillfern rehab") are places; "pulmonary rehab" is care."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

CARE_HOMES_WITH_REHAB = (
    ("My aunt is at Larchfield Nursing and Rehabilitation until Friday.", "Larchfield Nursing"),
    ("Dad's been at Corbin Vale Health & Rehab since the fall.", "Corbin Vale Health & Rehab"),
    ("She moved to Dunmore Care and Rehab Center, Room 40.", "Dunmore Care and Rehab Center"),
    ("He is staying at Ashby Post-Acute for a couple of weeks.", "Ashby Post-Acute"),
)


@pytest.mark.parametrize(("text", "secret"), CARE_HOMES_WITH_REHAB)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_care_home_named_with_its_rehab_is_one_place(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "ADDRESS", tagged)
    assert "[NAME]" not in redact(text, tagged=tagged).text


SCHOOLS_AND_DAYCARES = (
    ("my daughter is in sixth grade at marlow brook middle school", "marlow brook middle school"),
    ("this is the nurse at pellham high school calling about a student", "pellham high school"),
    ("he needs his shots for tarrow creek elementary school", "tarrow creek elementary school"),
    ("She goes to Tamsin Ridge High School in Delaware.", "Tamsin Ridge High School"),
    ("our son goes to tiny acorns learning center on weekdays", "tiny acorns learning center"),
    ("the form is for bumblebee daycare they want it friday", "bumblebee daycare"),
    ("She's at Hollin Wood Preschool in the mornings.", "Hollin Wood Preschool"),
)


@pytest.mark.parametrize(("text", "secret"), SCHOOLS_AND_DAYCARES)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_school_or_daycare_by_its_name_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "ADDRESS", tagged)


NAMED_BUILDINGS = (
    ("my mother lives at the quillon apartments number six", "quillon apartments"),
    ("he just moved into the brackwater towers apartment nine c", "brackwater towers"),
    ("we are at the oak hollow apartments unit twelve", "oak hollow apartments"),
)


@pytest.mark.parametrize(("text", "secret"), NAMED_BUILDINGS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_block_of_flats_by_its_name_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "ADDRESS", tagged)


NO_SCHOOL_OR_HOME_NAMED = (
    "he goes to the local high school",
    "she is at a good middle school now",
    "my son is in middle school",
    "i went to high school with her",
    "we moved to the new apartments last year",
    "she is at the learning center after class",
    "he goes to regular middle school next year",
    "She teaches at a private middle school.",
    "the daycare called about the form",
    "My husband is there for rehab after his hip.",
    "he needs a note for rehab on monday",
    "She starts rehab and physical therapy next week.",
)


@pytest.mark.parametrize("text", NO_SCHOOL_OR_HOME_NAMED)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_school_or_home_said_by_its_kind_is_kept(text: str, tagged: bool) -> None:
    kept(text, tagged)


ADDRESSES_WITH_A_QUESTION_TAG = (
    ("That's 48 Quarry Hill Road, correct?", "48 Quarry Hill Road"),
    ("so thats 12 ashby lane, right", "12 ashby lane"),
    ("It's 301 Fenwick Avenue, yes.", "301 Fenwick Avenue"),
)


@pytest.mark.parametrize(("text", "street"), ADDRESSES_WITH_A_QUESTION_TAG)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_question_tag_after_an_address_is_no_town(text: str, street: str, tagged: bool) -> None:
    out = redact(text, tagged=tagged).text
    assert out.count("[ADDRESS]") == 1, out
    for word in ("correct", "right", "yes"):
        if word in text:
            assert word in out, out


NO_PLACE_AT_A_CHAIN = (
    "We're at the Kroger by the highway, is the pharmacy open?",
    "he works nights at the amazon warehouse",
    "She picks up her pills at Target on Saturdays.",
    "i can get it from the meijer pharmacy",
)


@pytest.mark.parametrize("text", NO_PLACE_AT_A_CHAIN)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_chain_store_is_no_place(text: str, tagged: bool) -> None:
    kept(text, tagged)


RELATIVES_WITH_A_TITLE = (
    ("I'm calling for my father, Dr. Idris Kamali, he's retired now.", "Idris Kamali"),
    ("my wife is doctor anouk verhaegen and she has the paperwork", "anouk verhaegen"),
    ("This is about my late husband, Dr. Lucjan Wrobel.", "Lucjan Wrobel"),
)


@pytest.mark.parametrize(("text", "secret"), RELATIVES_WITH_A_TITLE)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_relative_with_a_doctors_title_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)


STAFF_WITH_A_TITLE = (
    "My doctor, Dr. Alvarez, said to call.",
    "my moms doctor, dr alvarez, wants a scan",
)


@pytest.mark.parametrize("text", STAFF_WITH_A_TITLE)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_doctor_who_is_no_relative_stays_staff(text: str, tagged: bool) -> None:
    assert "[NAME]" not in redact(text, tagged=tagged).text


NAMES_AFTER_A_ROLE = (
    ("hi its the care coordinator again, wenna", "wenna"),
    ("hes the new social worker, ysolde", "ysolde"),
    ("I spoke with the scheduler, Orlaith.", "Orlaith"),
)


@pytest.mark.parametrize(("text", "secret"), NAMES_AFTER_A_ROLE)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_name_after_a_role_and_a_comma_is_hidden(text: str, secret: str, tagged: bool) -> None:
    out = redact(text, tagged=tagged).text
    assert secret not in out, out
    if not tagged:
        assert "[NAME]" in out, out  # the tagger may read a lone word after a comma as a town


NOT_A_NAME_AFTER_A_ROLE = (
    "the nurse, okay, thanks",
    "i talked to the coordinator, again",
    "Hope so. I'll try the portal tonight.",
    "hope not i really need that slot",
    "Guess not, I'll call back Monday.",
)


@pytest.mark.parametrize("text", NOT_A_NAME_AFTER_A_ROLE)
@pytest.mark.parametrize("tagged", [False, True])
def test_replies_and_roles_alone_name_no_one(text: str, tagged: bool) -> None:
    kept(text, tagged)


TOWNS_TRAVELLED_FROM = (
    ("we drove up from buffalo this morning for her scan", "buffalo"),
    ("my sister came all the way down from mobile last week", "mobile"),
    ("my son flew in from phoenix yesterday to help", "phoenix"),
    ("They drove over from orange, so they're tired.", "orange"),
)


@pytest.mark.parametrize(("text", "town"), TOWNS_TRAVELLED_FROM)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_town_travelled_from_is_hidden(text: str, town: str, tagged: bool) -> None:
    hidden(text, town, "ADDRESS", tagged)


NO_TOWN_TRAVELLED_FROM = (
    "he came in from work and felt dizzy",
    "she came down from upstairs to get the mail",
    "He came out from surgery at noon.",
    "we drove over from church after the service",
    "the nurse came up from radiology",
    "he came out from hiding when the dog left",
    "we came in from outside because of the rain",
    "he drove up from the city last night",
    "she came over from next door to help",
)


@pytest.mark.parametrize("text", NO_TOWN_TRAVELLED_FROM)
@pytest.mark.parametrize("tagged", [False, True])
def test_where_one_comes_from_every_day_is_no_town(text: str, tagged: bool) -> None:
    kept(text, tagged)


GLOSSED_NAMES = (
    ("my name is rain kessler, its rain like rain", "[NAME] like rain"),
    ("My name is Sunny Abara. Sunny, like sunny.", "[NAME], like sunny."),
)


@pytest.mark.parametrize(("text", "gloss"), GLOSSED_NAMES)
def test_the_word_glossing_a_name_is_kept(text: str, gloss: str) -> None:
    out = redact(text).text
    assert out.endswith(gloss), out


EMAIL_WORDS_GLOSSED = (
    ("my email is tam dot pike at example dot com, pike like the fish", "pike"),
    ("It's r.heron@example.com, heron as in the bird.", "heron"),
)


@pytest.mark.parametrize(("text", "word"), EMAIL_WORDS_GLOSSED)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_word_of_an_email_said_again_to_spell_it_is_a_name(text: str, word: str, tagged: bool) -> None:
    out = redact(text, tagged=tagged).text
    assert "[EMAIL]" in out and "[NAME]" in out and word not in out, out


UNITS_AND_REHABS = (
    ("we live at forty two hazel run unit b in dorrington", "b"),
    ("Her place is 18 Tamsin Court, Unit C, in Grafton.", "C"),
    ("he is in room four ten at quillfern rehab in marlow", "quillfern rehab"),
)


@pytest.mark.parametrize(("text", "secret"), UNITS_AND_REHABS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_unit_letter_and_a_named_rehab_are_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "ADDRESS", tagged)


KINDS_OF_REHAB = (
    "she goes to pulmonary rehab on tuesdays",
    "he has cardiac rehab twice a week",
    "He went to inpatient rehab after the stroke.",
    "my dad is staying at the local rehab",
)


@pytest.mark.parametrize("text", KINDS_OF_REHAB)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_kind_of_rehab_is_no_place(text: str, tagged: bool) -> None:
    kept(text, tagged)
