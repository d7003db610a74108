"""The twelfth round: the kinds of identifier a twelfth held-out set (corpus_heldout12, written
blind) showed passing through or hidden wrongly, outside addresses, postcodes and organisations,
each in sentences of its own (none of the set's). Names: a name after who someone is to the caller
outside the family ("my landlord", "our lodger"), a hyphenated surname included; a given name said
before "and" and a full name that shares its surname ("the son of teodor and vesna babić"); in
lower case, a hyphened surname or given name with no cue ("we represent cheryl greaves-blenman");
whom a fax is for ("attention ingeborg"); a name after a kin word said as a title by a caller
introducing themselves ("hello its auntie mereana calling"); a surname that is a noun by two stems
before "he is" ("for ottoline greaves he is …"). And
what is no one's name or place: a crew's call sign ("This is Medic 7"), "i'm only here", "cause"
for because, a language someone prefers or speaks ("much English"), a territory after its town
("Tamuning, Guam"), the words of a portal ("Wi-Fi", "logins"), a vitamin, a car's model, a role
word repeated after "the" ("the school nurse"), a role word before a name the tagger read with it
("the interpreter vesna ilić"), a relative's word of another language glossed ("taid means
grandad"), what an unnamed newborn is called ("baby girl") and a pet's name ("my cat is called
bishop": a pet is not PHI). Dates: a day said and then corrected
("for the eleventh no sorry for june twelfth"), a day after "the night of" told with a verb's
regular past ("waited"), a holiday said after a date with "on", four digits read back as what "your
system has". Ages over 89 that someone says or claims ("she'll tell you a hundred and four", "he's
really ninety-two"). A code that ends in a letter said after its digits. And a word said beside
the letters that spell it ("petrosyan p e t r o s y a n") is the word spelled."""

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
    "The kitten, Smokey, is fine now.",
    "my cat is called bishop, bishop ate two of my pills",
    "This is Car 54, we are at the scene.",
    "My nan doesn't speak much English, so I'm calling for her.",
    "He takes aspirin and vitamin D 1,000 units every morning.",
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


DATES = (
    ("it was booked for the eleventh no sorry for june twelfth", "eleventh"),
    ("she was booked for the fourteenth wait i mean the fifteenth", "fourteenth"),
    ("my son waited six hours in your er on the night of the twenty eighth", "twenty eighth"),
    ("Born 1941-12-24, on Christmas Eve, so he is 84.", "Christmas Eve"),
    ("your computer says oh three oh nine so one of us has it wrong", "oh three oh nine"),
)


@pytest.mark.parametrize(("text", "secret"), DATES)
def test_a_corrected_told_or_read_back_date_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


NOT_DATES = (
    # ("a room for the night of the twenty eighth": a day asked for is a date since the sixteenth
    # round; see test_redaction_sixteenth_round_dates_ids.py)
    "we moved her to the third no the fourth floor",
    "he is in the fifth no sorry the sixth grade",
    "your system has two thousand patients on the list",
)


@pytest.mark.parametrize("text", NOT_DATES)
def test_a_slot_a_floor_a_grade_or_a_count_is_no_date(text: str) -> None:
    kept(text)


AGES = (
    ("She's 101. She will tell you a hundred and four, but she's 101.", "a hundred and four"),
    ("He'll say he's ninety-four but he's really ninety-two", "ninety-two"),
    ("my nan says ninety seven but the forms say otherwise", "ninety seven"),
)


@pytest.mark.parametrize(("text", "secret"), AGES)
def test_an_age_someone_says_or_claims_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "AGE")


@pytest.mark.parametrize(
    "text", ["the scale says 102", "my thermometer says a hundred and two", "he says 95 percent"]
)
def test_a_reading_said_is_no_age(text: str) -> None:
    kept(text)


def test_a_code_ending_in_a_letter_is_hidden_whole() -> None:
    out = redact("the account number is five two oh nine one a and the name on it is mine").text
    assert out == "the account number is [ID] and the name on it is mine", out


def test_an_article_after_a_code_stays() -> None:
    out = redact("my member id is 88412 a month old card").text
    assert out == "my member id is [ID] a month old card", out


SPELLED_OUT = (
    ("uh petrosyan p e t r o s y a n and my first name is gor", "petrosyan"),
    ("its k a r i m o v a karimova", "karimova"),
)


@pytest.mark.parametrize(("text", "secret"), SPELLED_OUT)
def test_the_word_spelled_out_beside_its_letters_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


def test_a_car_said_after_its_plate_is_kept() -> None:
    out = redact("My plate is KLM 2231, the silver Civic out front.").text
    assert out == "My plate is [PLATE], the silver Civic out front.", out


HYPHENED_NAMES = (
    "we represent maribel ortega-nwachukwu in a personal injury matter",
    "the invoice is for an employee karl-heinz lindqvist from our branch",
    "i called stavrakopoulou-adebayo yesterday about it",
)


@pytest.mark.parametrize("text", HYPHENED_NAMES)
def test_a_hyphened_name_in_lower_case_is_hidden_whole(text: str) -> None:
    out = redact(text).text
    assert out.count("[NAME]") == 1 and "-" not in out, out


@pytest.mark.parametrize(
    "text", ["she had a pre-op check and a non-urgent scan", "he drank kool-aid after the check-in"]
)
def test_hyphened_everyday_words_are_no_names(text: str) -> None:
    kept(text)


ATTENTION_AND_KIN_TITLES = (
    ("please fax the records to my office attention ingeborg", "ingeborg"),
    ("Fax it to my office, attention Ingeborg Lund.", "Ingeborg Lund"),
    ("hello its auntie mereana calling for my nephew", "mereana"),
    ("hello this is grandma ngaire", "ngaire"),
    ("im calling from the island for ottoline greaves he is in your ward", "ottoline greaves"),
)


@pytest.mark.parametrize(("text", "secret"), ATTENTION_AND_KIN_TITLES)
def test_a_name_after_attention_or_a_kin_title_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


@pytest.mark.parametrize(
    "text",
    [
        "Send it by fax, attention Records, with the discharge summary.",
        "hi it's grandma calling about my prescription",
        "please pay attention to the dose",
    ],
)
def test_a_desk_a_kin_word_alone_or_paying_attention_names_no_one(text: str) -> None:
    kept(text)
