"""The caller-language corpus: what the site's callers say, for the recognizer's language model.

pocketsphinx with a small domain language model is far more accurate on a hospital line than
its general English model (see the speech tests), but only for word sequences the model has
seen. So the corpus is generated: everyday caller phrasings (below) expanded over the site
pack's own vocabulary (patients' names, providers, medications, insurers, weekdays) and every
spoken form of a date that the dialog understands, plus the examples in nlu.yaml.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable

from appliance.dialog.sitepack import SitePack
from appliance.numwords import MONTHS, number_words, ordinal_words, year_words

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

# {name} {date} {provider} {when} {med} {insurer}: filled from the site pack.
IDENTITY = (
    "{name}. {date}.",
    "{name}, {date}.",
    "my name is {name} and my date of birth is {date}",
    "it's {name}, born {date}",
    "this is {name}, {date}",
    "{name}, born on {date}",
    "my name is {name}",
    "{name}",
    "my date of birth is {date}",
    "i was born on {date}",
    "{date}",
)
REQUESTS = (
    "hi, i'd like to see {provider} {when}.",
    "i'd like to see {provider} {when}",
    "i need an appointment with {provider} {when}",
    "can i book an appointment with {provider} {when}",
    "i want to make an appointment {when}",
    "hello, i'd like to book an appointment with {provider}",
    "i need to reschedule my appointment with {provider}",
    "i need to cancel my appointment {when}",
    "can i move my appointment to {when}",
    "i need a refill on my {med}",
    "can i get a refill of my {med}",
    "i ran out of my {med}",
    "do you take {insurer}?",
    "is {insurer} accepted?",
)
ANSWERS = (
    "the first one is fine.",
    "the second one is fine",
    "the third one is fine",
    "the first one please",
    "the second one please",
    "the third one please",
    "the first one",
    "the second one",
    "the third one",
    "that's fine",
    "yes that works",
    "yes please",
    "yes",
    "no",
    "no thanks",
    "yes, that's right",
    "no, that's everything. thank you.",
    "no that's all thanks",
    "that's all, thanks.",
    "okay, thanks, bye.",
    "thank you, goodbye.",
    "thanks, goodbye.",
    "okay thank you",
    "can you repeat that?",
    "the walgreens on main street.",
    "the cvs on elm street",
    "{when}",
    "{provider}",
)
QUESTIONS = (
    "how much is parking for visitors?",
    "where do i park?",
    "what are your visiting hours?",
    "when are visiting hours?",
    "what are the visiting hours in the icu?",
    "what time does the clinic open?",
    "when is the clinic open on saturday?",
    "where are you located?",
    "what insurance do you accept?",
    "i have a question about my bill",
    "i want to pay my bill",
    "can i pay with a credit card?",
)
PEOPLE = (
    "can i just talk to a real person please?",
    "operator",
    "i want to speak to someone",
    "let me talk to a human",
    "can i talk to someone at the front desk?",
    "i'd like to speak to a nurse",
    "i don't want this call recorded.",
    "please don't record this call",
    "i do not consent to recording",
)
RED_FLAGS = (
    "i've had crushing chest pain for the last twenty minutes and my left arm is numb.",
    "i have chest pain",
    "my chest hurts",
    "i can't breathe",
    "i can't catch my breath",
    "my husband's face is drooping and his speech is slurred",
    "she's not waking up",
    "he's unresponsive",
    "i'm bleeding a lot and it won't stop",
    "my throat is closing",
    "i'm thinking about ending my life",
    "i want to kill myself",
    "i think i'm having a heart attack",
    "i need the results of my chest x-ray",
)


def spoken_year(year: int) -> list[str]:
    """ "nineteen eighty" and the short "eighty" callers often say."""
    full = year_words(year).replace("-", " ")
    short = number_words(year % 100).replace("-", " ") if year < 2000 and year % 100 >= 10 else None
    return [full, short] if short else [full]


def spoken_dates(month: int, day: int, year: int) -> list[str]:
    """The ways a caller says one date: "march third nineteen eighty", "three three eighty"…"""
    name, nth = MONTHS[month - 1], ordinal_words(day)
    years = spoken_year(year)
    forms = []
    for y in years:
        forms += [
            f"{name} {nth}, {y}",
            f"the {nth} of {name}, {y}",
            f"{number_words(month)} {number_words(day)} {y}",
        ]
    return [f.replace("-", " ") for f in forms]


def _dates(site: SitePack, rng: random.Random) -> list[str]:
    dates: list[str] = []
    for _ in range(40):  # enough dates that no one date is favoured, few enough not to crowd out the rest
        dates += spoken_dates(rng.randint(1, 12), rng.randint(1, 28), rng.randint(1925, 2024))
    return dates


def corpus(site: SitePack, *, seed: int = 7) -> list[str]:
    """Caller sentences for the recognizer's domain language model (deterministic for a site)."""
    rng = random.Random(seed)
    nlu = site.nlu
    names = list(nlu.vocabulary.names)
    providers = sorted({w for words in nlu.entities.get("provider", {}).values() for w in words})
    providers += [f"doctor {v.split()[-1].lower()}" for v in nlu.provider_names.values()]
    when = ["", "next tuesday morning", "on friday", "tomorrow afternoon", "this week", "next week",
            *(f"next {d} {p}" for d in WEEKDAYS for p in ("morning", "afternoon")), *WEEKDAYS]  # fmt: skip
    meds = list(nlu.vocabulary.medications)
    insurers = ["medicare", "medicaid", "aetna", "cigna", "blue cross", "united healthcare", "humana"]
    dates = _dates(site, rng)

    def fill(template: str) -> str:
        return template.format(
            name=rng.choice(names), date=rng.choice(dates), provider=rng.choice(providers),
            when=rng.choice(when), med=rng.choice(meds), insurer=rng.choice(insurers),
        ).replace("  ", " ").strip()  # fmt: skip

    lines: list[str] = []
    lines += [fill(t) for t in IDENTITY for _ in range(8)]
    lines += [fill(t) for t in REQUESTS for _ in range(8)]
    lines += [fill(t) for t in ANSWERS for _ in range(2)]
    lines += [*QUESTIONS, *PEOPLE, *RED_FLAGS, *dates]
    lines += list(_examples(site))
    seen: set[str] = set()
    return [line for line in lines if line and not (line in seen or seen.add(line))]


def contexts(site: SitePack, *, seed: int = 11) -> dict[str, list[str]]:
    """Per dialog context, what callers say there: the recognizer hears that turn with it.

    "identity" (the dialog waits for a name and a date of birth): the site's names over every
    date form the dialog understands, plus what a caller may say instead at any moment (asking
    for a person, refusing recording, a red flag), so that safety never depends on the context.
    The dates are random, never the patients' own: a bias towards a patient's true date of birth
    would turn a misheard wrong date into a verified identity.
    """
    rng = random.Random(seed)
    names = list(site.nlu.vocabulary.names)
    if not names:
        return {}
    identity: list[str] = []
    for _ in range(600):
        date = rng.choice(spoken_dates(rng.randint(1, 12), rng.randint(1, 31), rng.randint(1925, 2025)))
        identity.append(rng.choice(IDENTITY).format(name=rng.choice(names), date=date))
    identity += [*PEOPLE, *RED_FLAGS, "yes", "no", "i don't know", "can you repeat that?"]
    return {"identity": identity}


def _examples(site: SitePack) -> Iterable[str]:
    nlu = site.nlu
    for patterns in itertools.chain(
        nlu.intents.values(), nlu.handoffs, [nlu.refuse_recording, nlu.goodbye, nlu.questions]
    ):
        yield from patterns.examples
    yield from nlu.vocabulary.phrases
