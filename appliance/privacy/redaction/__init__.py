"""PHI redaction for transcripts: what analytics, summaries, the console and logs see.

`redact(text, known_names)` finds the HIPAA Safe Harbor identifiers that occur on calls and returns
the text with each one replaced by "[LABEL]" plus the character spans it found. It works on the
spoken form ASR produces ("five five five … oh one three two", "March third nineteen eighty",
"maria dot g at example dot com", "R A H M A N") as well as on written forms ("555-013-2291").

How: the text is cut into tokens once. Number words, numerals and ordinals are joined into *runs*
across the separators and fillers ASR leaves between them (commas, dashes, dots, "uh", pauses), and
each run is read as groups ("five fifty-five" → 5, 55) and as one digit string ("555"). A run is
then classified by its shape (four dotted groups ≤ 255: an IP address; month-day-year: a date) and
by the nearest context word before it ("social" → SSN, "member" → ID, "zip" → ZIP …). Every run of
five digits or more is redacted whatever its context, so numeric identifiers are never missed for
want of a cue word. Names come from the names the site knows (patients, the verified caller), from
context ("my name is", "my daughter"), spelled letters, and runs of capitalised words that are not
everyday or site vocabulary. Provider names after "Dr." are staff, not PHI, and are kept.

Speed (issue 6: at least 1 MB of text per second on one core): cheap gates on the whole text
(set operations on its words, a few regex searches) skip the finders that cannot match; the text
is tokenized once, with map() over C functions; each finder starts only from its cue tokens, found
through an index of where each word occurs (TokenIndex), instead of walking every token in Python;
patterns that would be tried at every character are narrowed to the few places they can match
(find_written). Every such shortcut gives exactly the spans the plain scan gave.
bench/redaction.py prints the figures.

Layout: one module per kind of identifier, each holding its own words, patterns and finders
(names, known_names, phrases, dates, ages, phones, numeric, ids, addresses, emails, urls, plates);
what they share below them (lexicon: spoken English; tokens; numbers: number runs; cues: the words
that label a number; spans: the result and merging); compose.py runs them and is the only module
that knows them all. Each word list lives in one module, the one whose kind it defines.
Labels: NAME DATE AGE PHONE EMAIL ADDRESS ZIP MRN SSN ID PLATE IP.
"""

from appliance.privacy.redaction.answers import asked_for
from appliance.privacy.redaction.compose import LearnedLayer, find_spans, redact, redact_many
from appliance.privacy.redaction.known_names import KnownNames
from appliance.privacy.redaction.site_facts import SiteFacts
from appliance.privacy.redaction.spans import LABELS, NUMERIC_LABELS, Redaction, Span

__all__ = [
    "LABELS",
    "NUMERIC_LABELS",
    "KnownNames",
    "LearnedLayer",
    "Redaction",
    "SiteFacts",
    "Span",
    "asked_for",
    "find_spans",
    "redact",
    "redact_many",
]
