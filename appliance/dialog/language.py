"""Which language a caller speaks, from the first turn, and what to tell them if the site does not.

`identify(text)` reads the script (Cyrillic, Arabic, Han, kana, Hangul, Devanagari, Greek,
Hebrew) and, for Latin-script text, counts each language's common function words against
English's: a recognizer that hears a Spanish caller either transcribes Spanish (Whisper) or
English-looking noise (a model that only knows English), so only a clear lead counts. With
faster-whisper as the recognizer its own per-stream detection comes first (CallerTurn.language).

`handoff_message(code)` is what the caller hears, in their own language (the synthesizer speaks it
with its voice for that language: espeak-ng has one for each language here): that a person will
help, and the emergency number. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


ENGLISH = _set(
    "i im my me you your we our he she his her it its is are was am be been the a an and or but to of "
    "in on at for with this that what when where how can could would will need want like have has "
    "had do does not no yes please thank thanks hi hello appointment doctor name"
)  # fmt: skip

# Frequent words that are not also frequent English words (and not names callers give).
LEXICON: dict[str, frozenset[str]] = {
    "es": _set(
        "hola hablo necesito quiero una cita por favor gracias buenos buenas dias tardes noches habla hablar "
        "español espanol ayuda puedo puede usted para con el los las del que es esta estoy tengo "
        "mi mis su sus señor senora señora doctor médico medico hijo hija esposo esposa dolor pecho "
        "no entiendo inglés ingles sí si cómo como qué donde dónde cuando cuándo llamar receta"
    ),
    "fr": _set(
        "bonjour je voudrais un une rendez vous merci beaucoup parlez parler français francais aide "
        "est que qui avec pour les des mon ma mes votre vous suis ai besoin médecin medecin oui non "
        "comprends anglais sil plaît plait ordonnance"
    ),
    "pt": _set(
        "olá ola bom dia boa tarde preciso quero uma consulta obrigado obrigada fala falar português "
        "portugues ajuda você voce para com os as do da que está esta estou tenho meu minha sim não "
        "nao entendo inglês ingles médico medico receita"
    ),
    "de": _set(
        "hallo guten tag ich möchte mochte einen termin bitte danke sprechen sie deutsch hilfe ist "
        "und der die das mit für fur mein meine brauche arzt ja nein verstehe englisch rezept"
    ),
    "it": _set(
        "ciao buongiorno buonasera vorrei appuntamento per favore grazie parla parlare italiano aiuto "
        "sono ho bisogno mio mia che con il gli della medico sì non capisco inglese ricetta"
    ),
    "pl": _set(
        "dzień dzien dobry proszę prosze chciałbym chcialbym wizytę wizyte dziękuję dziekuje mówi "
        "mowi pan pani polsku pomoc jestem mam potrzebuję potrzebuje lekarz tak nie rozumiem"
    ),
    "vi": _set(
        "xin chào chao tôi toi cần can muốn muon hẹn hen bác bac sĩ si cảm cam ơn on nói noi "
        "tiếng tieng việt viet giúp giup không khong"
    ),
}

# One of these alone, with no English word beside it, names the language ("¿hola?", "español").
STRONG: dict[str, frozenset[str]] = {
    "es": _set("hola español espanol hablo habla necesito ayuda"),
    "fr": _set("bonjour français francais parlez"),
    "pt": _set("olá português portugues obrigado obrigada"),
    "de": _set("deutsch sprechen"),
    "it": _set("buongiorno italiano"),
    "pl": _set("dzień polsku"),
    "vi": _set("tiếng việt"),
}

_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("CYRILLIC", "ru"),
    ("ARABIC", "ar"),
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("CJK", "zh"),
    ("DEVANAGARI", "hi"),
    ("GREEK", "el"),
    ("HEBREW", "he"),
    ("THAI", "th"),
)


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1
    how: str  # "script" | "lexicon" | "recognizer"


def identify(text: str) -> Language | None:
    """The caller's language when the text clearly is not English; None for English or unsure."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    scripts: dict[str, int] = {}
    for c in letters:
        if c.isascii():
            continue
        name = unicodedata.name(c, "")
        for script, code in _SCRIPTS:
            if name.startswith(script):
                scripts[code] = scripts.get(code, 0) + 1
                break
    if scripts:
        code, count = max(scripts.items(), key=lambda item: item[1])
        if count >= max(2, len(letters) // 3):
            return Language(code, "script")
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return None
    english = sum(w in ENGLISH for w in words)
    scores = {code: sum(w in lexicon for w in words) for code, lexicon in LEXICON.items()}
    code, hits = max(scores.items(), key=lambda item: item[1])
    if hits >= 2 and hits > 2 * english and hits >= len(words) / 3:
        return Language(code, "lexicon")
    if english == 0:
        for code, strong in STRONG.items():
            if any(w in strong for w in words):
                return Language(code, "lexicon")
    return None


# What the caller hears: in their language, that a person will help, and the emergency number.
MESSAGES: dict[str, str] = {
    "es": "Un momento, por favor. Una persona le va a ayudar. Si es una emergencia, cuelgue y llame al 911.",
    "fr": "Un instant, s'il vous plaît. Une personne va vous aider. En cas d'urgence, raccrochez et "
    "appelez le 911.",
    "pt": "Um momento, por favor. Uma pessoa vai ajudar você. Se for uma emergência, desligue e ligue 911.",
    "de": "Einen Moment bitte. Eine Person wird Ihnen helfen. Im Notfall legen Sie auf und wählen Sie 911.",
    "it": "Un momento, per favore. Una persona la aiuterà. Se è un'emergenza, riattacchi e chiami il 911.",
    "pl": "Proszę chwilę poczekać. Pomoże panu osoba z obsługi. W nagłym wypadku proszę zadzwonić pod 911.",
    "vi": "Xin vui lòng chờ một chút. Sẽ có người giúp bạn. Nếu là trường hợp khẩn cấp, hãy gọi 911.",
    "ru": "Одну минуту, пожалуйста. Вам поможет сотрудник. Если это срочно, положите трубку и позвоните 911.",
    "ar": "لحظة من فضلك. سيساعدك شخص الآن. في حالة الطوارئ، أغلق الخط واتصل بالرقم 911.",
    "zh": "请稍等。会有工作人员帮助您。如果是紧急情况，请挂断电话并拨打911。",
    "ja": "少々お待ちください。担当者がお手伝いします。緊急の場合は、電話を切って911に電話してください。",
    "ko": "잠시만 기다려 주세요. 담당자가 도와드리겠습니다. 응급 상황이면 전화를 끊고 911에 전화하세요.",
    "hi": "कृपया एक क्षण रुकें। एक व्यक्ति आपकी मदद करेगा। आपात स्थिति में फ़ोन रखें और 911 पर कॉल करें।",
    "el": "Μια στιγμή παρακαλώ. Ένα άτομο θα σας βοηθήσει. Σε περίπτωση ανάγκης, καλέστε το 911.",
}
ENGLISH_MESSAGE = "One moment, please. I'm connecting you with someone who can help in your language."


def handoff_message(code: str) -> tuple[str, str]:
    """(text, language) for a caller speaking `code`: their language when there is a message in it
    (the synthesizer speaks it with its voice for that language), English otherwise."""
    text = MESSAGES.get(code)
    return (text, code) if text is not None else (ENGLISH_MESSAGE, "")
