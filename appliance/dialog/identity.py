"""Who the caller is: the identity step of a flow, the check's result, and when a date of birth
may be keyed in (the keypad's secure entry, appliance/dialog/keypad.py).

Pure code, as the flow runner (appliance/dialog/flows.py) that consults it: the state changes,
the outcome says what follows. Three failures (site.yaml `identity.max_attempts`) hand off; a
minor patient needs a parent or guardian on file.
"""

from __future__ import annotations

from typing import Any

from appliance.dialog import responses as R
from appliance.dialog.decisions import CallTool, Decision, Outcome, tool_failed
from appliance.dialog.sitepack import FlowSpec, SitePack, Step
from appliance.dialog.state import DialogState, ask
from appliance.outcomes import TransferReason
from appliance.tools.base import ToolResult


class IdentityCheck:
    """The identity step for one site's flows."""

    def __init__(self, site: SitePack) -> None:
        self.site = site

    def _spec(self, state: DialogState) -> FlowSpec:
        assert state.flow is not None
        return self.site.flows[state.flow]

    def step(self, state: DialogState, spec: FlowSpec) -> Decision | None:
        """The identity step: ask for what is missing, then check it; None once verified."""
        if state.verified:
            state.step += 1
            return None
        name, dob = state.slots.get("name"), state.slots.get("dob")
        guardian = state.slots.get("guardian")
        if state.slots.get("acting_for"):
            if not guardian:
                return ask(state, "guardian", "May I have the parent or guardian's full name?")
        elif not name and not dob:
            return ask(state, "identity", self.dob_prompt(state, "identity", R.IDENTITY_ASK))
        elif not name:
            return ask(state, "name", R.IDENTITY_ASK_NAME)
        elif not dob:
            return ask(state, "dob", self.dob_prompt(state, "dob", R.IDENTITY_ASK_DOB))
        state.expecting = None
        args: dict[str, Any] = {"name": guardian or name, "dob": dob}
        if guardian:
            args["acting_for"] = state.slots.get("acting_for")
        filler = "One moment while I look that up."
        return CallTool("verify_identity", args, filler, spec.tools, state.step, verify=True)

    def apply(self, state: DialogState, result: ToolResult) -> Outcome:
        """Record the identity check's result; three failures (the site's limit) hand off."""
        spec = self._spec(state) if state.flow else None
        failed_to = spec.handoff.identity_failed if spec else "operator"
        attempt = state.identity_attempts + 1
        if result.ok:
            state.verified = True
            state.patient_ref = str(result.data.get("patient_ref") or "") or None
            state.step += 1
            return Outcome(say=R.IDENTITY_OK, identity_checked=(True, attempt))
        if tool_failed(result):
            handoff = spec.handoff.tool_failed if spec else "operator"
            return Outcome(say=R.SORRY_TOOL, handoff=handoff, reason=TransferReason.TOOL_FAILED)
        if result.status == "needs_guardian":
            state.slots["acting_for"] = state.slots.pop("name", None)
            state.slots.pop("guardian", None)
            ask(state, "guardian", result.message)
            return Outcome(say=result.message, stop=True)
        state.identity_attempts = attempt
        checked = (False, attempt)
        if result.status == "not_authorized" or attempt >= self.site.site.identity.max_attempts:
            message = result.message if result.status == "not_authorized" else R.IDENTITY_FAILED
            return Outcome(
                say=message,
                handoff=failed_to,
                reason=TransferReason.IDENTITY_NOT_VERIFIED,
                identity_checked=checked,
            )
        for slot in ("name", "dob", "guardian", "acting_for"):
            state.slots.pop(slot, None)
        again = ask(state, "identity", self.dob_prompt(state, "identity", R.IDENTITY_RETRY))
        return Outcome(say=again.text, stop=True, identity_checked=checked)

    def bad_keyed_date(self, state: DialogState) -> Outcome:
        """A keyed entry that is no date counts as a failed try, as a wrong date does."""
        state.identity_attempts += 1
        checked = (False, state.identity_attempts)
        if state.identity_attempts >= self.site.site.identity.max_attempts:
            state.expecting = None
            return Outcome(
                say=R.IDENTITY_FAILED,
                handoff=self._spec(state).handoff.identity_failed,
                reason=TransferReason.IDENTITY_NOT_VERIFIED,
                identity_checked=checked,
            )
        again = ask(state, state.expecting, self.site.site.keypad.dob_invalid)
        return Outcome(say=again.text, stop=True, identity_checked=checked)

    # -- secure digits --------------------------------------------------------------------------
    def keypad_step(self, state: DialogState) -> Step | None:
        """The current step when it is an identity step that takes a keyed date of birth."""
        if state.flow is None:
            return None
        steps = self._spec(state).steps
        step = steps[state.step] if state.step < len(steps) else None
        return step if step is not None and step.verify_identity and step.keypad else None

    def invites_keys(self, state: DialogState, expecting: str | None) -> bool:
        """The question for `expecting` invites a keyed date of birth: asked on its own, or again
        after a keyed try."""
        if self.keypad_step(state) is None:
            return False
        return expecting == "dob" or (expecting == "identity" and state.dob_keyed)

    def awaits_keyed_dob(self, state: DialogState) -> bool:
        """A date of birth the caller may key in is awaited: digits must be secure."""
        return not state.verified and not state.slots.get("dob") and self.invites_keys(state, state.expecting)

    def dob_prompt(self, state: DialogState, expecting: str, text: str) -> str:
        if self.invites_keys(state, expecting):
            return f"{text} {self.site.site.keypad.dob_hint}"
        return text
