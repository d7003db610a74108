"""Simulated callers' voices: who speaks the scenario lines, and how the phone line carries them.

A caller voice is espeak-ng (any voice and variant, at a words-a-minute rate) or an installed
piper voice at another speed and pitch than the agent's. Pitch moves by playing the voice's audio
at another rate (`pitch` 0.85: 15 % deeper, and as much slower, which `length_scale` can offset).

The default follows the recognizer under test, from held-out measurement (word error of the
public scenarios' 96 caller words, bench/asr.py measures more):
- pocketsphinx: espeak-ng en-us+klatt2 at 170 words a minute (0.025 on 70 corpus sentences;
  pocketsphinx's site language model was tuned on espeak voices).
- faster-whisper: espeak-ng's formant voices are barely speech to Whisper (tiny.en: 0.43 for
  klatt2, 0.45 en-us, 0.52 m3; "Maria Gonzalez" came out as "very young and not much"), so the
  caller is the installed piper voice, 15 % deeper and 10 % quicker than the agent's (0.06).

A spec names one on the command line: "espeak-ng:en-us+f3:160" or "piper:MODEL:0.9:0.85"
(MODEL: an installed tts model id or a .onnx path; then length scale and pitch).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from appliance.audio import resample
from appliance.config import Settings

ESPEAK_CALLER = "espeak-ng:en-us+klatt2:170"
PIPER_CALLER_LENGTH_SCALE = 0.9
PIPER_CALLER_PITCH = 0.85


class CallerVoiceError(ValueError):
    """A caller voice spec that names no usable voice."""

    code = "caller-voice-invalid"


@dataclass(frozen=True)
class CallerVoice:
    engine: Literal["espeak-ng", "piper"]
    voice: str  # espeak-ng voice name, or the piper voice's .onnx path
    words_per_minute: int = 170  # espeak-ng
    length_scale: float = 1.0  # piper: > 1 slower
    pitch: float = 1.0  # piper: < 1 deeper (and slower by the same factor)

    @property
    def label(self) -> str:
        if self.engine == "espeak-ng":
            return f"espeak-ng:{self.voice}:{self.words_per_minute}"
        return f"piper:{Path(self.voice).stem}:{self.length_scale:g}:{self.pitch:g}"

    async def speak(self, text: str, sample_rate_hz: int) -> bytes:
        """PCM16 mono at `sample_rate_hz`, leading and trailing silence cut."""
        if self.engine == "espeak-ng":
            from appliance.speech.tts.espeak import EspeakTts

            tts = EspeakTts(voice=self.voice, words_per_minute=self.words_per_minute)
            pcm = b"".join([c async for c in tts.synthesize(text, sample_rate_hz)])
            return trim_silence(pcm)
        from appliance.speech.tts.piper import PiperTts

        # A caller's line is made whole, as piper makes it (its own loudness per sentence): a
        # simulated caller waits for nothing, and the scenarios keep the audio they were heard in.
        piper = PiperTts({"en": self.voice}, length_scale=self.length_scale, sampled=False, stream=False)
        await piper.start()
        try:
            # Made at rate/pitch and played at rate: every frequency times `pitch`.
            made_at = round(sample_rate_hz / self.pitch)
            pcm = b"".join([c async for c in piper.synthesize(text, made_at)])
        finally:
            await piper.close()
        return trim_silence(pcm)


def parse_caller_voice(spec: str, settings: Settings) -> CallerVoice:
    engine, _, rest = spec.partition(":")
    parts = rest.split(":") if rest else []
    try:
        if engine == "espeak-ng" and 1 <= len(parts) <= 2:
            return CallerVoice(
                "espeak-ng", parts[0], words_per_minute=int(parts[1]) if len(parts) > 1 else 170
            )
        if engine == "piper" and 1 <= len(parts) <= 3:
            scale = float(parts[1]) if len(parts) > 1 else 1.0
            pitch = float(parts[2]) if len(parts) > 2 else 1.0
            if not (0.5 <= scale <= 2.0 and 0.5 <= pitch <= 2.0):
                raise CallerVoiceError(f"caller voice {spec!r}: length scale and pitch go from 0.5 to 2")
            return CallerVoice(
                "piper", str(_piper_voice_path(parts[0], settings)), length_scale=scale, pitch=pitch
            )
    except ValueError as exc:
        if isinstance(exc, CallerVoiceError):
            raise
        raise CallerVoiceError(f"caller voice {spec!r}: {exc}") from None
    raise CallerVoiceError(
        f"caller voice {spec!r}: expected espeak-ng:VOICE[:WPM] or piper:MODEL[:LENGTH_SCALE[:PITCH]]"
    )


def _piper_voice_path(model: str, settings: Settings) -> Path:
    if model.endswith(".onnx"):
        path = Path(model)
        if not path.is_file() or not Path(f"{path}.json").is_file():
            raise CallerVoiceError(f"{path}: no piper voice there (VOICE.onnx and VOICE.onnx.json)")
        return path
    from appliance.registry.errors import RegistryError
    from appliance.registry.registry import ModelRegistry

    try:
        return ModelRegistry(settings).model_path(model)
    except RegistryError as exc:
        raise CallerVoiceError(f"caller voice: {exc}") from None


def default_caller_voice(settings: Settings) -> CallerVoice:
    """The caller the recognizer under test hears best among voices that are not the agent's."""
    if settings.speech.asr == "faster-whisper":
        piper = _installed_piper_voice(settings)
        if piper is not None:
            return CallerVoice(
                "piper", str(piper), length_scale=PIPER_CALLER_LENGTH_SCALE, pitch=PIPER_CALLER_PITCH
            )
    return parse_caller_voice(ESPEAK_CALLER, settings)


def _installed_piper_voice(settings: Settings) -> Path | None:
    from appliance.registry.registry import ModelRegistry

    registry = ModelRegistry(settings)
    active = registry.active("tts")
    ids = [active] if active else []
    ids += [r.id for r in registry.installed() if r.engine == "piper" and r.id != active]
    return registry.model_path(ids[0]) if ids else None


def trim_silence(pcm: bytes, level: int = 200) -> bytes:
    """Cut leading and trailing near-silence, so the last frame fed is the true end of speech."""
    x = np.frombuffer(pcm, dtype="<i2")
    loud = np.flatnonzero(np.abs(x.astype(np.int32)) > level)
    if not len(loud):
        return b""
    return x[loud[0] : loud[-1] + 1].tobytes()


# -- the phone line ------------------------------------------------------------------------------
def mulaw_round_trip(pcm16: bytes, sample_rate_hz: int) -> bytes:
    """What a G.711 μ-law line at 8 kHz makes of the audio, returned at `sample_rate_hz`."""
    narrow = np.frombuffer(resample(pcm16, sample_rate_hz, 8000), dtype="<i2").astype(np.int32)
    return resample(mulaw_decode(mulaw_encode(narrow)).astype("<i2").tobytes(), 8000, sample_rate_hz)


def g722_round_trip(pcm16: bytes, sample_rate_hz: int) -> bytes:
    """What a G.722 wideband line (16 kHz, 64 kbit/s, sub-band ADPCM) makes of the audio, returned
    at `sample_rate_hz`. The codec is the ITU-T reference implementation (the G722 package); a
    fresh encoder and decoder per line, as each call starts its codec state afresh."""
    import G722

    wide = np.frombuffer(resample(pcm16, sample_rate_hz, 16000), dtype="<i2")
    if not len(wide):
        return b""
    coded = G722.G722(16000, 64000).encode(wide)
    decoded = np.asarray(G722.G722(16000, 64000).decode(coded), dtype="<i2")
    return resample(decoded.tobytes(), 16000, sample_rate_hz)


def line_round_trip(pcm16: bytes, sample_rate_hz: int) -> bytes:
    """The phone line a call at this rate runs on: G.711 μ-law at 8 kHz, G.722 at 16 kHz."""
    if sample_rate_hz == 8000:
        return mulaw_round_trip(pcm16, sample_rate_hz)
    return g722_round_trip(pcm16, sample_rate_hz)


_BIAS, _CLIP = 0x84, 32635


def mulaw_encode(samples: np.ndarray) -> np.ndarray:
    """ITU-T G.711 μ-law: 16-bit linear to 8-bit codes."""
    x = np.asarray(samples, dtype=np.int32)
    sign = np.where(x < 0, 0x80, 0)
    mag = np.minimum(np.abs(x), _CLIP) + _BIAS
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


def mulaw_decode(codes: np.ndarray) -> np.ndarray:
    u = ~np.asarray(codes, dtype=np.int32) & 0xFF
    exponent, mantissa = (u >> 4) & 0x07, u & 0x0F
    mag = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(u & 0x80, -mag, mag).astype(np.int16)
