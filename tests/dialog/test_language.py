"""A caller in a language the site does not speak is told so in that language and reaches a person."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from appliance.dialog.actions import CallerTurn, Say, Transfer
from appliance.dialog.language import identify
from appliance.speech.tts.espeak import EspeakTts
from tests.dialog.conftest import Call

MakeCall = Callable[..., Call]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hola necesito una cita con el doctor", "es"),
        ("¿Hola?", "es"),
        ("no hablo inglés", "es"),
        ("bonjour je voudrais un rendez-vous", "fr"),
        ("Ich brauche bitte einen Termin", "de"),
        ("мне нужен врач", "ru"),
        ("我需要预约医生", "zh"),
        ("أحتاج إلى موعد", "ar"),
    ],
)
def test_other_languages_are_identified(text: str, code: str) -> None:
    found = identify(text)
    assert found is not None and found.code == code


@pytest.mark.parametrize(
    "text",
    ["my name is Maria Gonzalez", "hi this is Aisha Rahman", "no", "si", "the first one",
     "I'd like to see Doctor Alvarez", "do you take aetna", ""],
)  # fmt: skip
def test_english_and_short_answers_are_not_taken_for_another_language(text: str) -> None:
    assert identify(text) is None


def test_spanish_caller_hears_spanish_and_reaches_the_interpreter_line(make_call: MakeCall) -> None:
    call = make_call()
    out = call.turn("hola, necesito una cita para mi hija por favor")
    says = [a for a in out if isinstance(a, Say)]
    assert says and says[0].language == "es" and "persona" in says[0].text and "911" in says[0].text
    assert "didn't catch" not in " ".join(s.text for s in says)
    transfer = out[-1]
    assert isinstance(transfer, Transfer) and transfer.to == "2000"
    assert transfer.reason == "language:es" and transfer.summary["language"] == "es"
    assert "interpreter" in transfer.summary["request"]


def test_the_recognizers_language_counts_when_no_english_word_contradicts_it(make_call: MakeCall) -> None:
    call = make_call()

    async def run() -> list[Any]:
        turn = CallerTurn(text="quisiera hablar con alguien", language="es")
        return [a async for a in call.engine.handle(turn)]

    out = asyncio.run(run())
    assert isinstance(out[-1], Transfer) and out[-1].summary["language"] == "es"
    english = make_call()

    async def run_english() -> list[Any]:
        turn = CallerTurn(text="I need an appointment", language="cy")
        return [a async for a in english.engine.handle(turn)]

    assert not any(isinstance(a, Transfer) for a in asyncio.run(run_english()))


def test_only_the_first_turn_decides_the_language(make_call: MakeCall) -> None:
    call = make_call()
    call.turn("I'd like to book an appointment")
    out = call.turn("con el doctor Patel por favor")
    assert not any(isinstance(a, Transfer) and a.reason.startswith("language:") for a in out)


def test_an_emergency_in_another_language_goes_to_the_nurse_line(make_call: MakeCall, semantic: Any) -> None:
    call = make_call(semantic=semantic)
    out = call.turn("mi esposo tiene un dolor muy fuerte en el pecho y no puede respirar")
    assert isinstance(out[0], Say) and out[0].language == "es" and "911" in out[0].text
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100" and out[-1].summary["language"] == "es"


def test_espeak_speaks_another_language_with_its_voice() -> None:
    tts = EspeakTts()

    async def run(language: str | None) -> bytes:
        await tts.start()
        audio = tts.synthesize("Una persona le va a ayudar.", 16000, language=language)
        return b"".join([c async for c in audio])

    spanish, default = asyncio.run(run("es")), asyncio.run(run(None))
    assert len(spanish) > 3200 and len(default) > 3200 and spanish != default
