"""The fourteenth round, names: kinds of word a thirteenth held-out set (corpus_heldout13) showed
taken for a name, or a name passing through, each in sentences of its own (none of the set's).
What is no one's name: a greeting in another language opening a call ("hola, my name is …"), a
people or a language ("I am Basque", "she speaks Kurmanji, not Arabic"), a word of another
language glossed as a relative ("we call him Dadu, it means grandpa"), a military rank before a
name ("Master Sgt. …"), a fixed Latin phrase ("guardian ad litem"), a car said by colour, make
and model ("a silver Ford Ranger"), "shes" without its apostrophe, "the surname changes", the
tagger's lower-case everyday words in a capitalised transcript. Names that passed: a relative's
month or everyday-word name before "is" and an age or a doing, an everyday word after a role word
and "is", the Catalan "i" between surnames, a two-letter surname spelled, a name after "im", and
words the caller says are a name ("… is his first name", "… no that's his name")."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

GREETINGS = (
    ("hola my name is teodora brankovic and i am calling for my son", "teodora brankovic", "hola"),
    ("Kia ora, this is Wiremu Tane Hokianga, about my nan.", "Wiremu Tane Hokianga", "Kia ora"),
    ("uh hi ni hao my name is weiming zhou and i need a refill", "weiming zhou", "ni hao"),
    ("Dzień dobry, I'm Halina Wróbel and I need my results.", "Halina Wróbel", "Dzień dobry"),
    ("Marhaba, my name is Yousef Haddadin, calling about my mother.", "Yousef Haddadin", "Marhaba"),
    ("mingalaba im calling about my uncle thura aung", "thura aung", "mingalaba im"),
)


@pytest.mark.parametrize(("text", "secret", "greeting"), GREETINGS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_greeting_opening_a_call_is_kept_and_the_name_hidden(
    text: str, secret: str, greeting: str, tagged: bool
) -> None:
    hidden(text, secret, "NAME", tagged)
    assert greeting in redact(text, tagged=tagged).text


def test_a_greeting_word_later_in_a_call_that_is_a_name_is_still_hidden() -> None:
    # only the call's opening is read for greetings: a surname of the same spelling later is a name
    hidden("hello this is Ana Ola calling for her results", "Ola", "NAME", True)


PEOPLES_AND_LANGUAGES = (
    "I am Basque, and my husband is Galician.",
    "She speaks Kurmanji, not Arabic, so please send the right interpreter.",
    "he is quechua and he only understands a little spanish",
    "At home we speak Tigrinya with the children.",
    "My grandfather is Yupik and he prefers Inupiaq or Yupik with the nurses.",
)


@pytest.mark.parametrize("text", PEOPLES_AND_LANGUAGES)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_people_or_a_language_names_no_one(text: str, tagged: bool) -> None:
    kept(text, tagged)


def test_a_surname_that_is_a_language_is_still_hidden() -> None:
    hidden("her surname is Welsh and she lives alone", "Welsh", "NAME", False)


GLOSSED_KIN_WORDS = (
    "The grandchildren call him Dadu, it means grandpa.",
    'when she says "bibi" she means her grandmother',
    "we all call her Oma, meaning grandma",
)


@pytest.mark.parametrize("text", GLOSSED_KIN_WORDS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_word_glossed_as_a_relative_names_no_one(text: str, tagged: bool) -> None:
    kept(text, tagged)


RANKS = (
    ("My son is Master Sgt. Evander Kowalczyk at the base.", "Evander Kowalczyk", "Master"),
    ("her husband, Lt. Col. Brennan Oyelaran, is deployed", "Brennan Oyelaran", "Col"),
    ("I'm calling for Petty Officer Janelle Ruiz-Whitcombe.", "Janelle Ruiz-Whitcombe", "Petty"),
)


@pytest.mark.parametrize(("text", "secret", "rank"), RANKS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_rank_before_a_name_is_kept_and_the_name_hidden(
    text: str, secret: str, rank: str, tagged: bool
) -> None:
    hidden(text, secret, "NAME", tagged)
    assert rank in redact(text, tagged=tagged).text


@pytest.mark.parametrize("tagged", [False, True])
def test_fixed_latin_phrases_name_no_one(tagged: bool) -> None:
    kept("Good morning, I am his guardian ad litem and I need his records.", tagged)
    kept("The lawyer is doing it pro bono, so there is no bill.", tagged)


@pytest.mark.parametrize("tagged", [False, True])
def test_a_car_by_colour_make_and_model_names_no_one(tagged: bool) -> None:
    kept("The truck that brought her is a silver Ford Ranger, parked by the door.", tagged)
    kept("my wife drives a blue Toyota Sienna to the clinic", tagged)


NAMES_THAT_PASSED = (
    # a relative's name before "is" and an age or what they are doing, a month's or an everyday word
    ("my son august is ninety one and lives with me", "august"),
    ("her brother ilari is driving down from duluth tonight", "ilari"),
    # the Catalan "i" between two surnames is inside the name
    ("Hello, my name is Jordi Vilanova i Puig, calling for my wife.", "Jordi Vilanova i Puig"),
    # a surname of two letters spelled after it is said
    ("It's for Oliver Ng, N, G, he was in last night.", "Ng N G"),
)


@pytest.mark.parametrize(("text", "secret"), NAMES_THAT_PASSED)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_name_said_these_ways_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)
    if secret == "Jordi Vilanova i Puig":
        assert " i " not in redact(text, tagged=tagged).text


def test_an_everyday_word_name_after_a_role_word_is_hidden_by_the_tagger() -> None:
    # the tagger reads it; the rules alone read no everyday word after a role word and "is"
    hidden("his caseworker is hope no hopewell garnett from the county", "hope", "NAME", True)


NOT_NAMES_IN_LOWER_CASE = (
    # a contraction a recognizer prints without its apostrophe is no part of the name before it
    ("her name is wilhelmina okafor shes nine and shes in third grade", "shes"),
    # what names do, said of names in general
    ("in icelandic the surname changes with the father so it is not a family name", "changes"),
    ("my son still is waiting for his results", "still"),
)


@pytest.mark.parametrize(("text", "word"), NOT_NAMES_IN_LOWER_CASE)
@pytest.mark.parametrize("tagged", [False, True])
def test_these_words_are_kept(text: str, word: str, tagged: bool) -> None:
    assert f" {word} " in redact(text, tagged=tagged).text


def test_a_name_after_im_printed_without_its_apostrophe_is_hidden() -> None:
    hidden("my mother is petrauskiene and im petrauskaite its the same family", "petrauskaite", "NAME")


def test_a_clinical_word_after_im_is_kept() -> None:
    kept("i'm hypoglycemic again")
    kept("im normotensive now the nurse says")


@pytest.mark.parametrize("tagged", [False, True])
def test_lower_case_everyday_words_in_a_capitalised_transcript_name_no_one(tagged: bool) -> None:
    # a recognizer that capitalises writes a name with its capital
    kept("His benefit election form has his Medicare card.", tagged)
    kept("Her enrollment letter came back from the county.", tagged)


WORDS_SAID_TO_BE_NAMES = (
    ("her grandson is sergeant no thats his name not his rank sergeant is his first name", "sergeant"),
    ("my aunt is summer breeze no thats her name she is sixty", "summer breeze"),
    ("Honey is her middle name, it's on the card.", "Honey"),
)


@pytest.mark.parametrize(("text", "secret"), WORDS_SAID_TO_BE_NAMES)
@pytest.mark.parametrize("tagged", [False, True])
def test_words_the_caller_says_are_a_name_are_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)


@pytest.mark.parametrize("text", ["what is his name again", "that is her name on the card"])
def test_asking_or_pointing_at_a_name_names_no_one(text: str) -> None:
    kept(text, True)


@pytest.mark.parametrize("tagged", [False, True])
def test_a_given_name_spelled_as_a_greeting_and_run_into_a_surname_is_hidden(tagged: bool) -> None:
    hidden("Salam Haddadi calling about her daughter's appointment.", "Salam Haddadi", "NAME", tagged)
