"""What the recognizer should listen for next: the context it decodes in and the words it is
likely to hear, from what the agent just asked (`DialogState.expecting`)."""

from __future__ import annotations

from appliance.dialog.nlu import IDENTITY_EXPECTS, YES_NO_EXPECTS
from appliance.dialog.sitepack import SitePack
from appliance.dialog.spoken import MONTHS, WEEKDAYS
from appliance.dialog.state import DialogState


def context(state: DialogState) -> str:
    """What the next caller turn answers, for a recognizer that listens per context: "identity"
    (a name and a date of birth), "medication", "pharmacy", "yes_no", "choice", or "" (anything).
    A recognizer that knows no such context hears the turn as an open one."""
    expecting = state.expecting
    if expecting in IDENTITY_EXPECTS:
        return "identity"
    if expecting in ("medication", "pharmacy", "choice"):
        return expecting
    return "yes_no" if expecting in YES_NO_EXPECTS else ""


def hints(site: SitePack, state: DialogState) -> list[str]:
    """Words the caller is likely to say next, for the recognizer."""
    nlu = site.nlu
    expecting = state.expecting
    if expecting in IDENTITY_EXPECTS:
        return [*nlu.vocabulary.names, "my name is", "born", *MONTHS]
    if expecting == "choice":
        return ["the first one", "the second one", "the third one", "that's fine", *state.offered_text]
    if expecting in ("confirm", "retry", "anything_else", "referral"):
        return ["yes", "no", "that's all", "thank you"]
    if expecting == "provider":
        return [w for words in nlu.entities.get("provider", {}).values() for w in words]
    if expecting == "weekday":
        return [*WEEKDAYS, "morning", "afternoon", "tomorrow", "next week"]
    if expecting == "medication":
        return list(nlu.vocabulary.medications)
    return ["appointment", "refill", "reschedule", "cancel", "operator", "parking", "visiting hours",
            *nlu.provider_names.values()]  # fmt: skip
