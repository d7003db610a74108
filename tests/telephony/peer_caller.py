"""A second SIP endpoint, in its own process, that calls the agent like a desk phone would.

It plays a WAV file into the call and records what the agent says into another WAV, then
hangs up. Run: python -m tests.telephony.peer_caller TARGET_URI --port P --play IN --record OUT
--seconds S. pjsua2 runs on this process's main thread (threadCnt=0, polled here). Like a phone,
it carries out a transfer the agent asks for (REFER): pjsua calls the Refer-To target, copying
the URI's header fields (the handoff id) into that INVITE.
"""

from __future__ import annotations

import argparse
import sys
import time

import pjsua2 as pj


class PeerCall(pj.Call):
    def __init__(self, account: pj.Account, play: str, record: str) -> None:
        super().__init__(account)
        self.account = account
        self.play_path, self.record_path = play, record
        self.player: pj.AudioMediaPlayer | None = None
        self.recorder: pj.AudioMediaRecorder | None = None
        self.confirmed_at: float | None = None
        self.disconnected = False
        self.transferred_to: PeerCall | None = None  # the call to the transfer target

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:
        # Our own Call object for the new call, so that pjsua2 owns and ends it cleanly.
        self.transferred_to = PeerCall(self.account, self.play_path, self.record_path + ".transfer.wav")
        prm.newCall = self.transferred_to

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        state = self.getInfo().state
        if state == pj.PJSIP_INV_STATE_CONFIRMED and self.confirmed_at is None:
            self.confirmed_at = time.monotonic()
        if state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        if self.player is not None:
            return
        audio = self.getAudioMedia(-1)
        self.recorder = pj.AudioMediaRecorder()
        self.recorder.createRecorder(self.record_path)
        audio.startTransmit(self.recorder)
        self.player = pj.AudioMediaPlayer()
        self.player.createPlayer(self.play_path, pj.PJMEDIA_FILE_NO_LOOP)
        self.player.startTransmit(audio)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("target")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--play", required=True)
    p.add_argument("--record", required=True)
    p.add_argument("--seconds", type=float, default=8.0)
    args = p.parse_args()

    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 1
    cfg.logConfig.consoleLevel = 1
    cfg.medConfig.ecTailLen = 0
    ep.libInit(cfg)
    ep.audDevManager().setNullDev()
    tc = pj.TransportConfig()
    tc.port = args.port
    tc.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:5550123@127.0.0.1:{args.port}"
    acfg.mediaConfig.transportConfig.port = args.port + 10
    acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    account = pj.Account()
    account.create(acfg)
    call = PeerCall(account, args.play, args.record)
    call.makeCall(args.target, pj.CallOpParam(True))
    deadline = time.monotonic() + args.seconds + 30  # a net for call set-up on a busy box
    while time.monotonic() < deadline and not call.disconnected:
        ep.libHandleEvents(10)
        if call.confirmed_at and time.monotonic() - call.confirmed_at > args.seconds:
            call.hangup(pj.CallOpParam(True))
            break
    for _ in range(50):
        ep.libHandleEvents(10)
    ok = call.confirmed_at is not None
    other = call.transferred_to
    if other is not None and not other.disconnected:
        other.hangup(pj.CallOpParam(True))
        for _ in range(50):
            ep.libHandleEvents(10)
    for c in (call, other):
        if c is not None:
            c.recorder = None  # closes the WAV before the library goes away
            c.player = None
    del call, other
    account.shutdown()
    ep.libDestroy()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
