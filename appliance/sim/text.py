"""Text mode: the scripted caller types; the call is the same CallSession as in audio mode.

No audio is made or heard: the session hears each caller line as words (appliance/call/text.py)
and its replies take as long as saying them would at `[speech] words_per_minute`, on the same
simulated media clock as audio mode (appliance/sim/audio.py). So a text scenario goes through
the same turn handling, interruptions, no-input reprompts, secure digits and recording changes
as a call, only faster and without recognition errors.
"""

from __future__ import annotations

from appliance.call.services import CallServices
from appliance.sim.audio import run_call
from appliance.sim.record import CallLog
from appliance.sim.scenario import Scenario

TEXT_RATE_HZ = 8000  # the frames carry silence only: the smallest rate keeps them cheap


async def run_text(scenario: Scenario, services: CallServices) -> CallLog:
    return await run_call(scenario, services, None, sample_rate_hz=TEXT_RATE_HZ)
