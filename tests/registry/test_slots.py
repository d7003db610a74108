"""Hot swap: a call keeps the model it started with; the old model closes after its last call."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from appliance.model_slot import ModelSlot
from appliance.speech.tts.base import TtsError
from appliance.speech.tts.piper import PiperTts


async def speak(tts: PiperTts) -> int:
    return sum([len(c) async for c in tts.synthesize("Still here.", 8000)])


async def _slot_and_next_voice(voices: dict[str, Path]) -> tuple[PiperTts, PiperTts, ModelSlot[PiperTts]]:
    """Both tiny voices started; voice a serves from a slot, voice b is ready to swap in."""
    old, new = PiperTts({"en": voices["a"]}), PiperTts({"en": voices["b"]})
    await old.start()
    await new.start()
    return old, new, ModelSlot(old, "voice-a")


def test_calls_in_progress_finish_on_the_old_model(voices):
    async def run() -> None:
        old, new, slot = await _slot_and_next_voice(voices)
        async with slot.lease() as during_call:
            assert during_call is old
            await slot.swap(new, "voice-b")  # reload while the call talks
            assert slot.calls_on_old_models() == 1
            assert await speak(during_call) > 0  # the call keeps its model
            async with slot.lease() as next_call:
                assert next_call is new and slot.model_id == "voice-b"
        # The last call on the old model ended: it was closed, the new one serves.
        with pytest.raises(TtsError):
            await speak(old)
        assert await speak(slot.engine) > 0
        assert slot.calls_on_old_models() == 0 and slot.swaps == 1
        await new.close()

    asyncio.run(run())


def test_swap_with_no_call_closes_the_old_model_at_once(voices):
    async def run() -> None:
        old, new, slot = await _slot_and_next_voice(voices)
        await slot.swap(new, "voice-b")
        with pytest.raises(TtsError):
            await speak(old)
        await new.close()

    asyncio.run(run())
