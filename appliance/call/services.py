"""CallServices: what every call on this box shares, loaded once per process.

The site pack, the database, the knowledge index, the speech engines (the recognizer's worker
processes start here, warm, not per call), the audit log. The composition root
(appliance/call/assembly.py: `open_call`) asks it for a call's parts once: a VAD stream, a dialog
wired to an allowlisted tool gateway, the observers that record its events, a recorder; the
session itself never sees it. Engines are built by appliance/registry/engines.py. Loading fails
as a whole (nothing half-started).

The engines (asr, tts, llm) live in ModelSlots (appliance/model_slot.py): a call leases
them once (`lease_engines`) and keeps them for its whole length; `reload_models` (SIGHUP after
`wardline models activate`) builds and starts every changed engine first and only then swaps
them all in, so a load that fails leaves every running model in place. All on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from appliance.call.prompts import Prompts, render_prompts
from appliance.config import Settings
from appliance.events import EventSink
from appliance.model_slot import ModelSlot
from appliance.outcomes import CallOutcome, TransferReason
from appliance.privacy.handoffs import new_handoff_id, save_handoff
from appliance.registry import engines
from appliance.registry.engines import model_key

log = logging.getLogger(__name__)

TASK_DETAILS = "task-details"  # the encrypted store's data class for what a staff task says

KINDS = ("asr", "tts", "llm")


@dataclass(frozen=True)
class CallEngines:
    """The engines one call uses from its start to its end (None where not loaded)."""

    asr: Any = None
    tts: Any = None
    llm: Any = None


class _NoEngine:
    """What an LLM slot holds once [llm] is turned off by a reload."""

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class FaultHandover:
    """Where a call goes when its session failed outside its own boundary (the SIP bridge's
    last resort), and how its end is recorded."""

    call_id: str
    to: str  # the site pack's operator extension
    handoff_id: str  # its stored summary
    apology: bytes  # PCM16 at the call's rate, pre-rendered (empty without speech)
    reason: str  # "fault:<stage>"
    record: EventSink = field(repr=False)

    def ended(self, outcome: str) -> None:
        """After the REFER: the transfer and the call's end, in the audit log and the figures."""
        from appliance.events import CallEnded, TransferStarted

        if outcome == CallOutcome.TRANSFERRED:
            self.record(TransferStarted(self.call_id, 0.0, to=self.to, reason=self.reason,
                                        handoff_id=self.handoff_id))  # fmt: skip
        self.record(CallEnded(self.call_id, 0.0, outcome=outcome, reason=self.reason))


@dataclass
class CallServices:
    settings: Settings
    site: Any  # appliance.dialog.sitepack.SitePack
    schedule: Any  # appliance.tools.sitedata.Schedule
    sessions: sessionmaker
    knowledge: Any  # appliance.knowledge.index.KnowledgeBase
    asr_slot: ModelSlot[Any] | None = None  # the AsrEngine; None in text mode
    tts_slot: ModelSlot[Any] | None = None  # the TtsEngine; None in text mode
    vad: Any = None  # the shared Silero session; None in text mode
    audit: Any = None  # appliance.audit AuditLog, when the audit log is configured
    ops: Any = None  # appliance.ops.runtime.OpsRuntime: figures, metrics, automatic fallback
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tool_delay_s: dict[str, float] = field(default_factory=dict)  # benchmarks and tests only
    understanding_factory: Callable[[Any], Any] | None = None  # CommandGenerator per call
    llm_slot: ModelSlot[Any] | None = None  # the LLM behind understanding, once [llm] was enabled
    store: Any = None  # appliance.privacy.store.ObjectStore: encrypted recordings, when recording
    prompts: Prompts = field(default_factory=Prompts)  # what a call says when an engine failed
    semantic: Any = None  # appliance.dialog.semantic.SemanticIndex for the site; None: encoder off
    _model_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    # -- the engines (hot-swapped on reload) -------------------------------------------------
    @property
    def asr(self) -> Any:
        return self.asr_slot.engine if self.asr_slot is not None else None

    @property
    def tts(self) -> Any:
        return self.tts_slot.engine if self.tts_slot is not None else None

    @property
    def llm(self) -> Any:
        engine = self.llm_slot.engine if self.llm_slot is not None else None
        return None if isinstance(engine, _NoEngine) else engine

    def current_engines(self) -> CallEngines:
        """The engines new calls get now (not pinned: `lease_engines` pins them)."""
        return CallEngines(self.asr, self.tts, self.llm)

    @contextlib.asynccontextmanager
    async def lease_engines(self) -> AsyncIterator[CallEngines]:
        """Pin the current engines for one call: a swap meanwhile closes them only after it."""
        async with contextlib.AsyncExitStack() as stack:
            held = []
            for slot in (self.asr_slot, self.tts_slot, self.llm_slot):
                engine = await stack.enter_async_context(slot.lease()) if slot is not None else None
                held.append(None if isinstance(engine, _NoEngine) else engine)
            yield CallEngines(*held)

    def models(self) -> list[str]:
        """`kind=model` for each loaded engine, as STATUS= and the journal show them."""
        slots = zip(KINDS, (self.asr_slot, self.tts_slot, self.llm_slot), strict=True)
        return [f"{k}={slot.model_id}" for k, slot in slots if slot is not None and slot.model_id != "off"]

    # -- per call ---------------------------------------------------------------------------
    def new_vad(self, sample_rate_hz: int) -> Any:
        from appliance.speech.vad import VadStream

        return VadStream(sample_rate_hz)

    def new_dialog(
        self, *, call_id: str, emit: EventSink, clock_ms: Callable[[], float], caller_id: str | None
    ) -> Any:
        from appliance.dialog.engine import DialogEngine
        from appliance.tools.gateway import ToolGateway

        gateway = ToolGateway(
            self.sessions,
            self.schedule,
            now=self.now,
            events=emit,
            call_id=call_id,
            t_ms=clock_ms,
            timeout_s=self.settings.call.tool_timeout_ms / 1000,
            latency_s=self.tool_delay_s,
            seal=self._task_sealer(call_id),
        )
        understanding = (
            self.understanding_factory(self.site, self.semantic) if self.understanding_factory else None
        )
        return DialogEngine(
            self.site,
            call_id=call_id,
            gateway=gateway,
            knowledge=self.knowledge,
            emit=emit,
            clock_ms=clock_ms,
            understanding=understanding,
            semantic=self.semantic,
            caller_id=caller_id,
            tool_filler_ms=self.settings.call.tool_filler_ms,
            gate=self.ops.intent_gate(call_id, caller_id) if self.ops is not None else None,
        )

    def _task_sealer(self, call_id: str) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
        """Task details (a callback's reason and number, …) as an encrypted object of the call;
        the tasks table keeps only its id. Read back with `wardline data show CALL --reason`."""
        store = self.store
        if store is None:
            return None

        def seal(details: dict[str, Any]) -> dict[str, Any]:
            data = json.dumps(details, ensure_ascii=False).encode("utf-8")
            object_id = store.put(
                TASK_DETAILS, data, call_id=call_id, name="task-details.json", media_type="application/json"
            )
            return {"object_id": object_id}

        return seal

    def observers(
        self,
        call_id: str,
        on_failure: Callable[[str, BaseException], None] | None = None,
        on_storage_failure: Callable[[BaseException], None] | None = None,
    ) -> list[EventSink]:
        """Sinks that see every event of a call: the audit log (PHI-free mapping), the figures,
        and, when this box records, the encrypted transcript.

        `on_failure` hears when the audit log cannot be written, so the call can go to a person.
        """
        sinks: list[EventSink] = []
        if self.audit is not None:
            from appliance.audit.events import audit_sink

            sinks.append(audit_sink(self.audit, on_failure=on_failure))
        if self.ops is not None:
            sinks.append(self.ops.observer(call_id))
        if self.store is not None:
            sinks.append(_transcript_recorder(self, call_id, on_storage_failure))
        return sinks

    def new_recorder(
        self, call_id: str, sample_rate_hz: int, on_failure: Callable[[BaseException], None] | None = None
    ) -> Any:
        """The call's encrypted recorder, when this box records (`wardline serve`); else None."""
        if self.store is None:
            return None
        from appliance.call.recorder import CallRecorder

        return CallRecorder(self.store, call_id, sample_rate_hz, on_failure)

    def data_lost(self, call_id: str, code: str) -> None:
        """Call data that could not be stored after the call ended: say so where it counts."""
        log.error("call %s: call data lost (%s)", call_id, code)
        if self.audit is not None:
            with contextlib.suppress(Exception):  # the audit log may sit on the same full disk
                self.audit.append("data-lost", "agent", call_id, {"code": code})

    def storage_problem(self) -> str:
        """ "" while new call data can be stored; else what is wrong and the fix."""
        return self.store.storage_problem() if self.store is not None else ""

    def survey(self, call_id: str, hangup_reason: str) -> Any:
        """The post-call satisfaction press after a goodbye, or None."""
        return self.ops.survey(call_id, hangup_reason) if self.ops is not None else None

    def save_handoff(
        self, handoff_id: str, summary: dict[str, Any], transcript: list[tuple[str, str]] | None = None
    ) -> asyncio.Task[None] | None:
        """Stored redacted (privacy/handoffs.py): the file lives outside the encrypted store.

        The dialog's own summary is written at once (`summary_by: template`). With an LLM active
        and the call's `transcript` given, the LLM's note for the person taking the call is added
        in the background within `[llm] summary_deadline_ms` (`summary_by: llm`); the transfer
        never waits for it, and a slow or failing model leaves the template summary standing."""
        if not handoff_id:
            return None
        names = self.site.nlu.vocabulary.names
        first = {**summary, "summary_by": "template"}
        save_handoff(self.settings.data_dir, handoff_id, first, names, self.site.public_facts())
        engine = self.llm
        if engine is None or not transcript:
            return None
        return asyncio.get_running_loop().create_task(self._llm_note(engine, handoff_id, summary, transcript))

    async def _llm_note(
        self, engine: Any, handoff_id: str, summary: dict[str, Any], transcript: list[tuple[str, str]]
    ) -> None:
        from appliance.llm.answers import handoff_summary

        lines = [f"{who}: {text}" for who, text in transcript]
        facts = {k: v for k, v in summary.items() if k in ("reason", "request", "flow", "identity_verified")}
        try:
            note = await asyncio.wait_for(
                handoff_summary(engine, facts, lines, session=f"handoff-{handoff_id}"),
                self.settings.llm.summary_deadline_ms / 1000,
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a timeout or an engine fault: the template summary stands
            log.info("handoff %s: no LLM note (%s)", handoff_id, type(exc).__name__)
            return
        if note:
            names = self.site.nlu.vocabulary.names
            full = {**summary, "note": note, "summary_by": "llm"}
            save_handoff(self.settings.data_dir, handoff_id, full, names, self.site.public_facts())

    def extension(self, name: str) -> str:
        return self.site.extension(name)

    def fault_handover(self, call_id: str, stage: str, sample_rate_hz: int) -> FaultHandover:
        """A call whose session failed outside its own boundary (or never started): where it goes.

        The site pack's operator, a stored summary under a fresh handoff id, and the apology as
        pre-rendered audio. The SIP bridge uses it; the session's own fault path is richer.
        """
        from appliance.dialog import responses as R
        from appliance.events import CallFaulted

        sinks = self.observers(call_id)

        def record(event: Any) -> None:
            for sink in sinks:
                with contextlib.suppress(Exception):  # the caller goes to a person regardless
                    sink(event)

        record(CallFaulted(call_id, 0.0, stage=stage, code=f"{stage}-failed"))
        handoff_id = new_handoff_id()
        reason = TransferReason.FAULT.at(stage)
        try:
            self.save_handoff(
                handoff_id, {"reason": reason, "request": "the call failed before the agent could help"}
            )
        except Exception as exc:  # storage itself may be what failed: transfer without a summary
            log.error("call %s: the handoff summary could not be stored (%s)", call_id, type(exc).__name__)
            handoff_id = ""
        return FaultHandover(
            call_id=call_id,
            to=self.extension("operator"),
            handoff_id=handoff_id,
            apology=self.prompts.speech(R.FAULT, sample_rate_hz),
            reason=reason,
            record=record,
        )

    async def render_prompts(self) -> None:
        """Pre-render the fault prompts with the current voice (start, and after a voice swap)."""
        if self.tts is not None:
            self.prompts = await render_prompts(self.tts)

    def reload_site(self, settings: Settings) -> None:
        """SIGHUP: load the site pack again; new calls get it, calls in progress keep theirs.

        Everything is loaded and validated before anything is swapped, so a bad pack raises and
        the running one stays (DESIGN invariant 7).
        """
        from appliance.dialog.sitepack import load_site
        from appliance.knowledge.index import KnowledgeBase
        from appliance.tools.sitedata import load_schedule

        site_dir = Path(settings.site.policy_dir)
        site, schedule = load_site(site_dir), load_schedule(site_dir)
        knowledge = KnowledgeBase(site_dir / "knowledge")
        semantic = self._semantic_for_reload(settings, site)
        self.site, self.schedule, self.knowledge, self.semantic = site, schedule, knowledge, semantic
        if self.audit is not None:
            self.audit.append("policy-changed", "service", None, {"policy": site.site.name})

    def _semantic_for_reload(self, settings: Settings, site: Any) -> Any:
        """The new examples' index when it is built already; otherwise it is built in a thread
        (seconds of encoder work must not stop the event loop during calls) and new calls keep
        the previous index until then."""
        encoder = settings.understanding.encoder
        if encoder == "off" or not site.examples.labeled():
            return None
        from appliance.dialog.semantic import cached_index, index_for

        found = cached_index(site, encoder)
        if found is not None:
            return found

        def build() -> None:
            try:
                self.semantic = index_for(site, encoder)
            except Exception as exc:  # an encoder that cannot load: the previous index stays
                log.error("site examples not embedded (%s); calls keep the previous ones", type(exc).__name__)

        threading.Thread(target=build, name="semantic-index", daemon=True).start()
        return self.semantic

    async def reload_models(self, settings: Settings) -> list[str]:
        """SIGHUP: load the newly active models; returns the kinds swapped (none when unchanged).

        Every changed engine is built and started before any is swapped in, so a failure raises
        with all running models in place. New calls get the new engines; calls in progress keep
        theirs, and each old engine closes after its last call. Without speech (text mode) only
        the LLM is reloaded.
        """
        async with self._model_lock:
            kinds = [k for k in KINDS if k == "llm" or self._slot(k) is not None]
            wanted = {kind: model_key(settings, kind) for kind in kinds}
            changed = [kind for kind in kinds if wanted[kind] != self._model_id(kind)]
            previous = {kind: self._model_id(kind) for kind in changed}
            factory, built = await self._build_engines(settings, [k for k in changed if wanted[k] != "off"])
            await self._swap_in(changed, wanted, built, factory)
            if "tts" in changed:
                await self.render_prompts()
        for kind in changed:
            log.info("%s model swapped: %s -> %s", kind, previous[kind], wanted[kind])
            self._audit_swap(kind, wanted[kind], previous[kind])
        return changed

    def _slot(self, kind: str) -> ModelSlot[Any] | None:
        slot: ModelSlot[Any] | None = getattr(self, f"{kind}_slot")
        return slot

    def _model_id(self, kind: str) -> str:
        slot = self._slot(kind)
        return slot.model_id if slot is not None else "off"

    async def _build_engines(
        self, settings: Settings, kinds: list[str]
    ) -> tuple[Callable[[Any], Any] | None, dict[str, Any]]:
        """Build and start the engines for `kinds`; on any failure close those built and raise."""
        factory = None
        async with engines.closed_on_failure() as built:
            for kind in kinds:
                if kind == "llm":
                    factory, built["llm"] = await _understanding(settings)
                    continue
                if kind == "asr":
                    built[kind] = engines.asr_for(settings, self.site)
                else:
                    built[kind] = engines.tts_for(settings)
                await built[kind].start()
        return factory, built

    async def _swap_in(
        self,
        kinds: list[str],
        wanted: dict[str, str],
        built: dict[str, Any],
        factory: Callable[[Any], Any] | None,
    ) -> None:
        if "llm" in kinds:
            self.understanding_factory = factory  # bound to the new engine; None: [llm] turned off
        swaps = []
        for kind in kinds:
            engine = built[kind] if kind in built else _NoEngine()
            slot = self._slot(kind)
            if slot is None:
                setattr(self, f"{kind}_slot", ModelSlot(engine, wanted[kind]))
            else:
                swaps.append(slot.swap(engine, wanted[kind]))
        # gather starts every swap in one loop step: no call starts between two pointer moves.
        for result in await asyncio.gather(*swaps, return_exceptions=True):
            if isinstance(result, BaseException):
                log.warning("an old model failed to close after the swap (%s)", type(result).__name__)

    def _audit_swap(self, kind: str, model: str, previous: str) -> None:
        if self.audit is None:
            return
        try:
            payload = {"kind": kind, "model": model, "previous": previous}
            self.audit.append("model-swapped", "service", None, payload)
        except Exception as exc:  # the swap has happened; say so rather than report a failed reload
            log.error("the audit log could not record the %s model swap (%s)", kind, type(exc).__name__)

    async def close(self) -> None:
        for engine in (self.asr, self.tts, self.llm):
            if engine is not None:
                with contextlib.suppress(Exception):
                    await engine.close()
        if self.ops is not None:
            with contextlib.suppress(Exception):
                self.ops.close()
        if self.audit is not None:
            with contextlib.suppress(Exception):
                self.audit.close()


def _transcript_recorder(
    services: CallServices, call_id: str, on_failure: Callable[[BaseException], None] | None
) -> EventSink:
    """The call's transcript, encrypted, with a redacted copy at its end (privacy/transcripts.py).

    The names to redact are those of the site pack the call started with and the store's
    patients at the call's end; the recorder gets them, not the services, and the pack's public
    facts (its address and numbers), which the redacted copy leaves as said."""
    from appliance.privacy.transcripts import TranscriptRecorder, patient_names

    site_names = list(services.site.nlu.vocabulary.names)
    database_url = services.settings.database_url

    def names() -> list[str]:
        return [*site_names, *patient_names(database_url)]

    return TranscriptRecorder(services.store, call_id, names, on_failure, services.site.public_facts())


async def build_services(
    settings: Settings,
    *,
    speech: bool = True,
    asr: Any = None,
    tts: Any = None,
    audit: bool = True,
    store: Any = None,
) -> CallServices:
    """Load everything a call needs; speech=False leaves out VAD, ASR and TTS (text mode)."""
    from appliance.dialog.sitepack import load_site
    from appliance.knowledge.index import KnowledgeBase
    from appliance.store.db import open_database
    from appliance.tools.sitedata import load_schedule, seed_demo

    site_dir = Path(settings.site.policy_dir)
    site = load_site(site_dir)
    schedule = load_schedule(site_dir)
    _, sessions = open_database(settings.database_url)
    seed_demo(sessions, site_dir, patients=settings.site.demo_patients)
    knowledge = KnowledgeBase(site_dir / "knowledge")
    services = CallServices(
        settings=settings, site=site, schedule=schedule, sessions=sessions, knowledge=knowledge, store=store,
        semantic=_semantic(settings, site),
    )  # fmt: skip
    try:
        if audit:
            services.audit = _open_audit(settings)
        from appliance.ops.runtime import OpsRuntime

        services.ops = OpsRuntime.open(settings, sessions, site, audit=services.audit)
        services.understanding_factory, llm = await _understanding(settings)
        if llm is not None:
            services.llm_slot = ModelSlot(llm, model_key(settings, "llm"))
        if speech:
            from appliance.speech.vad import shared_session

            services.vad = shared_session()  # load the Silero model now, not on the first frame
            if settings.call.turn_model == "smart-turn":  # and the end-of-turn judges
                await asyncio.to_thread(_load_turn_judges)
            services.asr_slot = ModelSlot(asr or engines.asr_for(settings, site), model_key(settings, "asr"))
            services.tts_slot = ModelSlot(tts or engines.tts_for(settings), model_key(settings, "tts"))
            await services.asr.start()
            await services.tts.start()
            await services.render_prompts()  # before any call: a fault needs no engine to apologise
        if store is not None:  # this box records: the redaction's models load now, not mid-call
            await asyncio.to_thread(_load_redaction)
    except BaseException:
        await services.close()  # nothing half-started
        raise
    return services


def _load_redaction() -> None:
    """Redact a sentence once, so that every model the finished transcript's redaction uses
    (spaCy's names and places, the tagger, the word list) is loaded before the first call. Each
    loads on first use, holding the interpreter lock for about a second: at the end of a
    worker's first call that stalled the media clock of the other calls still up (py-spy on a
    worker under bench/sip_load.py --full)."""
    from appliance.privacy.transcripts import TranscriptLine, redacted_lines

    redacted_lines([TranscriptLine(0.0, "caller", "I would like to book an appointment, please.")], [])


def _load_turn_judges() -> None:
    from appliance.call import backchannel_sounds
    from appliance.call.endpointing import shared_turn_model
    from appliance.dialog import unfinished

    shared_turn_model()
    unfinished.load()
    backchannel_sounds.load()


def _semantic(settings: Settings, site: Any) -> Any:
    """The site's semantic index (its examples embedded once), or None with the encoder off."""
    if settings.understanding.encoder == "off" or not site.examples.labeled():
        return None
    from appliance.dialog.semantic import index_for

    return index_for(site, settings.understanding.encoder)


async def _understanding(settings: Settings) -> tuple[Callable[[Any], Any] | None, Any]:
    """With [llm] enabled: an LLM proposing commands, the rule NLU answering past the deadline."""
    if not settings.llm.enabled:
        return None, None
    from appliance.dialog.llm_understanding import DeadlineRouter, LlmCommandGenerator
    from appliance.dialog.nlu import RuleNlu
    from appliance.privacy.offline import enforce_offline

    enforce_offline()
    engine = engines.llm_for(settings)
    await engine.start()

    def per_call(site: Any, semantic: Any = None) -> Any:
        from appliance.dialog.layered import LayeredUnderstanding

        deadline = settings.llm.deadline_ms
        fallback = LayeredUnderstanding(site, semantic) if semantic is not None else RuleNlu(site)
        return DeadlineRouter(LlmCommandGenerator(engine), fallback, deadline_ms=deadline)

    return per_call, engine


class AuditUnavailable(Exception):
    """The audit log could not be opened: no call is taken unrecorded (DESIGN invariants 3, 4)."""


def _open_audit(settings: Settings) -> Any:
    """The audit log, or AuditUnavailable: every failure to open it refuses calls, never turns it off."""
    try:
        from appliance.audit.log import AuditLog, AuditWriteError, default_origin
        from appliance.audit.signing import KeyFileError
    except ImportError as exc:  # a broken install: the log's own code (or cryptography) is missing
        raise AuditUnavailable(
            f"the audit log cannot be loaded ({exc.name or 'a module'} is missing): reinstall wardline; "
            "no calls are taken without it"
        ) from None
    try:
        return AuditLog.open(settings.database_url, settings.data_dir / "keys", default_origin(settings))
    except (AuditWriteError, KeyFileError, OSError) as exc:  # OSError: the key folder itself
        raise AuditUnavailable(
            f"the audit log could not be opened: {exc}; no calls are taken without it"
        ) from None
