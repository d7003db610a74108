"""One call on pjsua2 (`AgentCall`), the account every INVITE arrives on, and the call's control
for the loop (`SipCallControl`: REFER and BYE as jobs on the SIP thread).

The callbacks run on pjsip's threads (appliance.telephony.threads) and only post to the loop or
queue a job. They reach the agent that owns the calls (appliance.telephony.endpoint.SipAgent)
through `Agent`, what a call needs of it.
"""

from __future__ import annotations

import concurrent.futures
import secrets
from collections.abc import Callable
from typing import Any, Protocol

import pjsua2 as pj

from appliance.telephony.bridge import CallBridge
from appliance.telephony.connection import pin_dialog
from appliance.telephony.library import CODEC_NAMES
from appliance.telephony.media_address import with_media_address
from appliance.telephony.media_port import MediaPort
from appliance.telephony.sdp import answer_with_preference
from appliance.telephony.threads import PjsipThread, pj_callback

# From the start of an RFC 4733 event, inbound audio is replaced by silence for this long: a
# phone that also plays the tone in band must not put it (or a secure digit) into ASR or a
# recording. Key presses last 40-250 ms.
DTMF_MUTE_S = 0.3


class Agent(Protocol):
    """What a call, its account and its control need of the agent that owns them (SipAgent)."""

    thread: PjsipThread
    calls: dict[str, AgentCall]  # our call name -> call (SIP thread only)

    def post(self, fn: Callable[..., None], *args: Any) -> None: ...

    def incoming(self, account: AgentAccount, prm: pj.OnIncomingCallParam) -> None: ...

    def media_ready(self, call: AgentCall, index: int) -> None: ...

    def media_address(self, call: AgentCall) -> str | None: ...

    def release_by_name(self, name: str) -> None: ...


class AgentCall(pj.Call):
    """One pjsua2 call; its callbacks run on the SIP thread and only post to the loop."""

    def __init__(self, agent: Agent, account: pj.Account, call_id: int, caller_id: str | None) -> None:
        super().__init__(account, call_id)
        self.agent = agent
        self.caller_id = caller_id
        self.name = f"sip-{secrets.token_hex(6)}"
        self.admitted = False
        self.port: MediaPort | None = None
        self.bridge: CallBridge | None = None
        self.ended = False
        self.connection: int | None = None  # the INVITE's TCP/TLS connection, until pinned
        self.arrival: str | None = None  # the front door's address the caller reached

    @pj_callback
    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:
        if self.connection is None or prm.e.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        state = prm.e.body.tsxState
        if state.type == pj.PJSIP_EVENT_TX_MSG and pin_dialog(self.connection, state.src.tdata.wholeMsg):
            self.connection = None  # pinned: BYE and REFER leave over the caller's connection

    @pj_callback
    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.ended:
            self.ended = True
            # Freeing the call inside its own callback is unsafe in pjsua2: do it next turn.
            name, agent = self.name, self.agent
            agent.thread.call_later(0, lambda: agent.release_by_name(name))

    @pj_callback
    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        if self.ended:
            return
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                if self.port is None:
                    self.agent.media_ready(self, media.index)
                else:  # a re-INVITE (session refresh, hold/unhold) may have rebuilt the stream
                    audio = self.getAudioMedia(media.index)
                    audio.startTransmit(self.port)
                    self.port.startTransmit(audio)
                return

    @pj_callback
    def onCallSdpCreated(self, prm: pj.OnCallSdpCreatedParam) -> None:
        remote = prm.remSdp.wholeSdp
        if remote:  # we are answering: impose our codec order (appliance.telephony.sdp)
            local = prm.sdp.wholeSdp
            answer = answer_with_preference(local, remote, CODEC_NAMES)
            address = self.agent.media_address(self)
            if address:  # media where the call arrived (appliance.telephony.media_address)
                answer = with_media_address(answer, address)
            if answer != local:
                prm.sdp.wholeSdp = answer

    @pj_callback
    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        bridge = self.bridge
        if bridge is not None:
            bridge.switch.mute_inbound(DTMF_MUTE_S)
            self.agent.post(bridge.on_dtmf, str(prm.digit))

    @pj_callback
    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        bridge = self.bridge
        if bridge is not None:
            self.agent.post(bridge.on_transfer_status, int(prm.statusCode), bool(prm.finalNotify))


class AgentAccount(pj.Account):
    """The local account every INVITE arrives on (no registration: the PBX routes to us)."""

    def __init__(self, agent: Agent) -> None:
        super().__init__()
        self.agent = agent

    @pj_callback
    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        self.agent.incoming(self, prm)


class SipCallControl:
    """bridge.CallControl for one call: each command becomes a job on the SIP thread.

    It holds the call's name, not the call: the loop side must never own a pjsua2 object.
    """

    def __init__(self, agent: Agent, name: str) -> None:
        self._agent = agent
        self._name = name

    def _live_call(self) -> AgentCall:
        call = self._agent.calls.get(self._name)
        if call is None or call.ended:
            raise RuntimeError("the call has ended")
        return call

    def refer(self, target_uri: str, headers: tuple[tuple[str, str], ...]) -> concurrent.futures.Future[None]:
        def job() -> None:
            prm = pj.CallOpParam(True)
            add_headers(prm, headers)
            self._live_call().xfer(target_uri, prm)

        return self._agent.thread.submit(job)

    def hang_up(self) -> concurrent.futures.Future[None]:
        def job() -> None:
            call = self._agent.calls.get(self._name)
            if call is not None and not call.ended:
                call.hangup(pj.CallOpParam(True))

        return self._agent.thread.submit(job)


def add_headers(prm: pj.CallOpParam, headers: tuple[tuple[str, str], ...]) -> None:
    for name, value in headers:
        h = pj.SipHeader()
        h.hName = name
        h.hValue = value
        prm.txOption.headers.append(h)
