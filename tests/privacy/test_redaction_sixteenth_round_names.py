"""The sixteenth round's names and places: those a fifteenth held-out set (corpus_heldout15) showed
passing through or hidden wrongly, each kind in sentences of its own (none of the set's).
Places: a care home named with "and Rehab" ("Larchfield Nursing and Rehabilitation") and a
post-acute home ("Ashby Post-Acute") are one place, not a place and a name; a school said with its
kind ("at marlow brook middle school", "Tamsin Ridge High School") and a daycare by its name
("at tiny acorns learning center", "bumblebee daycare") are places where a child goes; a block of
flats by its name ("the quillon apartments number six") is a place. "the local high school", "a
good middle school", "the new apartments", "for rehab" name none."""

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
    "the daycare called about the form",
    "My husband is there for rehab after his hip.",
    "he needs a note for rehab on monday",
    "She starts rehab and physical therapy next week.",
)


@pytest.mark.parametrize("text", NO_SCHOOL_OR_HOME_NAMED)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_school_or_home_said_by_its_kind_is_kept(text: str, tagged: bool) -> None:
    kept(text, tagged)
