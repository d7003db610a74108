"""Handing a caller to a person: what the agent says, and the summary the person receives.

The summary holds what the caller would otherwise have to repeat: why they are transferred,
whether their identity was verified, the flow and what was done in it, the last tool's answer
and what they asked for. Long digit runs (a card number read out) never reach it, nor the
history (`mask_digits`). The handoff's id comes from appliance/privacy/handoffs.py, where what a
call leaves for people is kept.
"""

from __future__ import annotations

import re
from typing import Any

from appliance.dialog import responses as R
from appliance.dialog.actions import Transfer
from appliance.dialog.sitepack import SitePack
from appliance.dialog.state import DialogState
from appliance.privacy.handoffs import new_handoff_id


def transfer_words(site: SitePack, target: str) -> str:
    """What the agent says before it transfers the caller to `target` at their request."""
    label = site.label(target)
    if target == "nurse":
        return f"I can't give medical advice, but {label} can help. I'm connecting you now."
    if target == "billing":
        return f"For billing and payments, I'll connect you with {label}. {R.NO_CARD_NUMBERS}"
    return f"Okay, I'm connecting you with {label} now."


def transfer(site: SitePack, state: DialogState, target: str, reason: str) -> Transfer:
    """The transfer to `target` with its summary; the conversation is finished."""
    state.finished = True
    return Transfer(
        to=site.extension(target),
        reason=reason,
        handoff_id=new_handoff_id(),
        summary=summary(site, state, reason),
    )


def summary(site: SitePack, state: DialogState, reason: str) -> dict[str, Any]:
    last = state.last_tool
    result: dict[str, Any] = {
        "reason": reason,
        "identity_verified": state.verified,
        "flow": state.flow or state.last_flow,
        "actions": [dict(a) for a in state.actions],
        "last_tool_result": last.message if last else "",
        "request": summary_request(site, state, reason),
    }
    if state.language:
        result["language"] = state.language
    return result


def summary_request(site: SitePack, state: DialogState, reason: str) -> str:
    flow = state.flow or state.last_flow
    if flow and flow in site.flows:
        spec = site.flows[flow]
        request = spec.request or spec.description
        provider = state.slots.get("provider")
        if provider:
            request += f" with {site.provider_name(str(provider))}"
        medication = state.slots.get("medication")
        if medication:
            request += f" ({mask_digits(str(medication))})"
        return request
    if reason.startswith("red-flag:"):
        return "reported " + reason.split(":", 1)[1].replace("_", " ")
    if reason.startswith("language:"):
        return "caller speaks " + reason.split(":", 1)[1] + "; needs an interpreter"
    return state.request or reason.replace("-", " ")


def mask_digits(text: str) -> str:
    """Long digit runs (card numbers) never reach the history or a summary."""
    return re.sub(r"\d[\d\s-]{7,}\d", "[digits]", text)
