"""Every HIPAA Safe Harbor identifier class that occurs on calls, said in words and printed in digits.

Each case is one utterance and the identifier in it; the identifier's letters and digits must all
be gone from the redacted text (whatever label it got), and the words around it must stay.
People are invented; numbers are 555-01xx, documentation IPs and never-issued SSNs.
"""

from __future__ import annotations

import re

import pytest

from appliance.privacy.redaction import redact

CASES = {
    # names: diacritics, non-English, multi-part, hyphenated, after a title, lower case as ASR writes
    "name, diacritics": ("my name is Zoë Håkansson-Ñúñez", "Zoë Håkansson-Ñúñez"),
    "name, multi-part": ("this is Fenella Ferreira da Silva calling", "Fenella Ferreira da Silva"),
    # a courtesy title is hidden with the name it opens (the sixth round)
    "name, particles after a title": ("the patient is Mrs. van der Berghe", "Mrs. van der Berghe"),
    "name, hyphen after a title": ("Mr. Quillfeather-Adebayo was born in 1950", "Mr. Quillfeather-Adebayo"),
    "name, lower case": ("it's thandiwe mbeki-ashdown calling about my results", "thandiwe mbeki-ashdown"),
    "name, spelled": ("last name is Q U I X L E Y", "Q U I X L E Y"),
    "name, unknown surname after a name": ("hi, my name is Ada Quixley", "Ada Quixley"),
    "name, closed by a filler": ("uh this is odile fenwright um about my bill", "odile fenwright"),
    "name, a filler inside": ("this is anil um quorvath calling back", "anil um quorvath"),
    "name, ending the turn": ("yes hello it's ottilie brandvold", "ottilie brandvold"),
    "name, before a comma": ("it's bram okonjo-rees, date of birth 4/5/61", "bram okonjo-rees"),
    "name, said again": ("uh Ysolde, Ysolde Marchetti, that's me", "Ysolde, Ysolde Marchetti"),
    "name, hyphenated first name": ("the file says Jan-Pieter Smulders", "Jan-Pieter Smulders"),
    # names in lower case with no capital to find them by: a dictionary holds none of their words,
    # or they stand where a name stands (after a relative, a title, "for", "tell")
    "name, unlisted after for": ("the appointment's for maude tremlett", "maude tremlett"),
    "name, unlisted after tell": ("can you tell lucinda vayle to ring me", "lucinda vayle"),
    "name, unlisted in the third person": ("so ottoline brask has had a fall", "ottoline brask"),
    "name, capitalised and unlisted": ("Isidore's temperature is high", "Isidore"),
    "name, everyday word after a relative": ("my daughter poppy has an earache", "poppy"),
    "name, after a lower-case title": ("i look after mrs haverley", "mrs haverley"),
    "name, everyday words after for": ("the booking is for ginger mallow", "ginger mallow"),
    "name, in apposition": ("it's for my wife, opal harrow", "opal harrow"),
    "name, opening and closed by and": ("hi i'm dale porter and i need a refill", "dale porter"),
    "name, opening the turn": ("wynne ashcroft here, about my scan", "wynne ashcroft"),
    "name, said again in full": ("it's kit, kit rowntree", "kit, kit rowntree"),
    "name that is also a verb, after a relative": ("my husband grant is poorly", "grant"),
    # dates: full, year of birth alone, day and month without a year; words and digits
    "date of birth, words": ("born March third nineteen eighty", "March third nineteen eighty"),
    "date of birth, digits": ("date of birth March 3rd, 1980", "March 3rd, 1980"),
    "date, numeric": ("DOB 03/03/1980 please", "03/03/1980"),
    "year of birth, words": ("I was born in nineteen fifty-two", "nineteen fifty-two"),
    "year of birth, digits": ("year of birth 1952", "1952"),
    "day and month, words": ("he was admitted on the ninth of June", "the ninth of June"),
    "day and month, digits": ("she was discharged June 9th", "June 9th"),
    "day and month, abbreviated": ("born Feb. 9, 1948", "Feb. 9, 1948"),
    "day alone, words": ("she fell on the eleventh and hurt her hip", "the eleventh"),
    "day alone, digits": ("the scan was on Friday the 3rd", "Friday the 3rd"),
    "date of birth after spelled dob": ("d o b four twelve eighty-eight", "four twelve eighty-eight"),
    # ages over 89
    "age, words": ("my grandmother is ninety-four years old", "ninety-four"),
    "age, over a hundred in words": ("he turned a hundred and two", "a hundred and two"),
    "age, digits": ("she is 97 years old", "97"),
    "age, will be": ("she'll be ninety-one next week", "ninety-one"),
    "age, turn": ("he'll turn 90 next week", "90"),
    "age, nearly, tens and ones apart": ("my nan is nearly ninety four", "ninety four"),
    # phones: digits, words, "oh", international, extensions
    "phone, digits": ("call me at 555-0167", "555-0167"),
    "phone, words with oh": (
        "my number is five five five oh one six seven",
        "five five five oh one six seven",
    ),
    "phone, international": ("my cell is +44 20 7946 0321", "44 20 7946 0321"),
    "phone, international in words": (
        "it's plus four four, two oh, seven nine four six, oh three two one",
        "plus four four, two oh, seven nine four six, oh three two one",
    ),
    "phone, extension": ("reach me at (555) 555-0142 extension 214", "(555) 555-0142 extension 214"),
    "fax": ("fax it to 555-555-0188", "555-555-0188"),
    # mail and web
    "email, written": ("mail ada.q@example.org", "ada.q@example.org"),
    "email, spoken": ("it's ada dot q at example dot org", "ada dot q at example dot org"),
    "url": ("the photos are at https://example.net/u/4471", "https://example.net/u/4471"),
    "url without digits": ("my page is www.example.net/leo-k", "www.example.net/leo-k"),
    "url, spoken": ("my blog is example dot org slash wrenna", "example dot org slash wrenna"),
    # where someone lives or lies
    "street, digits": ("I live at 42 Kestrel Way", "42 Kestrel Way"),
    "street, words": ("we live at forty two kestrel way", "forty two kestrel way"),
    "street without a number": ("she lives on Tillerman Crescent now", "Tillerman Crescent"),
    "care home": ("my father is at Maplewood Gardens", "Maplewood Gardens"),
    "care home with its article": ("she moved into the Larkmoor Residence", "the Larkmoor Residence"),
    "care centre": ("he's at the Hollybrook Care Centre now", "the Hollybrook Care Centre"),
    "care home, lower case": ("she's at the rosewood care home now", "the rosewood care home"),
    "street, lower case": ("we live on marchbank street", "marchbank street"),
    "street after a flat number": ("i'm at flat 2, larkhill court", "flat 2, larkhill court"),
    "ward by name": ("she's on Rowan Ward today", "Rowan Ward"),
    "town after with us in": ("she's staying with us in Penhallow", "Penhallow"),
    "city": ("she lives in Ashcombe with her son", "Ashcombe"),
    "room, digits": ("he's in Room 412", "Room 412"),
    "room, words": ("I'm in room four twelve", "room four twelve"),
    "ward letter": ("my dad is on ward B today", "ward B"),
    "ward letter, lower case": ("they moved him to ward c", "ward c"),
    "bed, digits": ("she's in bed 12 since monday", "bed 12"),
    "bed, words": ("she's in bed twelve since monday", "bed twelve"),
    "ward, digit and letter": ("he's on Ward 4B", "Ward 4B"),
    "room with a wing": ("he's in room 5 North", "room 5 North"),
    "apartment": ("i'm in apartment five C", "apartment five C"),
    "town, lower case": ("she lives in great ormsby", "great ormsby"),
    "town after a street, lower case": ("it's eight kiln road, netherfold", "eight kiln road, netherfold"),
    "house by its number": ("the house is number six, poplar close", "number six, poplar close"),
    "named house": ("she's at rosemary cottage", "rosemary cottage"),
    "street, a filler inside": ("he's at two nine one uh canal street", "two nine one uh canal street"),
    "caravan": ("we are staying in caravan 14 this week", "caravan 14"),
    "holiday park": ("we are at sandy bay park", "sandy bay park"),
    "zip, digits": ("zip code 60614", "60614"),
    "zip, words": ("my zip is six oh six one four", "six oh six one four"),
    # numbers that identify
    "mrn, digits": ("my MRN is RCH-104233", "RCH-104233"),
    "mrn, spelled": ("it's r c h dash one oh four two three three", "r c h dash one oh four two three three"),
    "ssn, digits": ("social is 900-12-3456", "900-12-3456"),
    "ssn, words": ("social nine oh oh one two three four five six", "nine oh oh one two three four five six"),
    "account, letters with dash and oh": (
        "account number M K P dash four five oh one",
        "M K P dash four five oh one",
    ),
    "group number, digits": ("group number G-40071", "G-40071"),
    "id spelled with as in, words": (
        "member id K as in kilo, L as in lima, four four nine one",
        "K as in kilo, L as in lima, four four nine one",
    ),
    "id spelled with as in, digits": ("reference T as in tom 5 5 8 1", "T as in tom 5 5 8 1"),
    "member id, words": ("member ID eight eight three oh two one nine", "eight eight three oh two one nine"),
    "id, letters said as words": (
        "my member id is why jay kay four four seven one two",
        "why jay kay four four seven one two",
    ),
    "id, phonetic alphabet": ("the policy is tango romeo eight eight two", "tango romeo eight eight two"),
    "id, double-u": ("subscriber id double-u ex why seven seven three", "double-u ex why seven seven three"),
    "mrn, spoken after the RCH prefix": (
        "the band on his wrist says RCH one one two two three four",
        "RCH one one two two three four",
    ),
    "plate": ("the license plate is 7 K L M 2 1 9", "7 K L M 2 1 9"),
    "vehicle id": ("the VIN is 1HGCM82633A004352", "1HGCM82633A004352"),
    "device serial": (
        "the pump serial number is four four seven oh nine two one",
        "four four seven oh nine two one",
    ),
    "ip, digits": ("my IP is 192.0.2.17", "192.0.2.17"),
    "ip, words": (
        "the IP is one nine two dot oh dot two dot one seven",
        "one nine two dot oh dot two dot one seven",
    ),
}


@pytest.mark.parametrize("text, phi", CASES.values(), ids=CASES.keys())
def test_every_class_in_words_and_digits(text: str, phi: str) -> None:
    start = text.index(phi)
    around = text[:start] + " " + text[start + len(phi) :]
    out = redact(text).text
    # every letter-and-digit piece of the identifier is gone (pieces that also occur around it, like
    # "four" in "four twelve", are checked by count)
    for piece in set(re.findall(r"\w+", phi)):
        want = len(re.findall(rf"(?<!\w){re.escape(piece)}(?!\w)", around))
        assert len(re.findall(rf"(?<!\w){re.escape(piece)}(?!\w)", out)) <= want, (piece, out)
    # and the words around it stay
    for word in re.findall(r"[^\W\d_]{3,}", around):
        assert word in out, (word, out)


# Said the same way as the identifiers above, but identifying no one: these must stay whole.
NOT_PHI = (
    "D.O.B. please",  # a cue, not a name
    "this is really bad um",
    "i'm feeling unwell, can i see someone",
    "i'm doing okay",
    "yes it's me again",
    "it's on the 2nd floor",
    "the wait will be ninety minutes",
    "my mum went into a care home",
    "he's on his way",
    "the ward I was on",
    "as in the last visit, I was fine",
    "the forward slash key is broken",
    "i'd like to book an appointment",
    "i'd like to be called back tomorrow",
    "my friend texted me that she's going to kill herself",
    "my son can't catch his breath",
    "my husband cut himself and the blood won't stop",
    "my son still has a cough",
    "my daughter just had a fall",
    "i'm calling from work",
    "she lives in a flat near the station",
    "my member id is on the card",
    "the policy says i can come in",
)


@pytest.mark.parametrize("text", NOT_PHI)
def test_everyday_speech_like_an_identifier_stays(text: str) -> None:
    assert redact(text).text == text


def test_phi_free_caller_sentences_are_left_whole():
    # Over-redaction is a defect too: the understanding corpora's and the scenarios' caller
    # sentences hold no PHI (write_phi_free.py). A few may lose a word on the safe side (a
    # medicine no dictionary holds, "poison ivy" taken for a name, a pharmacy's street): at most 1%.
    from pathlib import Path

    path = Path(__file__).parent / "data" / "phi_free_callers.txt"
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x and not x.startswith("#")]
    assert len(lines) >= 1000
    changed = [x for x in lines if redact(x).spans]
    assert len(changed) <= len(lines) // 100, changed
