"""The Prometheus endpoint: parses with the Prometheus text-format parser, carries the figures."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import PUBLIC, Sim


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_the_metrics_endpoint_parses_and_counts_the_simulated_calls(sim: Sim) -> None:
    results = sim.run(PUBLIC)
    server = sim.ops.serve_metrics("127.0.0.1", 0)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as resp:
            text = resp.read().decode()
    finally:
        server.shutdown()
    samples = _samples(text)
    calls = sum(v for (name, _), v in samples.items() if name == "wardline_calls_total")
    assert calls == len(results)
    assert samples[("wardline_calls_total", (("intent", "refill_request"), ("outcome", "contained")))] == 1
    assert samples[("wardline_transfers_total", (("intent", "none"), ("reason", "red-flag:chest_pain")))] == 1
    assert samples[("wardline_active_calls", ())] == 0
    tool = (
        ("error_type", ""),
        ("gen_ai_operation_name", "execute_tool"),
        ("gen_ai_tool_name", "verify_identity"),
    )
    assert samples[("gen_ai_client_operation_duration_seconds_count", tool)] == 2
    assert samples[("wardline_intent_enabled", (("intent", "refill_request"),))] == 1
    assert any(name == "wardline_call_duration_seconds_bucket" for name, _ in samples)
