"""Words said where a name could stand that name no one, whichever finder took them for a name:
a greeting in another language opening a call ("Bonjour, my name is …"), a people or a language
("I am Kurdish", "she speaks Badini, not Sorani"), a foreign word glossed as a relative ("the
family calls her Medzmama, it means grandma"), a military rank before a name ("Staff Sgt. Karl
Grech": the rank is not the name) and a fixed Latin phrase ("guardian ad litem").

The lists are kept here, in one place, and read by compose.py on every NAME span found."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from appliance.privacy.redaction.dictionary import is_dictionary_word

# Greetings in many languages a caller may open with before English, written without accents as
# fold() leaves them; several words for one greeting are one entry ("buenos dias").
GREETINGS = frozenset((
    # Romance
    "bonjour", "bonsoir", "salut", "allo", "hola", "buenos dias", "buenas tardes", "buenas noches",
    "buenas", "ola", "oi", "bom dia", "boa tarde", "boa noite", "ciao", "buongiorno", "buonasera",
    "salve", "bon dia", "bona tarda", "buna ziua", "buna", "bonjou", "bonswa",
    # Germanic and Nordic
    "hallo", "guten tag", "guten morgen", "gruss gott", "gruezi", "servus", "moin", "hej", "hei",
    "halla", "god dag", "goedemorgen", "goedemiddag", "goedendag", "hoi", "godan daginn",
    "goddag", "gudday",
    # Slavic, Baltic, Finnic, Hungarian, Greek, Caucasus
    "privet", "zdravstvuyte", "zdravstvuite", "dobry den", "dobryi den", "dobryy den", "dzien dobry",
    "czesc", "ahoj", "zdravo", "dobar dan", "dober dan", "zdraveite", "dobro utro", "tere",
    "tere paevast", "terve", "moi", "paivaa", "hyvaa paivaa", "labas", "laba diena", "labdien",
    "sveiki", "sveiks", "szia", "jo napot", "yassou", "yia sou", "geia sou", "geia", "kalimera",
    "kalispera", "barev", "barev dzez", "gamarjoba", "salam", "salaam",
    # Turkic, Iranian, Arabic, Hebrew
    "merhaba", "selam", "selamun aleykum", "salom", "assalamu alaikum", "assalamualaikum",
    "assalamu alaykum", "as salamu alaikum", "as salamu alaykum", "salam alaikum", "salaam alaikum",
    "salamu alaikum", "asalamu alaikum", "marhaba", "ahlan", "ahlan wa sahlan", "sabah al khair",
    "shalom", "dorud", "rojbash", "choni",
    # South and South-East Asia
    "namaste", "namaskar", "namaskaram", "vanakkam", "sat sri akal", "kem cho", "nomoshkar",
    "ayubowan", "tashi delek", "sabaidee", "sabai dee", "sawasdee", "sawatdee", "sawadee",
    "sawasdee ka", "sawasdee krap", "xin chao", "suostei", "chum reap suor", "mingalaba",
    "mingalabar", "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "selamat",
    "apa kabar", "kumusta", "kamusta", "mabuhay", "nyob zoo",
    # East Asia
    "ni hao", "nihao", "nin hao", "nei hou", "konnichiwa", "ohayo", "annyeong", "annyeonghaseyo",
    "yeoboseyo", "moshi moshi", "sain baina uu", "sain bainuu",
    # Africa
    "jambo", "habari", "hujambo", "sawubona", "molo", "dumela", "sannu", "bawo", "bawo ni", "nnoo",
    "salaam aleikum", "akwaaba", "manao ahoana", "nanga def", "mbote", "muraho",
    # Pacific and the Americas
    "talofa", "talofa lava", "malo e lelei", "kia ora", "aloha", "bula", "bula vinaka", "fakaalofa",
    "iaorana", "hafa adai", "mba'eichapa", "mari mari", "kamisaraki", "allianchu", "yaateeh",
    "boozhoo", "tansi", "waqaa", "cama'i", "gunalcheesh",
))  # fmt: skip
_LONGEST_GREETING = max(len(g.split()) for g in GREETINGS)
# What may come before a greeting at a call's opening: "uh, hi, bonjour …", "hello, namaste".
_BEFORE_GREETING = frozenset((
    "uh", "um", "er", "erm", "ah", "oh", "hi", "hello", "hey", "and", "yes", "yeah",
))  # fmt: skip
# What a recognizer runs into a greeting: "sabaidee im calling …" ("i'm" without its apostrophe).
_AFTER_GREETING = frozenset(("im", "i'm", "i"))

# Peoples and languages of the world a caller names ("I am Kurdish", "he is Aymara", "we speak
# Guarani"), accents folded. Languages that are common English surnames too ("English", "French",
# "Welsh") are read as languages only after a word that says so (see _PEOPLE_CUES).
PEOPLES = frozenset((
    "english", "spanish", "french", "german", "italian", "portuguese", "polish", "russian",
    "ukrainian", "romanian", "greek", "turkish", "arabic", "arab", "hebrew", "yiddish", "farsi",
    "persian", "dari", "pashto", "pashtun", "urdu", "hindi", "bengali", "bangla", "punjabi",
    "gujarati", "tamil", "telugu", "marathi", "malayalam", "kannada", "sinhala", "sinhalese",
    "nepali", "newar", "tibetan", "mandarin", "cantonese", "chinese",
    "hakka", "taishanese", "japanese", "korean", "vietnamese", "tagalog", "filipino", "ilocano",
    "cebuano", "visayan", "thai", "khmer", "lao", "laotian", "burmese", "hmong", "malay",
    "indonesian", "javanese", "mongolian", "kazakh", "uzbek", "tajik", "kyrgyz",
    "turkmen", "uyghur", "somali", "swahili", "amharic", "tigrinya", "oromo", "yoruba",
    "igbo", "hausa", "fulani", "fula", "wolof", "mandinka", "bambara", "twi", "ewe", "lingala",
    "kinyarwanda", "kirundi", "luganda", "zulu", "xhosa", "shona", "malagasy", "berber", "amazigh",
    "kurdish", "kurd", "kurmanji", "sorani", "badini", "zazaki", "armenian", "georgian", "chechen",
    "assyrian", "chaldean", "aramaic", "azeri", "azerbaijani", "romani", "gaelic", "welsh",
    "irish", "scots", "cornish", "breton", "basque", "euskara", "catalan", "galician", "sardinian",
    "corsican", "maltese", "dutch", "flemish", "frisian", "danish", "swedish", "norwegian", "finnish",
    "icelandic", "faroese", "estonian", "latvian", "lithuanian", "hungarian", "czech",
    "slovak", "slovene", "slovenian", "serbian", "croatian", "bosnian", "albanian", "bulgarian",
    "macedonian", "belarusian", "moldovan", "navajo", "hopi", "zuni", "apache", "cherokee",
    "choctaw", "lakota", "ojibwe", "cree", "inuktitut", "inuit", "yupik", "yup'ik",
    "inupiaq", "tlingit", "haida", "aleut", "hawaiian", "samoan", "tongan", "fijian", "maori",
    "chamorro", "marshallese", "chuukese", "palauan", "quechua", "aymara", "guarani", "mapuche",
    "mapudungun", "nahuatl", "mayan", "mixtec", "zapotec", "kiche", "qanjobal",
    "garifuna", "creole", "kreyol", "patois", "papiamento", "amish", "hutterite", "mennonite",
    "latino", "latina", "hispanic",
    # peoples of a region more than of a state: East Africa and the Horn, the Volga and the
    # Caucasus, island South-East Asia and Taiwan, Japan's north, Canada's and the Arctic's
    "kikuyu", "maasai", "masai", "kalenjin", "luhya", "kamba", "beja", "nubian", "dinka", "nuer",
    "tuareg", "bashkir", "tatar", "chuvash", "buryat", "kalmyk", "yakut", "sakha", "ossetian",
    "circassian", "avar", "bugis", "buginese", "batak", "minangkabau", "sundanese", "acehnese",
    "dayak", "toraja", "amis", "atayal", "paiwan", "bunun", "ilokano", "kapampangan", "hiligaynon",
    "ilonggo", "waray", "bicolano", "tausug", "maranao", "ainu", "ryukyuan", "okinawan", "metis",
    "innu", "mohawk", "anishinaabe", "ojibwa", "mi'kmaq", "mikmaq", "blackfoot",
))  # fmt: skip
# Languages and peoples that are surnames too ("Ann English", "her surname is Welsh"): read as a
# language only after "speak" and its like.
_SURNAMES_TOO = frozenset((
    "english", "french", "welsh", "irish", "scots", "german", "dutch", "cornish", "breton",
    "catalan", "fleming", "hungarian", "polish", "english", "walsh", "tamil", "cherokee",
))  # fmt: skip
# Words a people or a language is said after: "I am Kurdish", "he is Aymara", "we speak Guarani",
# "she speaks Badini, not Sorani", "her Kurdish is better than her Arabic".
_PEOPLE_CUES = frozenset((
    "am", "is", "are", "was", "were", "im", "i'm", "he's", "she's", "hes", "shes", "we're", "they're",
    "speak", "speaks", "spoke", "speaking", "understands", "understand", "prefers", "prefer", "not",
    "or", "and", "in", "only", "mostly", "fluent", "some", "much", "the", "a", "an", "half",
))  # fmt: skip
SPEAKS = frozenset((
    "speak", "speaks", "spoke", "speaking", "understands", "understand", "prefers", "prefer",
    "preferred",
))  # fmt: skip
# Between two languages named together: "Badini, not Sorani", "Quechua or Aymara".
_LIST_JOINS = frozenset(("not", "or", "and", "nor", "but"))

# Military ranks and their written shortenings; a rank before a name is not part of it. Those that
# are first names too ("Major", "General", "Private") are read as ranks only beside another rank
# word or a shortening ("Staff Sgt.", "Maj. Flint").
_RANKS = frozenset((
    "sgt", "ssgt", "sfc", "msgt", "cpl", "lcpl", "pvt", "pfc", "spc", "lt", "ltjg", "capt", "cpt",
    "maj", "col", "ltc", "gen", "brig", "adm", "cmdr", "cdr", "ens", "po", "cpo", "wo", "cwo",
    "sergeant", "corporal", "lieutenant", "colonel", "captain", "commander", "admiral", "ensign",
    "brigadier", "airman", "seaman",
))  # fmt: skip
_RANK_WORDS = _RANKS | {"staff", "master", "first", "lance", "private", "major", "general", "chief",
                        "petty", "officer", "specialist", "warrant", "senior", "command", "gunnery",
                        "technical", "rear", "vice", "second"}  # fmt: skip

# Fixed Latin phrases of the law and the clinic whose last words a tagger may take for a name.
_LATIN_PHRASES = (
    "guardian ad litem", "ad litem", "pro bono", "pro tem", "pro tempore", "in loco parentis",
    "habeas corpus", "per diem", "post mortem", "bona fide", "de facto", "in situ", "status quo",
    "prima facie", "amicus curiae", "subpoena duces tecum", "nunc pro tunc", "ex parte",
)  # fmt: skip
# The phrases as one string: a span inside one, lower-cased with its spaces closed up, is a piece of it.
_LATIN_TEXT = "|".join(_LATIN_PHRASES)
_LATIN = re.compile(
    r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p in _LATIN_PHRASES) + r")\b", re.IGNORECASE
)

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SET_OFF = re.compile(r"^.?,\s*[^\W\d_]+(?:['’][^\W\d_]+)?,$")


def fold(word: str) -> str:
    """The word lower-cased and without accents, as the lists here are written ("Días": "dias")."""
    if word.isascii():
        return word.lower()  # nothing to decompose: most words are plain ASCII
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))


def opening_greeting_end(text: str) -> int:
    """Where the greetings that open a call end (0 where none does): "Bonjour, my name is …",
    "uh hi namaste i am …", "Buenos días, …". A recognizer's "im" run on after it is taken in."""
    end = 0
    words = _FoldedWords(text, min(len(text), 80))
    i = 0
    while words.has(i):
        # none tried where no greeting opens with this word: the words after it go unread
        for n in range(min(_LONGEST_GREETING, words.count_from(i)) if _may_open(words[i][2]) else 0, 0, -1):
            if " ".join(w for _, _, w in words[i : i + n]) in GREETINGS:
                end, i = words[i + n - 1][1], i + n
                break
        else:
            if words[i][2] not in _BEFORE_GREETING:
                break
            i += 1
    if not end or not words.has(i):
        return end
    nxt = words[i]
    if nxt[0] == _after_space(text, end) and not is_dictionary_word(nxt[2]) and nxt[2] not in _AFTER_GREETING:
        return 0  # "Selam Tesfaye calling": run straight into a surname, the word is her given name
    if nxt[2] in _AFTER_GREETING and nxt[0] == _after_space(text, end):
        end = nxt[1]
    return end


# The first words of the greetings: a greeting is looked for only where one of these is said.
_GREETING_OPENERS = frozenset(g.split(" ")[0] for g in GREETINGS)


def _may_open(word: str) -> bool:
    return word in _GREETING_OPENERS or " " in word  # (a folded ligature may hold a space)


class _FoldedWords:
    """The words of text[:stop], each folded only when first asked for: most calls open with a
    word that is no greeting, and the look ends there."""

    def __init__(self, text: str, stop: int) -> None:
        self._matches = _WORD.finditer(text, 0, stop)
        self._words: list[tuple[int, int, str]] = []

    def has(self, i: int) -> bool:
        while len(self._words) <= i:
            m = next(self._matches, None)
            if m is None:
                return False
            self._words.append((m.start(), m.end(), fold(m.group())))
        return True

    def count_from(self, i: int) -> int:
        """How many words there are from i on, up to _LONGEST_GREETING of them."""
        n = 0
        while n < _LONGEST_GREETING and self.has(i + n):
            n += 1
        return n

    def __getitem__(self, key: int | slice) -> Any:
        return self._words[key]


def _after_space(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def is_people_or_language(text: str, start: int, end: int) -> bool:
    """Is the one word start..end a people or a language said as one ("I am Kurdish", "he is
    aymara", "we speak Guaraní"), or any word after "speak" or listed beside a language said after
    it ("she speaks Badini, not Sorani")? A name is not spoken: "speaks to Ann" has "to" between."""
    said = _WORD.findall(text, start, end)
    if not said or len(said) > 2 or (len(said) == 2 and fold(said[0]) not in _PEOPLE_CUES):
        return False  # not one word, nor a cue and one word ("Maria Gonzalez"): no need to read before it
    before = [fold(w) for w in _WORD.findall(text, max(0, start - 40), start)]
    if len(said) == 2 and fold(said[0]) in _PEOPLE_CUES:
        before.append(fold(said[0]))  # "He's Kikuyu" taken whole for a name: the cue is inside it
        said = said[1:]
    if len(said) != 1:
        return False
    word = fold(said[0])
    if word in _PEOPLE_CUES and "'" in word:
        # "He's | Kikuyu": a layer cut the cue off from the people said after it
        after = _WORD.match(text, _after_space(text, end))
        people = fold(after.group()) if after is not None else ""
        return people in PEOPLES and people not in _SURNAMES_TOO
    if word in PEOPLES and word not in _SURNAMES_TOO and _SET_OFF.match(text[max(0, start - 2) : end + 1]):
        return True  # "I'm Rosa Fayant, Métis, and …": a people set off by commas after a name
    if not before or (before[-1] in ("is", "was") and before[-2:-1] in (["name"], ["surname"])):
        return False  # "my name is Beja": a name, whatever else it is
    if before[-1] in SPEAKS:
        return True
    if word in PEOPLES and word not in _SURNAMES_TOO and before[-1] in _PEOPLE_CUES:
        return True
    # "Badini, not | Sorani": the word before the join was itself said after "speak"
    if before[-1] in _LIST_JOINS and len(before) >= 3:
        return before[-3] in SPEAKS or (
            before[-2] in PEOPLES and before[-2] not in _SURNAMES_TOO and before[-3] in _PEOPLE_CUES
        )
    return False


# After a word, what glosses it as a relative: "…, it means grandma", "…" he means his mom",
# "…, meaning my grandad", "… means grandmother".
_GLOSS = re.compile(
    r"""["'”’]?\s*,?\s*(?:(?:it|that|this|which|he|she|they|we)\s+)?(?:means|meaning|mean)\s+"""
    r"(?:(?:my|a|the|his|her|their|our|your)\s+)?([^\W\d_]+)",
    re.IGNORECASE,
)


def is_glossed_kin_word(text: str, start: int, end: int, kin: frozenset[str] | set[str]) -> bool:
    """Is the word (or two) start..end glossed as a relative just after it ("Medzmama, it means
    grandma", "if he says 'che sy' he means his mom")? A kin word of another language names no one.
    A finder may have taken "means" into the span ("taid means"): it is read from there."""
    words = _WORD.findall(text, start, end)
    if not words or len(words) > 3:
        return False
    if words[-1].lower() in ("means", "meaning"):
        end = text.lower().rindex(words[-1].lower(), start, end)
        end = len(text[:end].rstrip())
    m = _GLOSS.match(text, end)
    return m is not None and m.group(1).lower() in kin


def is_rank(text: str, start: int, end: int) -> bool:
    """Is the span only a military rank ("Staff Sgt.", "Lt.", "Sergeant", or "Staff" of "Staff
    Sgt.") said before a name that follows it? Not a one-word rank that is a first name too ("Major
    is his first name")."""
    words = [w.lower() for w in _WORD.findall(text, start, end)]
    if not words or not all(w in _RANK_WORDS for w in words):
        return False
    # the rest of the rank, where a finder took only its first word
    after = _RANK_THEN_WORD.match(text, end)
    while after is not None and after.group(1).lower() in _RANK_WORDS:
        words.append(after.group(1).lower())
        after = _RANK_THEN_WORD.match(text, after.end())
    if not any(w in _RANKS for w in words) and len(words) < 2:
        return False
    return after is not None and after.group(1)[:1].isupper()


_RANK_THEN_WORD = re.compile(r"\.?\s+([^\W\d_]+)")


def rank_before(text: str, start: int, end: int) -> int:
    """Where a name starts once the rank said before it is left out ("Staff Sgt. Karl Grech":
    "Karl Grech"); `start` where it holds no rank, or nothing but one."""
    at = start
    ranks: list[str] = []
    for m in _WORD.finditer(text, start, end):
        low = m.group().lower()
        if low not in _RANK_WORDS:
            break
        ranks.append(low)
        at = _after_space(text, m.end() + (1 if text[m.end() : m.end() + 1] == "." else 0))
    else:
        return start  # nothing but ranks: is_rank judges that
    if not ranks or (len(ranks) < 2 and ranks[0] not in _RANKS):
        return start
    return at


def in_latin_phrase(text: str, start: int, end: int) -> bool:
    """Does the span lie inside a fixed Latin phrase ("guardian ad litem", "pro bono")?"""
    said = text[start:end]
    if said.isascii() and " ".join(said.lower().split()) not in _LATIN_TEXT:
        return False  # not a piece of any phrase: no need to search around it
    near = _LATIN.finditer(text, max(0, start - 30), end + 30)
    return any(m.start() <= start and end <= m.end() for m in near)
