"""Call transcripts: written encrypted as the call goes, kept redacted at its end.

`TranscriptRecorder` is one of a call's event sinks (CallServices.observers, when the box
records). Each caller line (AsrFinal in audio mode; CallerSaid, which is typed text in text mode
and keyed digits outside secure-digit mode) and each agent line (AgentSaid, cut ones marked
`interrupted`) becomes a JSON line `{"t_ms", "speaker", "text"[, "interrupted"]}` in an object of
data class "transcript", encrypted from the first byte by the store (name "transcript.jsonl").
Secure digits never arrive as events, so they never reach a transcript.

When the call ends, the full object is sealed and a redacted copy (every line through `redact`
with the site's names and the patients the scheduling store knows) is stored as a second object,
"transcript.redacted.jsonl": that copy is what the console shows. A caller who refuses recording
(ConsentAnswered with recording=False) gets the full object shredded at once; the call's lines are
then kept in memory only, and the redacted copy alone is stored at the end (riverside.md).

Threads: events arrive on the call's loop; each one is a JSON dump and one buffered AEAD write
(the store seals a chunk per 64 KiB), microseconds, so the 20 ms frame path is never held up
(the object's row is inserted once, at the first line, as the audio recorder does). The slow,
once-a-call work (shredding after a refusal; at the end sealing with fsync, reading the site's
names, redacting, storing the copy) runs on the loop's default executor when a loop is running,
inline otherwise; `wait()` waits for it, and asyncio.run waits for the executor on its way out.
`read_redacted_transcript` is for the console: it decrypts only the redacted copy, after
recording who read it and why in the audit log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from appliance.events import AgentSaid, AsrFinal, CallEnded, CallerSaid, ConsentAnswered, Event
from appliance.privacy import crypto
from appliance.privacy.learned import shared_model
from appliance.privacy.redaction import KnownNames, LearnedLayer, SiteFacts, asked_for, redact_many
from appliance.privacy.store import AuditFn, ObjectNotFound, ObjectRow, ObjectStore, read_call_data

log = logging.getLogger(__name__)

DATA_CLASS = "transcript"  # the retention class (site.yaml `transcript_days`)
FULL_NAME = "transcript.jsonl"
REDACTED_NAME = "transcript.redacted.jsonl"
MEDIA_TYPE = "application/jsonl"
CONSOLE_REASON = "console: supervisor view of the redacted transcript"
NAMES_TTL_S = 300.0

NamesFn = Callable[[], Iterable[str]]


@dataclass(frozen=True)
class TranscriptLine:
    t_ms: float
    speaker: str  # caller | agent
    text: str
    interrupted: bool = False

    def to_json(self) -> str:
        data: dict[str, Any] = {"t_ms": self.t_ms, "speaker": self.speaker, "text": self.text}
        if self.interrupted:
            data["interrupted"] = True
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranscriptLine:
        return cls(
            float(data.get("t_ms", 0.0)),
            str(data.get("speaker", "")),
            str(data.get("text", "")),
            bool(data.get("interrupted", False)),
        )


class TranscriptNotFound(ObjectNotFound):
    """The call has no stored redacted transcript (unknown call, or one not recorded)."""


class TranscriptDamaged(Exception):
    """The stored redacted transcript failed authentication; the message names the chunk."""


def line_of(event: Event) -> TranscriptLine | None:
    """The transcript line an event makes, or None for events that are not words."""
    t_ms = round(event.t_ms, 1)
    if isinstance(event, AsrFinal | CallerSaid):
        return TranscriptLine(t_ms, "caller", event.text) if event.text.strip() else None
    if isinstance(event, AgentSaid):
        return TranscriptLine(t_ms, "agent", event.text, event.interrupted) if event.text.strip() else None
    return None


def redacted_lines(
    lines: Iterable[TranscriptLine],
    names: Iterable[str],
    learned: LearnedLayer | bool | None = True,
    site: SiteFacts | None = None,
) -> list[TranscriptLine]:
    """The finished transcript, redacted by the rules and (when it loads) the learned name layer;
    the `site`'s public facts (its address, main line, extensions) are left as said.

    The learned layer is too slow for turn-by-turn use but fits a finished call (learned.py); a
    model that cannot load leaves the rules alone, and `wardline doctor` says so.
    """
    model = shared_model() if learned is True else (learned or None)
    lines = list(lines)
    texts, questions = [ln.text for ln in lines], _questions(lines)
    # A name given in answer to "your full name?" is a name wherever the call says it again: the
    # rules' first pass finds it, the second hides it everywhere (with the learned layer, once).
    names = list(names)
    first_pass = redact_many(texts, names, None, questions, site=site)
    answered = [
        t[s.start : s.end]
        for t, r in zip(texts, first_pass, strict=True)
        for s in r.spans
        if s.label == "NAME"
    ]
    known = KnownNames(names + answered)  # indexed once per transcript, not once per line
    done = redact_many(texts, known, model, questions, site=site)
    return [
        TranscriptLine(ln.t_ms, ln.speaker, r.text, ln.interrupted) for ln, r in zip(lines, done, strict=True)
    ]


def _questions(lines: list[TranscriptLine]) -> list[str | None]:
    """For each caller line, what the agent's last line before it asked for (a name, an address,
    a member number), so that the answer is hidden even when nothing else marks it ("rose baker")."""
    out: list[str | None] = []
    asked = None
    for ln in lines:
        if ln.speaker == "agent":
            asked = asked_for(ln.text)
            out.append(None)
        else:
            out.append(asked)
    return out


def _jsonl(lines: Iterable[TranscriptLine]) -> bytes:
    return "".join(ln.to_json() + "\n" for ln in lines).encode("utf-8")


class TranscriptRecorder:
    """One call's transcript; an EventSink. Build it per call; it never raises into the call."""

    def __init__(
        self,
        store: ObjectStore,
        call_id: str,
        names: NamesFn,
        on_failure: Callable[[BaseException], None] | None = None,
        site: SiteFacts | None = None,
    ) -> None:
        self._store = store
        self._site = site  # the site's public facts, left as said in the redacted copy
        self.on_failure = on_failure  # hears a storage failure once (any thread)
        self._call_id = call_id
        self._names = names
        self._lines: list[TranscriptLine] = []
        self._writer: Any = None  # the full object's ObjectWriter, created on the first line
        self._refused = False
        self._ended = False
        self._failed = False
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._shredded = threading.Event()
        self._shredded.set()  # nothing to shred until a refusal
        self.full_id: str | None = None
        self.redacted_id: str | None = None

    def __call__(self, event: Event) -> None:
        if self._ended or self._failed:
            return
        try:
            if isinstance(event, CallEnded):
                self._end()
            elif isinstance(event, ConsentAnswered) and not event.recording:
                self._refuse()
            elif (line := line_of(event)) is not None:
                self._add(line)
        except Exception as exc:  # a full disk must not end the call; the type only (no PHI)
            self._fail(exc)

    def _add(self, line: TranscriptLine) -> None:
        with self._lock:
            self._lines.append(line)
            if self._refused:
                return  # kept in memory for the redacted copy only
            if self._writer is None:
                self._writer = self._store.create(
                    DATA_CLASS, call_id=self._call_id, name=FULL_NAME, media_type=MEDIA_TYPE
                )
                self.full_id = self._writer.id
            self._writer.write((line.to_json() + "\n").encode("utf-8"))

    def _refuse(self) -> None:
        """The caller refused recording: the full transcript is shredded now, once."""
        with self._lock:
            if self._refused:
                return
            self._refused = True
            writer, self._writer = self._writer, None
        if writer is not None:
            self._shredded.clear()
            self._in_background(self._shred, writer)

    def _shred(self, writer: Any) -> None:
        try:
            writer.close()
            self._store.shred(writer.id)
        except Exception as exc:
            self._fail(exc)
        finally:
            self._shredded.set()

    def _end(self) -> None:
        self._ended = True
        self._in_background(self._finish)

    @staticmethod
    def _in_background(fn: Callable[..., None], *args: Any) -> None:
        """fsync and database writes go to a worker thread when a loop runs; inline otherwise."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            fn(*args)
            return
        loop.run_in_executor(None, fn, *args)

    def _finish(self) -> None:
        """Seal the full object and store the redacted copy (a worker thread, or inline)."""
        try:
            with self._lock:
                writer, self._writer = self._writer, None
                lines = list(self._lines)
            if writer is not None:
                writer.close()
            if lines:
                data = _jsonl(redacted_lines(lines, self._names(), site=self._site))
                self.redacted_id = self._store.put(
                    DATA_CLASS, data, call_id=self._call_id, name=REDACTED_NAME, media_type=MEDIA_TYPE
                )
        except Exception as exc:
            self._fail(exc)
        finally:
            self._done.set()

    def _fail(self, exc: Exception) -> None:
        """Nothing half-written stays: the partial object is discarded, and `on_failure` (the
        call: a person takes over; after the call: the loss goes to the audit log) hears it."""
        first = not self._failed
        self._failed = True
        log.warning("call %s: transcript not stored (%s)", self._call_id, type(exc).__name__)
        with self._lock:
            writer, self._writer = self._writer, None
            self._lines.clear()
        if writer is not None:
            writer.abort()
        self._done.set()
        if first and self.on_failure is not None:
            self.on_failure(exc)

    def wait(self, timeout_s: float | None = None) -> bool:
        """True once the call has ended and its transcript objects are stored (or failed)."""
        return self._done.wait(timeout_s) and self._shredded.wait(timeout_s)


_names_cache: dict[str, tuple[float, list[str]]] = {}
_names_lock = threading.Lock()


def patient_names(database_url: str, ttl_s: float = NAMES_TTL_S) -> list[str]:
    """The patients and guardians the scheduling store knows, read at most every `ttl_s`."""
    from appliance.privacy.known_names import site_known_names

    now = time.monotonic()
    with _names_lock:
        cached = _names_cache.get(database_url)
        if cached is not None and now - cached[0] <= ttl_s:
            return cached[1]
    names = site_known_names(database_url)
    with _names_lock:
        _names_cache[database_url] = (now, names)
    return names


# -- reading (the console) ---------------------------------------------------------------------

_CALL_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,64}$")


def valid_call_id(call_id: str) -> bool:
    return bool(_CALL_ID.fullmatch(call_id))


def read_redacted_transcript(
    store: ObjectStore, call_id: str, *, actor: str, audit: AuditFn, reason: str = CONSOLE_REASON
) -> list[TranscriptLine]:
    """A call's redacted transcript, after an access entry (who, why, which object) is recorded.

    Only the redacted copy is decrypted. Raises TranscriptNotFound, or TranscriptDamaged when the
    object fails authentication (the entry was recorded: the attempt is still a view).
    """
    found = [i for i in store.list(call_id) if i.data_class == DATA_CLASS and i.name == REDACTED_NAME]
    if not found:
        raise TranscriptNotFound(f"no redacted transcript is stored for call {call_id}")
    ids = [found[-1].id]
    for _info, data in read_call_data(
        store, call_id, reason=reason, actor=actor, audit=audit, object_ids=ids
    ):
        if isinstance(data, crypto.CorruptData):
            where = f"chunk {data.chunk}" if data.chunk is not None else "its header"
            raise TranscriptDamaged(f"the stored transcript of call {call_id} is damaged ({where} failed)")
        return [TranscriptLine.from_dict(json.loads(x)) for x in data.decode("utf-8").splitlines() if x]
    raise TranscriptNotFound(f"no redacted transcript is stored for call {call_id}")


def calls_with_transcripts(sessions: sessionmaker, call_ids: Iterable[str]) -> set[str]:
    """Which of these calls have a readable redacted transcript (metadata only: nothing decrypted)."""
    ids = list(call_ids)
    if not ids:
        return set()
    q = select(ObjectRow.call_id).where(
        ObjectRow.call_id.in_(ids),
        ObjectRow.data_class == DATA_CLASS,
        ObjectRow.name == REDACTED_NAME,
        ObjectRow.shredded_at.is_(None),
    )
    with sessions() as s:
        return {c for c in s.scalars(q) if c}


__all__ = [
    "DATA_CLASS",
    "FULL_NAME",
    "REDACTED_NAME",
    "TranscriptDamaged",
    "TranscriptLine",
    "TranscriptNotFound",
    "TranscriptRecorder",
    "calls_with_transcripts",
    "patient_names",
    "read_redacted_transcript",
    "redacted_lines",
    "valid_call_id",
]
