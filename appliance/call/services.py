"""CallServices: what every call on this box shares, loaded once per process.

The site pack, the database, the knowledge index, the speech engines (the recognizer's worker
processes start here, warm, not per call), the audit log. A CallSession asks it for its
per-call parts: a VAD stream, a dialog wired to an allowlisted tool gateway, the observers
that record its events, a recorder. Loading fails as a whole (nothing half-started).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from appliance.call.handoff import save_handoff
from appliance.config import Settings
from appliance.events import EventSink

log = logging.getLogger(__name__)


@dataclass
class CallServices:
    settings: Settings
    site: Any  # appliance.dialog.sitepack.SitePack
    schedule: Any  # appliance.tools.sitedata.Schedule
    sessions: sessionmaker
    knowledge: Any  # appliance.knowledge.index.KnowledgeBase
    asr: Any = None  # AsrEngine; None in text mode
    tts: Any = None  # TtsEngine; None in text mode
    vad: Any = None  # the shared Silero session; None in text mode
    audit: Any = None  # appliance.audit AuditLog, when the audit log is configured
    ops: Any = None  # appliance.ops.runtime.OpsRuntime: figures, metrics, automatic fallback
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    tool_delay_s: dict[str, float] = field(default_factory=dict)  # benchmarks and tests only
    understanding_factory: Callable[[Any], Any] | None = None  # CommandGenerator per call
    llm: Any = None  # the LLM engine behind understanding, when [llm] is enabled
    store: Any = None  # appliance.privacy.store.ObjectStore: encrypted recordings, when recording

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
            audit=None,  # tool calls reach the audit log once, as tool-call events (audit/events.py)
            call_id=call_id,
            t_ms=clock_ms,
            timeout_s=self.settings.call.tool_timeout_ms / 1000,
            latency_s=self.tool_delay_s,
        )
        understanding = self.understanding_factory(self.site) if self.understanding_factory else None
        guard = self.ops.dialog_guard(call_id, caller_id, emit) if self.ops is not None else None
        engine = DialogEngine(
            self.site,
            call_id=call_id,
            gateway=gateway,
            knowledge=self.knowledge,
            emit=guard.emit if guard is not None else emit,
            clock_ms=clock_ms,
            understanding=understanding,
            caller_id=caller_id,
            tool_filler_ms=self.settings.call.tool_filler_ms,
        )
        return guard.wrap(engine) if guard is not None else engine

    def observers(
        self, call_id: str, on_failure: Callable[[str, BaseException], None] | None = None
    ) -> list[EventSink]:
        """Sinks that see every event of a call: the audit log (PHI-free mapping), the figures.

        `on_failure` hears when the audit log cannot be written, so the call can go to a person.
        """
        sinks: list[EventSink] = []
        if self.audit is not None:
            from appliance.audit.events import audit_sink

            sinks.append(audit_sink(self.audit, on_failure=on_failure))
        if self.ops is not None:
            sinks.append(self.ops.observer(call_id))
        return sinks

    def new_recorder(self, call_id: str, sample_rate_hz: int) -> Any:
        """The call's encrypted recorder, when this box records (`wardline serve`); else None."""
        if self.store is None:
            return None
        from appliance.call.recorder import CallRecorder

        return CallRecorder(self.store, call_id, sample_rate_hz)

    def survey(self, call_id: str, hangup_reason: str) -> Any:
        """The post-call satisfaction press after a goodbye, or None."""
        return self.ops.survey(call_id, hangup_reason) if self.ops is not None else None

    def save_handoff(self, handoff_id: str, summary: dict[str, Any]) -> None:
        """Stored redacted: the file lives outside the encrypted store, so it holds no PHI."""
        if handoff_id:
            names = self.site.nlu.vocabulary.names
            save_handoff(self.settings.data_dir, handoff_id, _redacted(summary, names))

    def extension(self, name: str) -> str:
        return self.site.extension(name)

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
        self.site, self.schedule, self.knowledge = site, schedule, knowledge
        if self.audit is not None:
            self.audit.append("policy-changed", "service", None, {"policy": site.site.name})

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


def _redacted(value: Any, names: Any) -> Any:
    from appliance.privacy.redaction import redact

    if isinstance(value, str):
        return redact(value, names).text
    if isinstance(value, dict):
        return {k: _redacted(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v, names) for v in value]
    return value


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
    seed_demo(sessions, site_dir)
    knowledge = KnowledgeBase(site_dir / "knowledge")
    services = CallServices(
        settings=settings, site=site, schedule=schedule, sessions=sessions, knowledge=knowledge, store=store
    )
    try:
        if audit:
            services.audit = _open_audit(settings)
        from appliance.ops.runtime import OpsRuntime

        services.ops = OpsRuntime.open(settings, sessions, site, audit=services.audit)
        services.understanding_factory, services.llm = await _understanding(settings)
        if speech:
            from appliance.speech.vad import shared_session

            services.vad = shared_session()  # load the Silero model now, not on the first frame
            services.asr = asr or _default_asr(settings, site)
            services.tts = tts or _default_tts(settings)
            await services.asr.start()
            await services.tts.start()
    except BaseException:
        await services.close()  # nothing half-started
        raise
    return services


def _active_model(settings: Settings, kind: str) -> Path:
    from appliance.registry.registry import ModelRegistry

    path = ModelRegistry(settings).active_model_path(kind)
    if path is None:
        raise ModelNotActive(f"no {kind} model is active: install one and run `wardline models activate ID`")
    return path


def _default_asr(settings: Settings, site: Any) -> Any:
    if settings.speech.asr == "faster-whisper":
        from appliance.speech.asr.faster_whisper import FasterWhisperAsr

        return FasterWhisperAsr(_active_model(settings, "asr"))
    from appliance.dialog.corpus import corpus
    from appliance.speech.asr.pocketsphinx import PocketsphinxAsr

    return PocketsphinxAsr(corpus=corpus(site), workers=settings.speech.asr_workers)


def _default_tts(settings: Settings) -> Any:
    if settings.speech.tts == "piper":
        from appliance.speech.tts.piper import PiperTts

        return PiperTts({settings.speech.voice.split("-")[0]: _active_model(settings, "tts")})
    from appliance.speech.tts.espeak import EspeakTts

    return EspeakTts(voice=settings.speech.voice, words_per_minute=settings.speech.words_per_minute)


class ModelNotActive(Exception):
    """The configuration names a model engine, but no model of that kind is active."""


async def _understanding(settings: Settings) -> tuple[Callable[[Any], Any] | None, Any]:
    """With [llm] enabled: an LLM proposing commands, the rule NLU answering past the deadline."""
    if not settings.llm.enabled:
        return None, None
    from appliance.dialog.llm_understanding import DeadlineRouter, LlmCommandGenerator
    from appliance.dialog.nlu import RuleNlu
    from appliance.registry.offline import enforce_offline
    from appliance.registry.registry import ModelRegistry

    enforce_offline()
    path = _active_model(settings, "llm")
    if path.suffix == ".gguf":
        from appliance.llm.llama_cpp import LlamaCppEngine

        engine: Any = LlamaCppEngine(path, n_ctx=settings.llm.n_ctx, n_gpu_layers=settings.llm.n_gpu_layers)
    else:
        from appliance.llm.openai_compat import OpenAiCompatEngine

        engine = OpenAiCompatEngine(
            settings.llm.server_url,
            ModelRegistry(settings).active("llm") or path.name,
            dialect=settings.llm.server_dialect,
            timeout_s=settings.llm.request_timeout_s,
            site_networks=settings.network.site_networks,
        )
    await engine.start()

    def per_call(site: Any) -> Any:
        deadline = settings.llm.deadline_ms
        return DeadlineRouter(LlmCommandGenerator(engine), RuleNlu(site), deadline_ms=deadline)

    return per_call, engine


def _open_audit(settings: Settings) -> Any:
    try:
        from appliance.audit.log import AuditLog
    except ImportError:
        return None
    return AuditLog.open(settings.database_url, settings.data_dir / "keys")
