"""The pocketsphinx worker process: one warm decoder, one caller turn at a time.

pocketsphinx's Python binding holds the interpreter lock for the whole of every decode call,
so it never runs in the event-loop process (a thread there stalls the loop for hundreds of
milliseconds). This module is the entire program of a worker: it loads the decoder once, then
reads commands from its inbox pipe and writes results to its outbox pipe, decoding each chunk
of audio as it arrives (`process_raw(full_utt=False)`), so that at the end of a turn only the
last chunk is left to decode.

Inbox messages (tuples): ("begin", stream_id, rate_hz, context), ("audio", stream_id, pcm16),
("end", stream_id), ("cancel", stream_id), ("crash",) for tests. Outbox messages:
("ready",), ("partial", stream_id, text), ("final", stream_id, text), ("error", stream_id, text),
("heard", stream_id, nbytes): all of the stream's first nbytes of audio are decoded and any new
partial for them has been sent (a simulated clock waits for it, so partials fall on the same audio).
Messages for a stream other than the current one are stale (a cancelled turn) and ignored.

The worker drains every message already waiting before it decodes, so after a stall it catches
up at once instead of falling further behind. How much audio one drain holds depends on timing,
so the decoder is always given the same fixed blocks (`DECODE_BLOCK_BYTES`) whatever the pipe's
batching: its live cepstral-mean update happens at the end of a `process_raw` call, and the same
audio must give the same words on a quiet machine and a loaded one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

DECODER_RATE_HZ = 16000
# Starting cepstral means per input rate (telephone audio, upsampled, lacks everything above
# 4 kHz, so its mean differs a lot from wideband speech's). The model's own default (40,3,-1,0…)
# is far from either and costs most of a short turn's accuracy: 0.0 -> 0.45 word accuracy at
# 8 kHz in our measurements. These were measured by decoding synthesized hospital sentences
# (not the scenario lines) and are set at the start of every turn, so no state carries from
# one caller to the next.
CMN_PRIOR = {
    8000: "47.42,18.95,-31.38,49.69,-25.40,-0.80,6.88,-30.67,10.34,-17.67,2.34,3.84,-13.99",
    16000: "54.03,-1.28,-4.68,27.90,-12.84,-0.67,-2.70,-18.50,1.10,-16.49,9.12,-9.25,0.98",
}
PARTIAL_EVERY_BYTES = DECODER_RATE_HZ * 2 // 10  # look for a new partial every 100 ms of audio
DECODE_BLOCK_BYTES = DECODER_RATE_HZ * 2 // 25  # 40 ms per `process_raw` call (the rest waits)


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its decoder (picklable: it crosses into the new process)."""

    hmm_dir: str
    lm_path: str
    dict_path: str
    fwdflat: bool = False
    """Second flat-lexicon pass at end of turn: +3-8 points of word accuracy, but ~40 ms of CPU per
    second of speech on the critical path (200 ms for a 5 s turn), so off by default."""
    bestpath: bool = True
    language_weight: float | None = None
    """None keeps the model's default (6.5); a small site model does better leaning on it more."""
    contexts: tuple[tuple[str, str], ...] = ()
    """(name, ARPA path) of the per-context models a turn may listen with instead of `lm_path`."""
    """Lattice rescoring at end of turn: +10-15 points of word accuracy for ~3 ms."""


class _Turn:
    """One stream's decoding state inside the worker."""

    def __init__(self, stream_id: int, rate_hz: int) -> None:
        import soxr

        self.stream_id = stream_id
        self.resampler = (
            # float32, not int16: soxr dithers int16 output at random (a different last bit on
            # every run), and the decoder's words turn on those bits
            soxr.ResampleStream(rate_hz, DECODER_RATE_HZ, 1, dtype="float32", quality="HQ")
            if rate_hz != DECODER_RATE_HZ
            else None
        )
        self.since_partial = 0
        self.last_partial = ""
        self.received = 0  # bytes of audio at the stream's rate, for the "heard" acknowledgement
        self.pending = b""  # decoder-rate audio short of a whole block
        self.unresampled = b""  # stream-rate audio short of a whole resampling block
        self.resample_block = rate_hz * 2 // 50  # 20 ms at the stream's rate

    def to_decoder_rate(self, pcm16: bytes, last: bool = False) -> bytes:
        """`pcm16` at the decoder's rate, the same samples on a quiet box and a loaded one: the
        resampler always gets the same 20 ms blocks, whatever the pipe's timing-dependent
        batching, and its output is rounded here, without dither."""
        if self.resampler is None:
            return pcm16
        import numpy as np

        pcm = self.unresampled + pcm16
        whole = len(pcm) - len(pcm) % self.resample_block
        blocks = [pcm[i : i + self.resample_block] for i in range(0, whole, self.resample_block)]
        self.unresampled = pcm[whole:]
        if last:
            blocks.append(self.unresampled)
            self.unresampled = b""
        out = [
            self.resampler.resample_chunk(
                np.frombuffer(block, dtype="<i2").astype(np.float32) / 32768.0,
                last=last and n == len(blocks) - 1,
            )
            for n, block in enumerate(blocks)
        ]
        if not out:
            return b""
        samples = np.concatenate(out) * 32768.0
        return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def make_decoder(spec: WorkerSpec) -> Any:
    import pocketsphinx

    config = pocketsphinx.Config()
    config["hmm"] = spec.hmm_dir
    config["lm"] = spec.lm_path
    config["dict"] = spec.dict_path
    config["samprate"] = DECODER_RATE_HZ
    config["fwdflat"] = spec.fwdflat
    config["bestpath"] = spec.bestpath
    if spec.language_weight is not None:
        config["lw"] = spec.language_weight
    config["loglevel"] = "FATAL"
    decoder = pocketsphinx.Decoder(config)
    for name, path in spec.contexts:
        decoder.add_lm_file(name, path)
    return decoder


def hypothesis(decoder: Any) -> str:
    hyp = decoder.hyp()
    return hyp.hypstr.strip() if hyp is not None else ""


def warm_up(decoder: Any) -> None:
    """Decode half a second of silence so the first real turn does not pay for page faults."""
    decoder.start_utt()
    decoder.process_raw(b"\x00\x00" * (DECODER_RATE_HZ // 2), False, False)
    decoder.end_utt()


class Worker:
    def __init__(self, spec: WorkerSpec, inbox: Connection, outbox: Connection) -> None:
        self.inbox, self.outbox = inbox, outbox
        self.decoder = make_decoder(spec)
        self.contexts = {name for name, _ in spec.contexts}
        warm_up(self.decoder)
        self.turn: _Turn | None = None

    def run(self) -> None:
        self.outbox.send(("ready",))
        while True:
            try:
                batch = [self.inbox.recv()]
                while self.inbox.poll():
                    batch.append(self.inbox.recv())
            except EOFError:
                return  # the engine closed or died: nothing left to serve
            self.handle(batch)

    def handle(self, batch: list[tuple[Any, ...]]) -> None:
        audio: list[bytes] = []
        for message in batch:
            kind = message[0]
            if kind == "audio":
                if self.turn is not None and message[1] == self.turn.stream_id:
                    audio.append(message[2])
                continue
            self.decode(audio)
            audio = []
            if kind == "begin":
                self.begin(message[1], message[2], message[3] if len(message) > 3 else "")
            elif kind == "end":
                self.end(message[1])
            elif kind == "cancel":
                self.cancel(message[1])
            elif kind == "crash":
                os._exit(3)
        self.decode(audio)

    def begin(self, stream_id: int, rate_hz: int, context: str = "") -> None:
        if self.turn is not None:
            self.decoder.end_utt()
        self.turn = _Turn(stream_id, rate_hz)
        # Only between utterances may the search change; an unknown context hears with the site model.
        self.decoder.activate_search(context if context in self.contexts else None)
        self.decoder.set_cmn(CMN_PRIOR.get(rate_hz, CMN_PRIOR[DECODER_RATE_HZ]))
        self.decoder.start_utt()

    def decode(self, chunks: list[bytes]) -> None:
        turn = self.turn
        if turn is None or not chunks:
            return
        turn.received += sum(len(c) for c in chunks)
        pcm = turn.pending + turn.to_decoder_rate(b"".join(chunks))
        whole = len(pcm) - len(pcm) % DECODE_BLOCK_BYTES
        for start in range(0, whole, DECODE_BLOCK_BYTES):
            self.decoder.process_raw(pcm[start : start + DECODE_BLOCK_BYTES], False, False)
        turn.pending = pcm[whole:]
        turn.since_partial += whole
        if turn.since_partial >= PARTIAL_EVERY_BYTES:
            turn.since_partial = 0
            text = hypothesis(self.decoder)
            if text != turn.last_partial:
                turn.last_partial = text
                self.outbox.send(("partial", turn.stream_id, text))
        self.outbox.send(("heard", turn.stream_id, turn.received))

    def end(self, stream_id: int) -> None:
        turn = self.turn
        if turn is None or turn.stream_id != stream_id:
            return
        tail = turn.pending + turn.to_decoder_rate(b"", last=True)
        if tail:
            self.decoder.process_raw(tail, False, False)
        self.decoder.end_utt()
        self.turn = None
        self.outbox.send(("final", stream_id, hypothesis(self.decoder)))

    def cancel(self, stream_id: int) -> None:
        if self.turn is not None and self.turn.stream_id == stream_id:
            self.decoder.end_utt()
            self.turn = None


def serve(spec: WorkerSpec, inbox: Connection, outbox: Connection) -> None:
    """The worker process's entry point."""
    try:
        worker = Worker(spec, inbox, outbox)
    except Exception as exc:  # a bad model path: tell the engine why, then exit
        outbox.send(("error", 0, f"{type(exc).__name__}: {exc}"))
        return
    worker.run()
