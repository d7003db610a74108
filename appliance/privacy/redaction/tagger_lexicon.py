"""The words the tagger's features read as function words and as everyday words, frozen with its weights.

The tagger reads each word's class (tagger.word_class): a function word ("fn"), an everyday word
("every"), a dictionary word by its parts of speech, or a word no dictionary holds ("unk"). The
rules' own lists (dictionary.py, lexicon.py) grow every round of rule work; were the tagger to read
them, each such change would move its features away from those its weights were trained on, and
the pinned weights could no longer be rebuilt from the repository (they were not, from 5fdea0c to
this file: lexicon.py and dictionary.py had grown by 82 words). So the tagger keeps its own copy,
as those lists stood at commit 5fdea0c, when tagger_weights.json (sha256 a54b35ef…) was trained.
Change these words only together with retraining and re-pinning the weights (tagger_train.py).
It still shares WordNet's words (english_words.txt) and the medicines' names (medicines.py) with
the rules: `tagger_train --check` (`make check-tagger`) says whether the weights still rebuild.
"""

from __future__ import annotations

from functools import lru_cache

from appliance.privacy.redaction.dictionary import table_with, tags_in


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# dictionary._SPOKEN at 5fdea0c: pronouns, articles, prepositions, auxiliaries, phone and care talk
FUNCTION_WORDS = _words("""
a about after against although am among an and antibiotics anybody anyone anything anywhere app appt
are at because been before being bloods both but by bye can copay could covid ct dad daddy did does
doing done dunno during each ecg either ekg email emails epipen er every everybody everyone
everything everywhere few for from gimme gonna goodbye gotta gp gran grandma grandpa granny had has
having he her here hers herself him himself his hiya how i ibuprofen icu if in inhaler insulin into
is it its itself kinda lemme may me meds might mine mom mommy mri mum mummy must my myself nan nana
nebulizer neither nobody nope nothing of ok okay on online onto or our ours ourselves over own
paracetamol pharmacist physio physiotherapy please prescription prescriptions refill refills several
shall she should since someone something somewhere sorta such tablets telehealth texted than thank
thanks that the their theirs them themselves then there these they this those though to ultrasound
under unless until upon us voicemail wanna was we were what whatever when whenever where which while
who whom whose why wifi will with within without would xray yeah yep you your yours yourself
yourselves
""")

# lexicon.py's everyday words at 5fdea0c (COMMON_CAPITALISED, NAME_STOP, RELATIVES, FILLERS, months,
# weekdays, number words), less the function words above
EVERYDAY_WORDS = _words("""
actually advil aetna afternoon again ah all alright also amex any appointment apr april as aug
august aunt be billing birth blue bluecross blueshield born boyfriend brother call calling
cardiology caregiver center child christmas cigna clinic community cross cvs date daughter dear dec
december definitely department desk discover do dob doctor dr easter eight eighteen eighteenth
eighth eighty eleven eleventh elm emergency english erm evening family father feb february fiance
fiancee fifteen fifteenth fifth fifty first five forty four fourteen fourteenth fourth fri friday
friend front garage girlfriend god gold good granddaughter grandfather grandmother grandson great
have hello hey hi hmm hmo hold hospital humana husband i'd i'll i'm i've insurance it's jan january
jul july jun june just kid lab labs last let let's like lisinopril listen look mar march mastercard
maybe medicaid medicare medicine metformin middle miss missus mister mm mon monday morning mother mr
mrs ms name need needs neighbor nephew niece nine nineteen nineteenth ninety ninth no not nov
november now number nurse o oct october oh one operator orthopedics partner pediatrics perfect
pharmacy phone ppo probably right riverside sat saturday scheduling second sep sept september seven
seventeen seventeenth seventh seventy shield sister six sixteen sixteenth sixth sixty so some son
sorry spanish speaking spelled spouse stepdaughter stepson street sun sunday sure ten tenth
thanksgiving that's third thirteen thirteenth thirtieth thirty three thu thurs thursday today
tomorrow too tue tues tuesday twelfth twelve twentieth twenty two tylenol uh um uncle
unitedhealthcare visa wait walgreens want wants wed wednesday welcome well wife yes yesterday zero
""")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return table_with(FUNCTION_WORDS | EVERYDAY_WORDS)


@lru_cache(maxsize=65536)
def tags(low: str) -> str | None:
    """dictionary.tags over the frozen words: parts of speech, "" for an everyday word, None for
    a word no dictionary holds."""
    return tags_in(_table(), low)


def is_function_word(low: str) -> bool:
    return low in FUNCTION_WORDS
