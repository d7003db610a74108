"""The eleventh round: the kinds of identifier an eleventh held-out set (corpus_heldout11, written
blind like the tenth) showed passing through or hidden wrongly, outside addresses and postcodes,
each in sentences of its own (none of the set's). Names: a relative or a name's word, then "is" or
"was" and the name ("my nephew is Caspian", "her father's name was ondrej"); who a caller speaks for
by their role ("our resident", "my client"); "thank you" and a name; a fourth word no dictionary
holds after "my name is"; a surname after an Irish O in lower case; a nickname someone goes by
("goes by", "calls her", "for short"); a caller who gives their own name with "Dr.". Dates: a
holiday on which someone was in the hospital. A surname after a given name spelled. Plates after "on
the van"; a code after "starts with". Ages: a second age guessed after "or". And what is not PHI: a
month said alone of a time to come, a reading over ninety ("my temperature is a hundred and two"),
the identifiers' own names said as letters ("the m r n", "my s s n"), "everybody" after "first
name"; going by bus and calling someone back; supplements, languages, pets and messaging apps. Also
a holiday that names again a date just said ("on 12/25/2023. Christmas Day"), and a name everyone
"says"; and kept, the number of a part of the hospital ("the number for radiology, is it 3100")."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

NAMES_AFTER_IS = (
    ("Her grandson is Caspian, he drives her to the clinic.", "Caspian"),
    ("my nephew is dariusz he picks up the prescriptions", "dariusz"),
    ("her father's name was Ondrej and he was a patient here too", "Ondrej"),
    ("his mums name was ljiljana", "ljiljana"),
)


@pytest.mark.parametrize(("text", "secret"), NAMES_AFTER_IS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_name_after_a_relative_or_name_and_is_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)


NOT_A_NAME_AFTER_IS = (
    "My son is Catholic and he would like to see the chaplain.",
    "my daughter is diabetic and needs her insulin",
    "my husband is home now",
    "My mother is Deaf, so please send a text.",
)


@pytest.mark.parametrize("text", NOT_A_NAME_AFTER_IS)
def test_what_a_relative_is_is_no_name(text: str) -> None:
    kept(text)


ROLE_AND_THANKS_NAMES = (
    ("this is the day nurse calling about our resident wilhelmina ostergaard", "wilhelmina ostergaard"),
    ("im his case worker and my client tobiah renvall missed his appointment", "tobiah renvall"),
    ("thank you ingeborg and could you also send the letter", "ingeborg"),
    ("my name is maria luisa fernanda quintanilla-osei and i need a refill", "quintanilla-osei"),
    ("its about my uncle ciaran o donoghue who was admitted", "ciaran o donoghue"),
)


@pytest.mark.parametrize(("text", "secret"), ROLE_AND_THANKS_NAMES)
def test_names_after_a_role_thanks_or_a_long_introduction_are_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


NOT_A_NAME_AFTER_THANKS = (
    "thank you so much for your help",
    "thank you very much that's all I needed",
    "our resident doctor said to call back",
)


@pytest.mark.parametrize("text", NOT_A_NAME_AFTER_THANKS)
def test_thanks_and_a_resident_doctor_name_no_one(text: str) -> None:
    kept(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    (
        ("my wife was in your emergency room on christmas day", "christmas day"),
        ("I was in the hospital on Boxing Day with my hip", "Boxing Day"),
    ),
)
def test_a_holiday_spent_in_hospital_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


@pytest.mark.parametrize(
    "text",
    (
        "is the emergency room open on christmas day",
        "My son needs his school form filled in before September.",
        "can we push the appointment back to october",
        "I think the next scan is in June, not July.",
    ),
)
def test_a_month_of_a_time_to_come_or_a_correction_is_kept(text: str) -> None:
    kept(text)


def test_a_month_told_as_past_is_still_hidden() -> None:
    hidden("she was admitted in November with pneumonia", "November", "DATE")


@pytest.mark.parametrize(
    ("text", "secret"),
    (
        ("My grandmother is 97 or 98, her papers were lost.", "98"),
        ("he's ninety one or ninety two i think", "ninety two"),
    ),
)
def test_a_second_age_guessed_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "AGE")


@pytest.mark.parametrize(
    "text",
    (
        "his temperature was a hundred and two this morning",
        "my sugar is ninety six before breakfast",
        "her oxygen is ninety three on room air",
    ),
)
def test_a_reading_over_ninety_is_no_age(text: str) -> None:
    kept(text)


@pytest.mark.parametrize(
    "text",
    ("where do I find the m r n on the form", "do you need my s s n or just the card"),
)
def test_an_identifiers_name_said_as_letters_is_kept(text: str) -> None:
    kept(text)


NICKNAMES = (
    ("my grandfather is bartholomew reyes but he goes by bart", "bart"),
    ("Everyone calls her Birdie, she won't answer to anything else.", "Birdie"),
    ("its rosalind but you can say roz for short", "roz"),
    ("i go by jem", "jem"),
)


@pytest.mark.parametrize(("text", "secret"), NICKNAMES)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_name_someone_goes_by_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)


@pytest.mark.parametrize(
    "text",
    (
        "we usually go by bus to the clinic",
        "can you call me back after lunch",
        "could you call her doctor please",
        "I'll go by the pharmacy on the way",
        "can you call him for me",
    ),
)
def test_going_by_and_calling_back_name_no_one(text: str) -> None:
    kept(text)


def test_a_caller_who_gives_their_own_name_with_a_title_is_hidden() -> None:
    hidden("My name is Dr. Leopold Hattersley, I'm calling as a patient.", "Leopold Hattersley", "NAME")


def test_a_doctor_mentioned_is_still_kept() -> None:
    kept("Dr. Patel said I should call about the results.")


def test_everybody_after_first_name_is_no_name() -> None:
    text = "i never learned his first name everybody just calls him brannigan"
    hidden(text, "brannigan", "NAME")
    assert "everybody" in redact(text).text


@pytest.mark.parametrize(
    "text",
    (
        "is it safe to take cod liver oil and milk thistle with my statin",
        "she takes rose hips every morning with her breakfast",
        "my mother only speaks Tigrinya, can you get an interpreter",
        "Can I bring my guide dog, Pepper, to the visit?",
        "You can reach me on WhatsApp if the line is bad.",
    ),
)
@pytest.mark.parametrize("tagged", [False, True])
def test_supplements_languages_pets_and_apps_are_no_one(text: str, tagged: bool) -> None:
    kept(text, tagged)


@pytest.mark.parametrize(
    ("text", "secret", "label"),
    (
        ("the plate on my truck is q r s t seven", "q r s t seven", "PLATE"),
        ("the tag for her car reads w b l nine nine four", "w b l nine nine four", "PLATE"),
        ("my medicaid number starts with k two two r t eight one", "k two two r t eight one", "ID"),
        ("the member id begins with h x four four nine", "h x four four nine", "ID"),
    ),
)
def test_a_plate_after_its_vehicle_and_a_code_after_starts_with_are_hidden(
    text: str, secret: str, label: str
) -> None:
    hidden(text, secret, label)


@pytest.mark.parametrize(
    ("text", "secret"),
    (
        ("He was discharged on 12/24/2023. Christmas Eve, can you believe it.", "Christmas Eve"),
        ("the op was the twenty fifth of december, christmas day as it happens", "christmas day"),
    ),
)
def test_a_holiday_that_names_a_date_again_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


def test_a_holiday_after_a_date_asked_about_stays() -> None:
    kept("Is the clinic open on Christmas Eve? What hours?")


@pytest.mark.parametrize(
    ("text", "secret"),
    (
        ("i never knew his first name everyone just says brannigan", "brannigan"),
        ("they say mcallister and he answers to it", "mcallister"),
    ),
)
def test_a_name_everyone_says_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


@pytest.mark.parametrize(
    "text", ("everybody says hi", "people say diabetes is hard", "Everyone says Merry Christmas")
)
def test_what_everyone_says_is_no_name(text: str) -> None:
    kept(text)


@pytest.mark.parametrize("text", ("whats the m r n on her band", "is she still in the i c u"))
def test_an_abbreviation_said_as_letters_is_no_name_for_the_tagger_either(text: str) -> None:
    kept(text, tagged=True)


@pytest.mark.parametrize(
    "text",
    (
        "what's the number for the pharmacy, is it 4410",
        "whats the extension for billing is it thirty one hundred",
    ),
)
def test_the_number_of_a_part_of_the_hospital_is_kept(text: str) -> None:
    kept(text)


def test_a_member_number_after_number_is_still_hidden() -> None:
    hidden("my member number is 88214 and I need a refill", "88214", "ID")


@pytest.mark.parametrize("tagged", [False, True])
def test_a_surname_after_a_given_name_spelled_is_hidden(tagged: bool) -> None:
    hidden("hi its ingrid i n g r i d halvorsen about my results", "halvorsen", "NAME", tagged)
