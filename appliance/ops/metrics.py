"""Prometheus figures of the running box (prometheus-client, its own registry).

Counters per intent and outcome, histograms for handle time, tool latency and each stage of a
turn's voice-to-voice latency, gauges for calls in progress, the active models and which
intents are switched to people. Names follow the OpenTelemetry GenAI conventions where one
fits (a tool call is `gen_ai.client.operation.duration` with `gen_ai.operation.name` =
`execute_tool`, exported as `gen_ai_client_operation_duration_seconds`); the rest are
`wardline_*`. Labels hold intent names, codes and tool names from the site pack, never caller data.

Threads: updates come from call event loops and the runtime's writer thread; prometheus-client
locks internally. `serve()` starts its HTTP server on a daemon thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import start_http_server

from appliance.ops.recorder import CallSummary, ToolFigure, TurnFigure

LATENCY_BUCKETS_S = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)
HANDLE_BUCKETS_S = (15, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900)
TOOL_BUCKETS_S = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
STAGES = ("endpoint", "asr", "dialog", "tts_first_audio")

disable_created_metrics()  # the *_created series only double the exposition


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.calls = Counter("wardline_calls", "Finished calls.", ["intent", "outcome"], registry=r)
        self.transfers = Counter(
            "wardline_transfers", "Calls handed to people.", ["intent", "reason"], registry=r
        )
        self.assisted = Counter(
            "wardline_assisted_calls",
            "Transferred after the agent started the process.",
            ["intent"],
            registry=r,
        )
        self.barge_ins = Counter(
            "wardline_barge_ins", "Caller interruptions.", ["intent", "recovered"], registry=r
        )
        self.red_flags = Counter("wardline_red_flags", "Red-flag escalations.", ["category"], registry=r)
        self.satisfaction = Counter(
            "wardline_satisfaction_answers", "Post-call presses (1-3).", ["intent", "score"], registry=r
        )
        self.handle_time = Histogram(
            "wardline_call_duration_seconds",
            "Handle time.",
            ["intent"],
            buckets=HANDLE_BUCKETS_S,
            registry=r,
        )
        self.turns = Histogram(
            "wardline_call_turns",
            "Caller turns per call.",
            ["intent"],
            buckets=(1, 2, 3, 4, 5, 6, 8, 10, 15, 20),
            registry=r,
        )
        self.tool_duration = Histogram(
            "gen_ai_client_operation_duration_seconds",
            "GenAI operation duration (tool calls: gen_ai_operation_name=execute_tool).",
            ["gen_ai_operation_name", "gen_ai_tool_name", "error_type"],
            buckets=TOOL_BUCKETS_S,
            registry=r,
        )
        self.voice_to_voice = Histogram(
            "wardline_voice_to_voice_seconds",
            "Caller speech end to first agent audio.",
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.stage = Histogram(
            "wardline_turn_stage_seconds",
            "Voice-to-voice latency by stage.",
            ["stage"],
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.active_calls = Gauge("wardline_active_calls", "Calls in progress.", registry=r)
        self.active_model = Gauge(
            "wardline_active_model", "The active model per kind (value 1).", ["kind", "model"], registry=r
        )
        self.intent_enabled = Gauge(
            "wardline_intent_enabled",
            "1: the agent takes the intent; 0: it goes to people.",
            ["intent"],
            registry=r,
        )

    # -- updates --------------------------------------------------------------------------
    def call_started(self) -> None:
        self.active_calls.inc()

    def call_finished(self, s: CallSummary) -> None:
        self.active_calls.dec()
        self.calls.labels(s.intent, s.outcome).inc()
        self.handle_time.labels(s.intent).observe(s.handle_ms / 1000)
        self.turns.labels(s.intent).observe(s.turns)
        if s.outcome == "transferred":
            self.transfers.labels(s.intent, s.transfer_reason or "other").inc()
            if s.assisted:
                self.assisted.labels(s.intent).inc()
        if s.barge_ins:
            self.barge_ins.labels(s.intent, "yes").inc(s.barge_ins_recovered)
            self.barge_ins.labels(s.intent, "no").inc(s.barge_ins - s.barge_ins_recovered)
        for category in s.red_flag_categories:
            self.red_flags.labels(category).inc()

    def answered(self, intent: str, score: int) -> None:
        self.satisfaction.labels(intent, str(score)).inc()

    def tool(self, t: ToolFigure) -> None:
        error = "" if t.status == "ok" else t.status
        self.tool_duration.labels("execute_tool", t.tool, error).observe(t.latency_ms / 1000)

    def turn(self, t: TurnFigure) -> None:
        self.voice_to_voice.observe(t.voice_to_voice_ms / 1000)
        for stage, ms in zip(STAGES, (t.endpoint_ms, t.asr_ms, t.dialog_ms, t.tts_ms), strict=True):
            self.stage.labels(stage).observe(ms / 1000)

    def set_models(self, active: dict[str, str]) -> None:
        """kind -> model id of the active models (the registry's view)."""
        self.active_model.clear()
        for kind, model in active.items():
            self.active_model.labels(kind, model).set(1)

    def set_intent(self, intent: str, enabled: bool) -> None:
        self.intent_enabled.labels(intent).set(1 if enabled else 0)

    def watch_audit(self, health: Callable[[], dict[str, Any]]) -> None:
        """Expose the audit log's health (AuditLog.health) at every scrape."""
        self.registry.register(_AuditCollector(health))

    # -- exposition -----------------------------------------------------------------------
    def text(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, address: str, port: int) -> Any:
        """Start /metrics on a daemon thread; returns the server (its `server_port` when port=0)."""
        server, _thread = start_http_server(port, addr=address, registry=self.registry)
        return server


class _AuditCollector:
    """The audit log's state, read when /metrics is scraped: alert on ok == 0 or rising failures."""

    def __init__(self, health: Callable[[], dict[str, Any]]) -> None:
        self.health = health

    def collect(self) -> Iterator[Metric]:
        h = self.health()
        yield GaugeMetricFamily(
            "wardline_audit_log_ok",
            "1 while the audit log is written; 0 while commits fail.",
            value=1 if h["ok"] else 0,
        )
        yield GaugeMetricFamily(
            "wardline_audit_log_pending_entries", "Audit entries waiting to be stored.", value=h["pending"]
        )
        yield CounterMetricFamily(
            "wardline_audit_log_write_failures",
            "Failed audit log commits (the entries stay buffered and are retried).",
            value=h["failures"],
        )
        yield CounterMetricFamily(
            "wardline_audit_log_dropped_entries",
            "Audit entries refused because too many were already waiting.",
            value=h["dropped"],
        )
