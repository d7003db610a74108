"""Given names and surnames known by name, with how common each is: "his mom is tiffany rich".

A full name made of dictionary words ("jordan rich", "holly king") is told from speech neither by a
capital (recognizers print none) nor by the dictionary. The US Census Bureau's 1990 name lists can
tell it, with how many people bear each name: person_names.txt, written by
scripts/write_person_names.py from the pinned sdist of the PyPI package names 0.3.0 (the lists are
public domain, the package MIT). names.find_gazetteer_names reads a given name and a surname from
it, in a person's frame only, never alone.

The file is pinned by sha256: a different file means a different set of names hidden. It is read
once, on first use; a missing or altered file is refused and the rules redact without it (they
still find the names their cues and the dictionary find), and `status()` says so, for `wardline
doctor`: never silently off.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from appliance.pinned_files import PinnedFileError, read_pinned

PERSON_NAMES_FILE = Path(__file__).with_name("person_names.txt")
PERSON_NAMES_SHA256 = "9e38a3bafc53b398978bd9af1f705bc298d8b3982f99cab2eaafd78f6b2219b8"


@dataclass(frozen=True, eq=False)  # hashed by identity: names.py caches what it reads of one
class PersonNames:
    given: dict[str, float]  # given name -> per cent of people who bear it (the Census's figure)
    surnames: dict[str, float]  # surname -> the same


@dataclass(frozen=True)
class Status:
    loaded: bool
    detail: str


_EMPTY = PersonNames({}, {})
_lock = threading.Lock()
_names: PersonNames | None = None
_failure: str | None = None


def _parse(data: bytes) -> PersonNames:
    given: dict[str, float] = {}
    surnames: dict[str, float] = {}
    for line in data.decode("ascii").splitlines():
        word, as_given, as_surname = line.split("\t")
        if float(as_given) > 0:
            given[word] = float(as_given)
        if float(as_surname) > 0:
            surnames[word] = float(as_surname)
    return PersonNames(given, surnames)


def load(path: Path = PERSON_NAMES_FILE, sha256: str = PERSON_NAMES_SHA256) -> PersonNames:
    """The lists from `path`, refused (PinnedFileError) unless its sha256 is the pinned one."""
    return _parse(read_pinned(path, sha256))


def person_names() -> PersonNames:
    """The process's lists, read once; empty (and `status()` says why) when the file is refused."""
    global _names, _failure
    if _names is None:
        with _lock:
            if _names is None:
                try:
                    _names = load()
                except PinnedFileError as exc:
                    _failure = str(exc)
                    _names = _EMPTY
    return _names


def status() -> Status:
    """For `wardline doctor`: is the name gazetteer on, and if not, why (the rules run without it)."""
    names = person_names()
    if _failure is None:
        return Status(
            True, f"name gazetteer loaded ({len(names.given)} given names, {len(names.surnames)} surnames)"
        )
    return Status(False, f"name gazetteer off: {_failure}; redaction runs without it")


def reset() -> None:
    """Forget the lists read (tests: read the file again, as a new process would)."""
    global _names, _failure
    with _lock:
        _names, _failure = None, None
