"""Transfer reasons in the figures: every reason the dialog gives is counted as itself.

The operator lead reads "why calls went to people"; a reason the figures do not know shows as
"other", which tells them nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.ops.figures import compute, load_window
from appliance.privacy.handoffs import handoff_exists
from tests.ops.conftest import Sim, scenario_file

PATEL = "Hi, I'd like to see Doctor Patel next Tuesday morning."
CALLS = [
    {"name": "operator-key", "turns": [{"dtmf": "0"}]},
    # during the keyed date of birth every digit is part of the date: star reaches the operator
    {"name": "star-in-entry", "turns": [{"say": PATEL}, {"say": "Maria Gonzalez"}, {"dtmf": "*"}]},
    {"name": "in-spanish", "turns": [{"say": "Hola, necesito una cita con el doctor, por favor."}]},
]


def test_keyed_operator_and_language_transfers_are_counted_by_reason(sim: Sim, tmp_path: Path) -> None:
    results = sim.run([scenario_file(tmp_path, c) for c in CALLS])
    assert [r.log.outcome for r in results] == ["transferred"] * 3
    handoffs = [e.handoff_id for r in results for e in r.log.events if e.type == "transfer"]
    assert len(handoffs) == 3 and all(re.fullmatch(r"h-[0-9a-f]{16}", h) for h in handoffs)  # one id scheme
    assert all(handoff_exists(sim.services.settings.data_dir, h) for h in handoffs)
    now = datetime.now(UTC)
    figures = compute(
        load_window(sim.services.sessions, now - timedelta(hours=1), now + timedelta(minutes=1))
    )
    total = figures.intent("all")
    assert total is not None
    reasons = dict(total.transfer_reasons)
    assert reasons == {"caller-pressed-operator": 2, "language": 1}
    assert "other" not in reasons
