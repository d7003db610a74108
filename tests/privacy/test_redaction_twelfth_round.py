"""The twelfth round: the kinds of identifier a twelfth held-out set (corpus_heldout12, written
blind) showed passing through or hidden wrongly, outside addresses, postcodes and organisations,
each in sentences of its own (none of the set's). Names: a name after who someone is to the caller
outside the family ("my landlord", "our lodger"), a hyphenated surname included; a given name said
before "and" and a full name that shares its surname ("the son of teodor and vesna babić"). And
what is no one's name: a crew's call sign ("This is Medic 7"), "i'm only here", "cause" for
because, a language someone prefers, a territory after its town ("Tamuning, Guam"), the words of a
portal ("Wi-Fi", "logins"), a role word repeated after "the" ("the school nurse"), a role word
before a name the tagger read with it ("the interpreter vesna ilić"), a relative's word of another
language glossed ("taid means grandad"), what an unnamed newborn is called ("baby girl") and a
pet's name ("my cat is called bishop": a pet is not PHI)."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

NAMES_AFTER_A_ROLE = (
    ("my landlord tomas okonkwo-reyes wants a letter from you", "tomas okonkwo-reyes"),
    ("my landlord ray delacroix-mbeki says i owe him rent", "ray delacroix-mbeki"),
    ("our lodger ingrid halvorsrud has the flu", "halvorsrud"),
    ("My boss, Dmitri Karamanlis, needs a sick note.", "Dmitri Karamanlis"),
    ("my neighbour lorcan mac giollarnáth found her on the floor", "lorcan mac giollarnáth"),
)


@pytest.mark.parametrize(("text", "secret"), NAMES_AFTER_A_ROLE)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_name_after_a_role_word_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)


NOT_A_NAME_AFTER_A_ROLE = (
    "my boss says i need a sick note",
    "my teacher wants a letter from the doctor",
    "My landlord is fine with it.",
)


@pytest.mark.parametrize("text", NOT_A_NAME_AFTER_A_ROLE)
def test_a_role_word_alone_names_no_one(text: str) -> None:
    kept(text)


SHARED_SURNAMES = (
    ("we are the sons of dragomir and vesna babić from the island", "dragomir"),
    ("she is the niece of ferenc and ilona takács", "ferenc"),
    ("The children of Bohdan, Oksana and Iryna Melnychuk called.", "Bohdan Oksana"),
)


@pytest.mark.parametrize(("text", "secret"), SHARED_SURNAMES)
def test_a_given_name_before_a_shared_surname_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


def test_a_sentences_first_word_is_no_given_name_before_and() -> None:
    out = redact("Coffee and Ilona Takács were both on the list.").text
    assert out.startswith("Coffee and [NAME]"), out


NOT_NAMES = (
    "This is Medic 7, we have a 60-year-old male coming in.",
    "Rescue 4 to base, we are ten minutes out.",
    "My flat is in the city. I'm only here for the week.",
    "Thanks, I'm still here.",
    "im calling for my mum cause she cant hear well",
    "ringing for my grandad cuz he is deaf",
    "She lives in the valleys, and she prefers Welsh at home.",
    "My daughter's on the library Wi-Fi and the portal keeps asking for a password.",
    "The log says the failed logins were at night.",
    "taid means grandpa sorry i forgot you dont speak welsh",
    "the babys name is baby girl for now",
    "my dog is called pepper and she ate my pills",
    "Our cat's name is Mango, and she swallowed a tablet.",
    "My service dog, Biscuit, came with me.",
)


@pytest.mark.parametrize("text", NOT_NAMES)
@pytest.mark.parametrize("tagged", [False, True])
def test_what_names_no_one_is_kept(text: str, tagged: bool) -> None:
    kept(text, tagged)


def test_a_territory_after_its_town_is_kept_and_the_town_hidden() -> None:
    out = redact("I live in Tamuning, Guam, and need my records.", tagged=True).text
    assert out == "I live in [ADDRESS], Guam, and need my records.", out


def test_a_newborn_named_with_a_surname_keeps_the_surname_hidden() -> None:
    hidden("the baby's name is Baby Girl Okafor", "Okafor", "NAME")


def test_a_role_word_before_a_name_is_kept_and_the_name_hidden() -> None:
    text = "yes this is the interpreter agency i have the croatian interpreter vesna ilić booked"
    out = redact(text, tagged=True).text
    assert out == "yes this is the interpreter agency i have the croatian interpreter [NAME] booked", out


def test_a_word_said_again_after_the_is_no_name() -> None:
    text = "this is the school nurse at maple grove primary school i have noa tupou here with a cut"
    out = redact(text, tagged=True).text
    assert "the school nurse" in out and "noa" not in out and "tupou" not in out, out
