#!/usr/bin/env python3
"""Pipecat 1.14 on the neural engines: faster-whisper and Piper, for the side-by-side figure.

Runs in the peer venv (bench/.peer-venv, made by bench/voice_to_voice.py), never in Wardline's.
It is the shared Pipecat harness (../shared/peers/pipecat/harness.py, read-only for the project)
with its two engines swapped for Pipecat's own services: `pipecat.services.whisper`
(WhisperSTTService, a SegmentedSTTService that decodes the VAD segment in a thread) and
`pipecat.services.piper` (PiperTTSService, sentence by sentence in a thread). Everything else is
the harness's: the WAV played in real time as 20 ms frames, Silero VAD with stop_secs 0.2 and no
turn timer in the user aggregator, the fixed-reply responder, the recording output transport, the
observer and the per-turn analysis. Both models are local files handed over by path (the Whisper
folder and the Piper voice that Wardline's registry installed from their packages), so nothing
is downloaded: PiperTTSService only downloads a voice that is missing from its folder.

Each engine call is stamped as the harness stamps its own: "stt" (segment in -> text out,
thread hop included) and "tts" (text in -> first audio chunk out), so analyze_run reads them.

    bench/.peer-venv/bin/python bench/peer_pipecat.py --wav CALL.wav --json OUT.json \
        --whisper WHISPER_DIR --piper VOICE.onnx
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import wave
from pathlib import Path

SHARED = Path(os.environ.get("WARDLINE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
sys.path.insert(0, str(SHARED / "peers" / "pipecat"))

import harness  # noqa: E402  (the peer's own pipeline pieces, observer and analysis)


def neural_services(rec, whisper_dir: str, piper_voice: str):
    """Pipecat's WhisperSTTService and PiperTTSService, stamped for the harness's analysis."""
    from pipecat.frames.frames import TranscriptionFrame, TTSAudioRawFrame
    from pipecat.services.piper.tts import PiperTTSService
    from pipecat.services.whisper.stt import WhisperSTTService
    from pipecat.transcriptions.language import Language

    class StampedWhisper(WhisperSTTService):
        async def run_stt(self, audio: bytes):
            start = time.monotonic()
            text = ""
            frames = []
            async for frame in super().run_stt(audio):
                if isinstance(frame, TranscriptionFrame):
                    text = frame.text
                frames.append(frame)
            end = time.monotonic()
            rec.add(
                "stt",
                t=start,
                ps_start=start,
                ps_end=end,
                compute=end - start,
                text=text,
                seg_s=len(audio) / (2 * harness.IN_RATE),
            )
            for frame in frames:
                yield frame

    class StampedPiper(PiperTTSService):
        async def run_tts(self, text: str, context_id: str):
            start = time.monotonic()
            first = True
            async for frame in super().run_tts(text, context_id):
                if first and isinstance(frame, TTSAudioRawFrame):
                    first = False
                    end = time.monotonic()
                    rec.add("tts", t=start, es_start=start, es_end=end, compute=end - start, text=text)
                yield frame

    # int8, as Wardline runs tiny.en on a CPU; "default" would keep the file's float weights.
    stt = StampedWhisper(
        device="cpu",
        compute_type="int8",
        settings=WhisperSTTService.Settings(model=whisper_dir, language=Language.EN),
    )
    voice = Path(piper_voice)
    tts = StampedPiper(
        download_dir=voice.parent,
        settings=PiperTTSService.Settings(voice=voice.name.removesuffix(".onnx")),
    )
    return stt, tts


async def run_once(args) -> dict:
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="WARNING")

    from pipecat.audio.vad.silero import SileroVADAnalyzer
    from pipecat.audio.vad.vad_analyzer import VADParams
    from pipecat.clocks.system_clock import SystemClock
    from pipecat.frames.frames import EndFrame
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineParams, PipelineWorker
    from pipecat.processors.aggregators.llm_context import LLMContext
    from pipecat.processors.aggregators.llm_response_universal import (
        LLMContextAggregatorPair,
        LLMUserAggregatorParams,
    )
    from pipecat.transports.base_transport import TransportParams
    from pipecat.turns.user_stop import SpeechTimeoutUserTurnStopStrategy
    from pipecat.turns.user_turn_strategies import UserTurnStrategies
    from pipecat.workers.runner import WorkerRunner

    Recorder, WavIn, _, Responder, _, RecOut = harness.make_classes()
    with wave.open(args.wav, "rb") as w:
        pcm = w.readframes(w.getnframes())
    rec = Recorder()
    rec.audio_done = asyncio.Event()
    # The harness's "vad0.2-notimer": the turn ends at the VAD stop plus the transcript.
    vad = SileroVADAnalyzer(params=VADParams(stop_secs=0.2))
    strategies = UserTurnStrategies(stop=[SpeechTimeoutUserTurnStopStrategy(user_speech_timeout=0.0)])
    stt, tts = neural_services(rec, args.whisper, args.piper)
    transport_in = WavIn(pcm, rec, 2.0, params=TransportParams(audio_in_enabled=True))
    context = LLMContext([{"role": "system", "content": "You are a hospital receptionist."}])
    user_agg, assistant_agg = LLMContextAggregatorPair(
        context, user_params=LLMUserAggregatorParams(vad_analyzer=vad, user_turn_strategies=strategies)
    )
    responder = Responder(rec, harness.REPLY_TEXT)
    transport_out = RecOut(rec, params=TransportParams(audio_out_enabled=True))
    pipeline = Pipeline([transport_in, stt, user_agg, responder, tts, transport_out, assistant_agg])
    clock = SystemClock()
    observer = harness.make_observer(rec, clock, dict(user=user_agg, stt=stt, tts=tts, out=transport_out))
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(audio_in_sample_rate=harness.IN_RATE, audio_out_sample_rate=24000),
        clock=clock,
        observers=[observer],
        idle_timeout_secs=None,
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)

    async def ender():
        await rec.audio_done.wait()
        await worker.queue_frame(EndFrame())

    end_task = asyncio.create_task(ender())
    await runner.run()
    await end_task
    return dict(config="neural-vad0.2-notimer", t0=rec.t0, events=rec.events)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wav", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--whisper", required=True, help="a faster-whisper (CTranslate2) model folder")
    ap.add_argument("--piper", required=True, help="a Piper voice .onnx with its .onnx.json beside it")
    args = ap.parse_args()
    # Local files only: a missing Whisper folder would send faster-whisper to the hub, and a
    # missing voice would send PiperTTSService to its download.
    os.environ["HF_HUB_OFFLINE"] = "1"
    needed = [Path(args.whisper) / name for name in ("model.bin", "config.json", "tokenizer.json")]
    needed += [Path(args.piper), Path(args.piper + ".json")]
    missing = [str(path) for path in needed if not path.is_file()]
    if missing or not args.piper.endswith(".onnx"):
        sys.exit(f"peer_pipecat.py: model files missing: {', '.join(missing) or args.piper + ' (not .onnx)'}")
    Path(args.json).write_text(json.dumps(asyncio.run(run_once(args))))


if __name__ == "__main__":
    main()
