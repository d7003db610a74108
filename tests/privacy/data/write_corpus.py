"""Write corpus_dev.txt and corpus_heldout.txt: spoken and recognizer-style utterances with PHI.

Run once (seeded, so it writes the same files again):  python tests/privacy/data/write_corpus.py
then build_utterances.py turns each .txt into .jsonl.

Why a generator: the labeled set had to triple, with variety the hand-written lines lacked (issue
17): names with diacritics, non-English, multi-part and hyphenated names; a year of birth alone; a
day and month without a year; international phones and extensions; account numbers spelled with
"dash" and "oh"; ages in words over 89; care homes, streets, rooms and cities as where someone
is; and the digit forms recognizers print ("March 3rd, 1980", "555-0167", "Room 412").

Honesty of the held-out third: the two halves share NO carrier sentence, NO person, NO place and
only part of the ways of saying a number. Held-out sentences, names, places and some spoken
forms (marked HELD below) exist only there, so rules tuned on the development half meet them
for the first time in the held-out half. The held-out file was written and frozen (committed)
before any rule was changed for issue 17; this script never rewrites it once it exists (its first
version drew its fills in an order that varied with Python's string hashing, so it could not
write the same file again anyway).

Data rules: every person is invented; phones are 555-01xx or the ranges set aside for drama
(+44 20 7946 0xxx, +61 491 570 xxx); mail is example.com/.org/.net; IPs are documentation
ranges; SSNs start with 9 or 000 (never issued).
Markup: {LABEL|text}, as in utterances.txt.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---- people and places (disjoint between the halves) ---------------------------------------------

DEV_FIRST = ["Zoë", "José", "Siobhán", "Björn", "Łucja", "Oluwaseun", "Mei-Ling", "Thandiwe", "Rafael",
             "Anaïs", "Kwame", "Ingrid", "Tomasz", "Yusuf", "Élodie", "Hamid", "Greta", "Priyanka",
             "Dorothea", "Ximena", "Cormac", "Wilhelmina", "Arjun", "Fenella"]  # fmt: skip
DEV_LAST = ["Achterberg", "Ñúñez", "Ó Briain", "Håkansson", "Wróblewska", "Adébáyọ̀", "Tsao",
            "Mthembu", "Quillfeather", "Delacroix-Boateng", "van der Berghe", "Okafor-Lindqvist",
            "Brzęczyszczykiewicz", "Al-Khatib", "de la Fuente", "Fitzwarren", "Nakashima", "Olufemi",
            "Castellanos-Ruiz", "Ferreira da Silva", "Mbeki-Ashdown", "Thorvaldsen", "Zielińska",
            "Pemberton-Oyelowo"]  # fmt: skip
HELD_FIRST = ["Renée", "Søren", "Aoife", "Chidinma", "Jürgen", "Ngọc", "Florencia", "Bartek", "Saoirse",
              "Ikenna", "Małgorzata", "Téa", "Declan", "Oksana", "Emeka", "Clémence", "Dagny",
              "Ravindra", "Philippa", "Ignatius", "Leocadia", "Tobias"]  # fmt: skip
HELD_LAST = ["Villeneuve-Ashworth", "Kjærgaard", "Mac Giolla Phádraig", "Nwachukwu", "Großmann",
             "Trần", "Etcheverry", "Szczepański", "Quarrington", "Bin Rashid", "dos Santos Pereira",
             "Oyelaran-Fitch", "Van Houtte", "Abernethy", "Lindqvist-Obi", "Krzyżanowska",
             "Papadopoulou", "Haverbrook", "Ó Súilleabháin", "Ramírez de Arellano"]  # fmt: skip

DEV_FACILITIES = ["Maplewood Gardens", "Sunnybrook Manor", "Heatherfield House", "Cedar Hollow Care Home",
                  "St. Brigid's Residence", "Willowmere Lodge"]  # fmt: skip
HELD_FACILITIES = ["Larkspur Court", "Brambleton Hall", "Oakhaven Assisted Living",
                   "Greystone Nursing Home", "the Marigold Residence", "Foxglove Manor"]  # fmt: skip
DEV_STREETS = ["Tillerman Crescent", "Quarry Hollow Lane", "Birchwood Avenue", "Old Mill Road",
               "Kestrel Way", "Harbour View Drive", "Linden Terrace"]  # fmt: skip
HELD_STREETS = ["Wrenfield Close", "Saltmarsh Road", "Copperbeech Lane", "Gallows Hill Street",
                "Pennyroyal Avenue", "Ferncliff Drive", "Orchard Row"]  # fmt: skip
DEV_CITIES = ["Ashcombe", "Carrow Falls", "Eastholm", "Dayton", "Fresno", "Pinecrest", "Brookhaven"]
HELD_CITIES = ["Wexley", "Harrowgate Springs", "Albany", "Tucson", "Kingsbridge", "Marlow Junction"]

# ---- spoken numbers --------------------------------------------------------------------------------

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]  # fmt: skip
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORD = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
       "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
       "eighteenth", "nineteenth", "twentieth"]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip


def two(n: int, hyphen: bool = True) -> str:
    if n < 10:
        return ONES[n]
    if n < 20:
        return TEENS[n - 10]
    t, o = divmod(n, 10)
    return TENS[t] + (("-" if hyphen else " ") + ONES[o] if o else "")


def ordinal(n: int) -> str:
    if n <= 20:
        return ORD[n]
    t, o = divmod(n, 10)
    return (TENS[t] + "-" + ORD[o]) if o else TENS[t][:-1] + "ieth"


def num_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def year_words(y: int, r: random.Random) -> str:
    if y >= 2000:
        return (
            "two thousand" + (" " + two(y - 2000) if y > 2000 else "")
            if r.random() < 0.6
            else ("twenty " + (two(y - 2000) if y - 2000 >= 10 else "oh " + ONES[y - 2000]))
        )
    return f"nineteen {two(y - 1900, r.random() < 0.6)}" if y % 100 >= 10 else f"nineteen oh {ONES[y % 10]}"


def digits_spoken(s: str, r: random.Random, zero: str | None = None) -> str:
    """'5550167' -> 'five five five oh one six seven' (zero said 'oh' or 'zero')."""
    z = zero or r.choice(["oh", "zero", "oh"])
    return " ".join(z if c == "0" else ONES[int(c)] for c in s)


def age_words(a: int) -> str:
    if a >= 100:
        rest = a - 100
        return "a hundred" + (" and " + two(rest) if rest else "") if rest < 100 else str(a)
    return two(a)


# ---- renderers: (text, label) pieces; the forms marked HELD exist only in the held-out half ------


class Gen:
    def __init__(self, held: bool, seed: int) -> None:
        self.held = held
        self.r = random.Random(seed)
        self.first = HELD_FIRST if held else DEV_FIRST
        self.last = HELD_LAST if held else DEV_LAST
        self.facilities = HELD_FACILITIES if held else DEV_FACILITIES
        self.streets = HELD_STREETS if held else DEV_STREETS
        self.cities = HELD_CITIES if held else DEV_CITIES

    def pick(self, xs):  # type: ignore[no-untyped-def]
        return self.r.choice(xs)

    # names
    def full_name(self) -> str:
        return "{NAME|" + f"{self.pick(self.first)} {self.pick(self.last)}" + "}"

    def first_name(self) -> str:
        return "{NAME|" + self.pick(self.first) + "}"

    def surname(self) -> str:
        return "{NAME|" + self.pick(self.last) + "}"

    def lower_full_name(self) -> str:
        return "{NAME|" + f"{self.pick(self.first)} {self.pick(self.last)}".lower() + "}"

    def spelled(self) -> str:
        word = [c for c in self.pick(self.last) if c.isalpha()][:9]
        sep = self.pick([" ", " ", "-", ", "] + ([". "] if self.held else []))
        return "{NAME|" + sep.join(c.upper() for c in word) + "}"

    # dates
    def _ymd(self) -> tuple[int, int, int]:
        return self.r.randint(1925, 2019), self.r.randint(1, 12), self.r.randint(1, 28)

    def dob(self) -> str:
        y, m, d = self._ymd()
        forms = [
            f"{MONTHS[m - 1]} {ordinal(d)} {year_words(y, self.r)}",
            f"{MONTHS[m - 1]} {d}{num_suffix(d)}, {y}",
            f"{MONTHS[m - 1]} {d}, {y}",
            f"{m}/{d}/{y}",
            f"the {ordinal(d)} of {MONTHS[m - 1]} {year_words(y, self.r)}",
            f"{two(m)} {two(d)} {year_words(y, self.r)}",
            f"{m:02d}-{d:02d}-{y}",
        ]
        if self.held:
            forms += [f"{d} {MONTHS[m - 1]} {y}", f"{MONTHS[m - 1].lower()} {ordinal(d)} {y}",
                      f"{y}-{m:02d}-{d:02d}"]  # fmt: skip
        return "{DATE|" + self.pick(forms) + "}"

    def year_only(self) -> str:
        y = self.r.randint(1925, 2015)
        return "{DATE|" + self.pick([year_words(y, self.r), str(y)]) + "}"

    def day_month(self) -> str:
        m, d = self.r.randint(1, 12), self.r.randint(1, 28)
        forms = [f"{MONTHS[m - 1]} {ordinal(d)}", f"{MONTHS[m - 1]} {d}{num_suffix(d)}",
                 f"the {ordinal(d)} of {MONTHS[m - 1]}", f"{MONTHS[m - 1]} {d}"]  # fmt: skip
        if self.held:
            forms += [f"{d} {MONTHS[m - 1]}", f"{MONTHS[m - 1].lower()} the {ordinal(d)}"]
        return "{DATE|" + self.pick(forms) + "}"

    # ages (over 89: the Safe Harbor class)
    def old_age(self) -> str:
        a = self.r.randint(90, 104)
        return "{AGE|" + self.pick([age_words(a), str(a)]) + "}"

    def young_age(self) -> str:  # not PHI: said beside PHI-free text for precision
        a = self.r.randint(4, 88)
        return self.pick([two(a), str(a)])

    # phones
    def phone(self) -> str:
        tail = f"01{self.r.randint(0, 99):02d}"
        area = self.pick(["555", "555"])
        forms = [
            f"{area}-{tail}",
            f"({area}) 555-{tail}",
            f"555-555-{tail}",
            digits_spoken(f"555{tail}", self.r),
            f"{digits_spoken(area, self.r)} {digits_spoken('555', self.r)} {digits_spoken(tail, self.r)}",
            f"five five five, {digits_spoken(tail, self.r)}",
            f"area code {digits_spoken(area, self.r)}, {digits_spoken('555' + tail, self.r)}",
        ]
        if self.held:
            forms += [f"555.555.{tail}", f"five five five dash {digits_spoken(tail, self.r)}",
                      f"double five five {digits_spoken(tail, self.r)}"]  # fmt: skip
        return "{PHONE|" + self.pick(forms) + "}"

    def phone_ext(self) -> str:
        """A number with its extension: the extension is part of the number (one span)."""
        return self.phone()[:-1] + " " + self.extension() + "}"

    def intl_phone(self) -> str:
        uk = f"0{self.r.randint(100, 999)}"
        au = f"{self.r.randint(100, 999)}"
        forms = [f"+44 20 7946 {uk}", f"+61 491 570 {au}", f"+1 555 555 01{self.r.randint(10, 99)}",
                 f"plus four four, two oh, seven nine four six, {digits_spoken(uk, self.r)}"]  # fmt: skip
        if self.held:
            forms += [f"0044 20 7946 {uk}",
                      f"plus six one four nine one five seven oh {digits_spoken(au, self.r)}"]  # fmt: skip
        return "{PHONE|" + self.pick(forms) + "}"

    def extension(self) -> str:
        e = str(self.r.randint(2, 4999))
        return self.pick([f"extension {e}", f"extension {digits_spoken(e, self.r)}", f"ext. {e}",
                          f"x{e}"] + (["extension number " + e] if self.held else []))  # fmt: skip

    # accounts and ids, letter by letter with "dash" and "oh"
    def _letters(self, k: int) -> list[str]:
        return [self.pick("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(k)]

    def account_spoken(self) -> str:
        letters = self._letters(self.r.randint(1, 3))
        ds = [str(self.r.randint(0, 9)) for _ in range(self.r.randint(4, 7))]
        if "0" not in ds:
            ds[self.r.randrange(len(ds))] = "0"
        spoken_digits = digits_spoken("".join(ds), self.r, zero="oh")
        forms = [
            f"{' '.join(letters)} dash {spoken_digits}",
            f"{' '.join(letters)} {spoken_digits}",
            f"{''.join(letters)}-{''.join(ds)}",
            f"{' '.join(letters)} dash {' '.join(ds)}",
        ]
        if self.held:
            forms += [f"{' '.join(letters).lower()} dash {spoken_digits}",
                      f"{letters[0]} as in {self.pick(['apple', 'boy', 'echo', 'tango'])} "
                      f"{spoken_digits}"]  # fmt: skip
        return "{ID|" + self.pick(forms) + "}"

    def account_digits(self) -> str:
        n = "".join(str(self.r.randint(0, 9)) for _ in range(self.r.randint(6, 10)))
        return "{ID|" + self.pick([n, digits_spoken(n, self.r), "-".join([n[:3], n[3:]])]) + "}"

    def mrn(self) -> str:
        n = f"1{self.r.randint(0, 99999):05d}"
        return "{MRN|" + self.pick([f"RCH-{n}", f"R C H {digits_spoken(n, self.r)}", f"RCH {n}",
                                    f"r c h dash {digits_spoken(n, self.r)}"]) + "}"  # fmt: skip

    def ssn(self) -> str:
        s = f"9{self.r.randint(0, 99):02d}{self.r.randint(10, 99)}{self.r.randint(1000, 9999)}"
        return "{SSN|" + self.pick([f"{s[:3]}-{s[3:5]}-{s[5:]}", digits_spoken(s, self.r),
                                    f"{digits_spoken(s[:3], self.r)} dash {digits_spoken(s[3:5], self.r)} "
                                    f"dash {digits_spoken(s[5:], self.r)}"]) + "}"  # fmt: skip

    def email(self) -> str:
        user = self.pick(self.first).lower()
        user = "".join(c for c in user if c.isascii() and c.isalpha()) or "pat"
        dom = self.pick(["example.com", "example.org", "example.net"])
        forms = [f"{user}.{self.r.randint(1, 99)}@{dom}",
                 f"{user} dot {self.pick(['k', 'm', 'smith'])} at {dom.replace('.', ' dot ')}",
                 f"{user}{self.r.randint(1, 99)} at {dom.replace('.', ' dot ')}"]  # fmt: skip
        return "{EMAIL|" + self.pick(forms) + "}"

    def ip(self) -> str:
        base = self.pick(["192.0.2", "198.51.100", "203.0.113"])
        host = self.r.randint(1, 254)
        return "{IP|" + self.pick([f"{base}.{host}", " dot ".join([*base.split("."), str(host)])]) + "}"

    def zipcode(self) -> str:
        z = f"{self.r.randint(10000, 99999)}"
        return "{ZIP|" + self.pick([z, digits_spoken(z, self.r)]) + "}"

    def plate(self) -> str:
        p = "".join(self._letters(3)) + str(self.r.randint(100, 9999))
        return "{PLATE|" + self.pick([p, " ".join(p)]) + "}"

    def vin(self) -> str:
        chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
        return "{PLATE|" + "1" + "".join(self.pick(chars) for _ in range(16)) + "}"

    def url(self) -> str:
        return "{ID|" + self.pick([f"www.example.org/{self.pick(self.first).lower()[:4]}-photos",
                                   f"https://example.net/u/{self.r.randint(1000, 9999)}"]) + "}"  # fmt: skip

    # places where someone lives or lies
    def facility(self) -> str:
        return "{ADDRESS|" + self.pick(self.facilities) + "}"

    def street(self) -> str:
        s = self.pick(self.streets)
        return "{ADDRESS|" + self.pick([s, f"{self.r.randint(2, 980)} {s}",
                                        f"{two(self.r.randint(11, 99))} {s}"]) + "}"  # fmt: skip

    def city(self) -> str:
        return "{ADDRESS|" + self.pick(self.cities) + "}"

    def room(self) -> str:
        n = self.r.randint(101, 719)
        forms = [f"Room {n}", f"room {digits_spoken(str(n), self.r)}",
                 f"room {ONES[n // 100]} {two(n % 100)}"]  # fmt: skip
        if self.held:
            forms += [f"bed {self.r.randint(2, 40)} on ward {self.pick('ABCDE')}", f"rm {n}"]
        return "{ADDRESS|" + self.pick(forms) + "}"


# ---- carrier sentences: a template names the renderers it needs ------------------------------------

DEV_TEMPLATES = [
    "hi my name is {full_name} and I need to move my appointment",
    "this is {full_name}, date of birth {dob}",
    "My name is {full_name}. I was born {dob}.",
    "it's {lower_full_name} calling about my results",
    "I'm calling for my mother, {full_name}, she lives at {facility}",
    "my father {first_name} is at {facility} now",
    "last name {surname}, spelled {spelled}",
    "the patient is Mrs. {surname}, she's {old_age} years old",
    "Mr. {surname} was born in {year_only}",
    "I was born in {year_only} if that helps",
    "year of birth {year_only}",
    "her birthday is {day_month}",
    "I was admitted on {day_month} and discharged two days later",
    "my number is {phone}",
    "you can reach me at {phone_ext}",
    "call my daughter at {intl_phone}, she's in {{ADDRESS|London}}",
    "my cell is {intl_phone}",
    "account number {account_spoken}",
    "the group number is {account_spoken}",
    "member ID {account_digits}",
    "my MRN is {mrn}",
    "social security {ssn}",
    "email me at {email}",
    "my grandmother is {old_age} and she fell",
    "he turned {old_age} last month",
    "she is {old_age} years old and lives in {city}",
    "we live on {street} in {city}",
    "I live at {street}",
    "he's in {room} on the fourth floor",
    "I'm in {room}",
    "we drove up from {city} this morning",
    "my IP address is {ip}",
    "zip code {zipcode}",
    "the license plate is {plate}",
    "the VIN is {vin}",
    "my photos are at {url}",
    "Name: {full_name}. DOB: {dob}. Phone: {phone}.",
    "{full_name} here, {old_age}, from {city}",
    "spell it {spelled}",
    "my son is {young_age} and has a fever",
    "I'm {young_age} years old and I need a flu shot",
    "visiting hours are ten to eight and the garage on Elm Street is free for thirty minutes",
    "Dr. Patel said to call back on Tuesday at 9:30",
    "the pharmacy closes at 6 on Saturday, right?",
    "can I book with Cardiology for the morning of the {{DATE|3rd}}",
    "my caregiver {first_name} {surname} will bring me",
]
HELD_TEMPLATES = [
    "good morning, {full_name} speaking, I had a scan last week",
    "yes, it's {full_name}, born {dob}",
    "The name is {full_name}, D.O.B. {dob}",
    "uh this is {lower_full_name} um about the bill",
    "I'm ringing about my aunt {full_name} who stays at {facility}",
    "my husband {first_name} moved into {facility} in spring",
    "surname is {surname}, that's {spelled}",
    "Mrs. {surname} is {old_age}, very frail",
    "the patient {surname} was born {year_only}",
    "born {year_only}, female",
    "I think I was born in {year_only}, yes",
    "we're hoping to come in on {day_month}",
    "his surgery was on {day_month}, I believe",
    "the best number is {phone}",
    "phone {phone_ext} is my office",
    "my brother's number abroad is {intl_phone}",
    "please text {intl_phone}",
    "policy number is {account_spoken} I think",
    "subscriber number {account_spoken}",
    "my insurance ID is {account_digits}",
    "medical record number {mrn}",
    "SSN {ssn}",
    "you can write to {email}",
    "she'll be {old_age} next week",
    "Grandpa is {old_age} years of age",
    "my great aunt, aged {old_age}, lives in {city}",
    "she's at {street}, over in {city}",
    "the address is {street}",
    "my wife is in {room}",
    "send the nurse to {room} please",
    "we moved here from {city} last year",
    "the IP is {ip}",
    "my postal code is {zipcode}",
    "plate number {plate}",
    "vehicle identification number {vin}",
    "the website with my pictures is {url}",
    "Patient: {full_name}; DOB {dob}; tel {phone}",
    "{full_name}, {old_age} years, resident of {city}",
    "let me spell that, {spelled}",
    "my granddaughter is {young_age} and has an earache",
    "I'm {young_age} and pregnant",
    "the clinic is open 8 to 5 Monday through Friday and the ICU eleven to seven",
    "Nurse Okafor told me to call back at ten thirty",
    "is the $25 late fee still a thing?",
    "I'd like a slot on Thursday afternoon with Orthopedics",
    "my neighbor {first_name} {surname} drove me in",
]


def write(path: Path, templates: list[str], gen: Gen, count: int, header: str) -> None:
    lines: list[str] = []
    # every template at least once, then at random, so each half keeps its variety
    order = list(templates)
    while len(order) < count:
        order.append(gen.pick(templates))
    for template in order[:count]:
        fills = {}
        for key in sorted({f for _, f, _, _ in string.Formatter().parse(template) if f}):
            fills[key] = getattr(gen, key)()
        lines.append(template.format(**fills))
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    common = "# Written by write_corpus.py (seeded); see its docstring for how and why. Fictional data.\n"
    write(HERE / "corpus_dev.txt", DEV_TEMPLATES, Gen(held=False, seed=17), 370,
          common + "# Development half: rules may be tuned on it.\n"
          "# Label correction (fourteenth session, issue 17's date conventions settled by HIPAA Safe\n"
          "# Harbor and the rule to redact when unsure): a day of the month is a date element even\n"
          "# when its month is left unsaid, a day asked for included: the day of \"the morning of the\n"
          "# 3rd\" relabelled DATE (3 spans).\n")  # fmt: skip
    held = HERE / "corpus_heldout.txt"
    if held.exists():
        print(f"{held.name} is frozen (the held-out third): left as it is")
        return
    write(
        held,
        HELD_TEMPLATES,
        Gen(held=True, seed=1717),
        370,
        common + "# HELD-OUT third of the whole set: frozen before issue 17's rule changes; report only.\n",
    )


if __name__ == "__main__":
    main()
