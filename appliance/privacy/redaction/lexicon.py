"""Spoken English that every finder reads: number words, fillers and joiners between the pieces
of a number, months and weekdays, and the words that are never identifiers on their own (everyday
and site vocabulary, function words, relatives)."""

from __future__ import annotations

import re

DIGIT_WORDS = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    # as radio operators and British callers say them ("fife fife fife", "niner", "nought")
    "niner": 9, "fife": 5, "nought": 0,
}  # fmt: skip
TEEN_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1000}
REPEATERS = {"double": 2, "triple": 3}
FILLERS = {"uh", "um", "er", "erm", "ah", "hmm", "mm", "like"}
JOINERS = {",", "-", ".", "(", ")", "/", "…", "...", "dash", "hyphen", "dot", "point", "slash"}

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
SENTENCE_END = {".", "?", "!"}

# A weekday before "the" and a day of the month makes it a date: "Friday the 3rd".
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon",
            "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"}  # fmt: skip
RELATIVES = {
    "wife", "husband", "mother", "mom", "mum", "father", "dad", "son", "daughter", "sister",
    "brother", "grandmother", "grandma", "grandfather", "grandpa", "aunt", "uncle", "niece",
    "nephew", "partner", "child", "kid", "friend", "neighbor", "caregiver", "fiance", "fiancee",
    "granddaughter", "grandson", "stepson", "stepdaughter", "spouse", "boyfriend", "girlfriend",
    "cousin", "godson", "goddaughter", "godchild", "godmother", "godfather", "stepmother",
    "stepfather", "stepmum", "stepmom", "stepdad", "stepbrother", "stepsister", "grandchild",
    "grandad", "granddad", "gran", "granny", "nan", "nana", "flatmate", "roommate", "housemate",
    "carer", "fiancé", "fiancée", "auntie", "aunty", "sibling", "mama",
    "papa", "nanna", "nonna", "nonno", "abuela", "abuelo", "grandmom", "granma", "grampa",
}  # fmt: skip
# Words said between "my" and a relative: "our foster daughter", "my late husband", "my twin sister".
KIN_MODIFIERS = frozenset((
    "foster", "step", "adoptive", "adopted", "late", "little", "baby", "big", "older", "younger",
    "elder", "eldest", "oldest", "youngest", "twin", "ex", "great",
))  # fmt: skip
NAME_STOP = {
    "and", "or", "calling", "from", "i", "my", "the", "here", "speaking", "again", "please", "with",
    "about", "for", "to", "at", "on", "in", "is", "was", "but", "so", "uh", "um", "yes", "no", "okay",
    "ok", "sorry", "thanks", "thank", "of", "date", "birth", "born", "dob", "phone", "number",
    "spelled", "that's", "it's", "last", "first", "middle", "name", "a", "an", "who", "he", "she",
    "they", "we", "you", "his", "her", "their", "our", "your", "just", "also", "too", "because",
    "if", "when", "can", "could", "would", "will", "need", "needs", "wants", "want", "has", "have",
    "had", "are", "be", "been", "being", "not", "that", "this", "there", "as", "by", "hi",
    "hello", "hey", "well", "actually", "yeah", "yep", "nope", "right", "sure", "mister", "missus",
    "mr", "mrs", "ms", "miss", "dr", "out",
    # "because" as callers say it and recognizers print it: "i'm calling for my mum cause she …"
    "cause", "cuz", "coz", "cos",
    # contractions as a recognizer prints them without the apostrophe: "her name is ada shes six"
    "shes", "hes", "thats", "whos", "theyre", "youre",
}  # fmt: skip

# Capitalised words that are not names: everyday sentence starters and the site's own vocabulary.
# The tagger (tagger.py) reads this part as a feature, so its pinned weights rebuild only while it
# stays as it is; words learned since go in COMMON_CAPITALISED below, which the rules read.
# Cars' makes and models: "a grey Honda", "the Lexus in bay two". Parents name children after some
# ("my son Lexus has …"), which names.py reads after a relative.
CARS = frozenset((
    "honda", "toyota", "nissan", "subaru", "hyundai", "kia", "mazda", "chevy", "chevrolet",
    "volkswagen", "vw", "bmw", "audi", "tesla", "jeep", "volvo", "lexus", "prius", "corolla",
))  # fmt: skip
TAGGER_CAPITALISED = frozenset({
    "i", "i'm", "i'd", "i'll", "i've", "hello", "hi", "hey", "yes", "yeah", "no", "okay", "ok", "so",
    "well", "thanks", "thank", "you", "please", "good", "morning", "afternoon", "evening", "sure",
    "this", "that", "my", "the", "a", "an", "and", "but", "or", "can", "could", "would", "will",
    "is", "it", "it's", "what", "when", "where", "who", "why", "how", "do", "does", "did", "are",
    "we", "he", "she", "they", "his", "her", "our", "their", "your", "hmm", "uh", "um", "oh", "also",
    "just", "actually", "sorry", "great", "right", "alright", "perfect", "there", "here", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "tomorrow", "yesterday", "operator", "nurse", "doctor", "dr", "billing", "pharmacy",
    "scheduling", "riverside", "community", "hospital", "family", "medicine", "cardiology",
    "pediatrics", "orthopedics", "icu", "er", "emergency", "medicare", "medicaid", "bluecross",
    "blueshield", "blue", "cross", "shield", "ppo", "hmo", "aetna", "unitedhealthcare", "cigna",
    "humana", "gold", "elm", "street", "garage", "front", "desk", "clinic", "center",
    "auth", "authorization", "authorisation",  # "prior auth number …": insurance's word, no name
    # a nationality said of a thing ("a British plate", "my American insurance"); not those that are
    # surnames too ("French", "Welsh")
    "british", "american", "canadian", "australian", "european", "african", "asian", "mexican",
    "department", "insurance", "english", "spanish", "god", "christmas", "thanksgiving", "easter",
    "covid", "mri", "ct", "ekg", "ecg", "lab", "labs", "let", "let's", "was",
    "after", "before", "then", "now", "not", "if", "for", "to", "in", "on", "at", "of", "with",
    "any", "some", "all", "one", "two", "dear", "bye", "goodbye", "welcome", "yep", "nope",
    "have", "has", "had", "need", "want", "call", "calling", "appointment", "refill", "visa",
    "mastercard", "amex", "discover", "walgreens", "cvs", "tylenol", "advil", "lisinopril",
    "metformin", "wait", "hold", "listen", "look", "maybe", "probably", "definitely",
    # languages a caller asks an interpreter for ("an interpreter for French")
    "french", "portuguese", "polish", "russian", "arabic", "mandarin", "cantonese", "chinese",
    "vietnamese", "korean", "japanese", "tagalog", "hindi", "urdu", "punjabi", "somali", "swahili",
    "farsi", "turkish", "ukrainian", "italian", "german", "creole", "bengali", "amharic", "asl",
    "hmong", "khmer", "lao", "burmese", "nepali", "tigrinya", "oromo", "pashto", "dari", "gujarati",
    "tamil", "telugu", "marathi", "hebrew", "yiddish", "greek", "romanian", "thai", "cebuano",
    # apps a caller is reached on ("call me on WhatsApp"), no one's name
    "whatsapp", "facetime", "skype", "viber", "wechat", "mychart", "telehealth",
    # cars a caller parks (CARS) and devices a patient uses ("a grey Honda", "his CPAP serial")
    *CARS,
    "cpap", "bipap", "copd", "ptsd", "adhd", "gp", "ent",
})  # fmt: skip
COMMON_CAPITALISED = TAGGER_CAPITALISED | {
    # more cars a caller parks ("the gray Camry in the garage")
    "camry", "civic", "accord", "altima", "sentra", "outback", "forester", "silverado", "tacoma",
    "rav4", "mustang",
    # the words of a patient portal and its network ("the school Wi-Fi", "the failed logins")
    "wi", "fi", "wifi", "login", "logins", "logon", "username", "password", "passwords", "portal",
    "internet", "browser", "bluetooth", "vpn", "app",
    # an ambulance or fire crew's call sign ("This is Medic 12", "Rescue 4 to County"): a unit
    "medic", "paramedic", "engine", "ladder", "rescue", "squad", "ambulance", "medevac", "lifeflight",
    "battalion", "dispatch", "ems", "car", "truck",
}  # fmt: skip
NUMBER_START = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *ORDINAL_WORDS, *REPEATERS, "a"))


# Cheap gates, computed once per text with set operations, that decide which finders can matter.
GATE_WORD = re.compile(r"[a-z]+")
NUMBER_VOCAB = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *ORDINAL_WORDS, *MULTIPLIERS))
