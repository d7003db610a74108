"""The sd_notify protocol against a real datagram socket given as NOTIFY_SOCKET."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.config import Settings, load_settings
from appliance.service.journal import Journal
from appliance.service.notify import Notifier, Watchdog, format_status, watchdog_interval_s
from appliance.service.runner import ServiceContext, run_service


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2.0)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    yield sock
    sock.close()


def received(sock: socket.socket) -> list[dict[str, str]]:
    """Every datagram waiting on the socket, parsed into KEY=VALUE dicts."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536).decode()
            out.append(dict(line.split("=", 1) for line in data.splitlines()))
    except BlockingIOError:
        pass
    finally:
        sock.setblocking(True)
    return out


def collect(sock: socket.socket, into: list[dict[str, str]]) -> list[dict[str, str]]:
    """Move the datagrams waiting on the socket to the end of `into`; return `into`."""
    into += received(sock)
    return into


def test_ready_and_status_reach_the_socket(notify_socket: socket.socket) -> None:
    n = Notifier()
    assert n.ready("0 active calls; models: none")
    assert n.status("1 active call; models: asr=pocketsphinx")
    assert received(notify_socket) == [
        {"READY": "1", "STATUS": "0 active calls; models: none"},
        {"STATUS": "1 active call; models: asr=pocketsphinx"},
    ]


def test_abstract_socket_address(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"wardline-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2.0)
    try:
        monkeypatch.setenv("NOTIFY_SOCKET", f"@{name}")  # sd_notify(3): '@' is the abstract namespace
        assert Notifier().watchdog()
        assert sock.recv(1024) == b"WATCHDOG=1"
    finally:
        sock.close()


def test_without_notify_socket_nothing_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not Notifier().enabled
    assert Notifier().ready("x") is False


def test_watchdog_interval_is_half_of_watchdog_sec() -> None:
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 15.0
    assert watchdog_interval_s({}) is None


async def _until(condition) -> None:  # type: ignore[no-untyped-def]
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), 30)  # a safety net: each wait is over in milliseconds


def test_watchdog_pings_while_healthy_and_stops_when_not(notify_socket: socket.socket) -> None:
    healthy = True
    asked: list[bool] = []

    def health() -> bool:
        asked.append(healthy)
        return healthy

    async def scenario() -> int:
        dog = Watchdog(Notifier(), 0.01, healthy=health)
        dog.start()
        await _until(lambda: len(asked) >= 3)  # three rounds of the watchdog
        await dog.stop()
        return dog.pings

    assert asyncio.run(scenario()) == len(asked) >= 3  # a ping for every healthy round
    assert received(notify_socket) == [{"WATCHDOG": "1"}] * len(asked)
    healthy = False
    asked.clear()
    assert asyncio.run(scenario()) == 0  # three unhealthy rounds, and not one ping
    assert received(notify_socket) == []


def test_status_text() -> None:
    assert format_status(1, ["llm=qwen2.5-7b"]) == "1 active call; models: llm=qwen2.5-7b"
    assert format_status(0, []) == "0 active calls; models: none"


def _journal(tmp_path: Path) -> Journal:
    return Journal(journald=False, fallback=open(os.devnull, "w"))


def test_service_life_cycle(
    notify_socket: socket.socket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """READY once up, STATUS on change, WATCHDOG pings, STOPPING on SIGTERM; exit code 0."""
    monkeypatch.setenv("WATCHDOG_USEC", "40000")  # 20 ms pings

    messages: list[dict[str, str]] = []

    async def main(ctx: ServiceContext) -> None:
        await asyncio.sleep(0.01)  # SIP, models, storage coming up
        ctx.ready(models=["asr=pocketsphinx", "tts=espeak-ng"])
        ctx.update_status(active_calls=2)
        await _until(lambda: {"WATCHDOG": "1"} in collect(notify_socket, messages))
        os.kill(os.getpid(), 15)
        await asyncio.wait_for(ctx.stopping.wait(), 30)

    code = asyncio.run(run_service(Settings(), main, journal=_journal(tmp_path)))
    assert code == 0
    messages += received(notify_socket)
    ready = messages.index(
        {"READY": "1", "STATUS": "0 active calls; models: asr=pocketsphinx, tts=espeak-ng"}
    )
    assert messages[ready + 1] == {"STATUS": "2 active calls; models: asr=pocketsphinx, tts=espeak-ng"}
    assert {"WATCHDOG": "1"} in messages
    assert messages[-1]["STOPPING"] == "1"


def test_sighup_reloads_without_stopping_and_refuses_a_broken_config(
    notify_socket: socket.socket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text("[call]\nendpoint_ms = 300\n")
    seen: list[int] = []
    messages: list[dict[str, str]] = []

    async def main(ctx: ServiceContext) -> None:
        ctx.on_reload(lambda s: seen.append(s.call.endpoint_ms))
        ctx.ready(models=["m1"], active_calls=1)
        config.write_text("[call]\nendpoint_ms = 400\n")
        os.kill(os.getpid(), 1)
        await _until(lambda: ctx.reloads == 1)
        config.write_text("[call]\nendpoint_ms = 5\n")  # out of range: refused
        os.kill(os.getpid(), 1)
        # A refused reload, too, ends with READY=1: the third one (start, reload, refusal).
        await _until(lambda: sum(m.get("READY") == "1" for m in collect(notify_socket, messages)) == 3)
        assert not ctx.stopping.is_set()
        assert ctx.settings.call.endpoint_ms == 400
        assert ctx.reloads == 1

    code = asyncio.run(
        run_service(
            load_settings(config), main, journal=_journal(tmp_path), loader=lambda: load_settings(config)
        )
    )
    assert code == 0
    assert seen == [400]
    messages += received(notify_socket)
    assert sum(1 for m in messages if "RELOADING" in m) == 2
    # after each reload (done or refused) systemd hears READY=1 again with the unchanged call count
    assert [m for m in messages if m.get("READY")][-1]["STATUS"] == "1 active call; models: m1"


def test_a_crash_in_the_main_loop_exits_1(notify_socket: socket.socket, tmp_path: Path) -> None:
    async def main(ctx: ServiceContext) -> None:
        raise RuntimeError("engine died")

    assert asyncio.run(run_service(Settings(), main, journal=_journal(tmp_path))) == 1
    assert any(m.get("STATUS") == "failed: RuntimeError" for m in received(notify_socket))


def test_active_calls_are_tracked_into_status(notify_socket: socket.socket, tmp_path: Path) -> None:
    calls = [0]
    polled: list[int] = []

    def count() -> int:
        polled.append(calls[0])
        return calls[0]

    async def main(ctx: ServiceContext) -> None:
        ctx.ready(models=["m1"])
        ctx.track_active_calls(count, interval_s=0.01)
        await _until(lambda: polled)  # the tracker has seen no calls
        calls[0] = 3
        await _until(lambda: ctx.active_calls == 3)  # ...and then three, on its own

    assert asyncio.run(run_service(Settings(), main, journal=_journal(tmp_path))) == 0
    assert {"STATUS": "3 active calls; models: m1"} in received(notify_socket)


def test_a_start_error_written_for_people_reaches_the_journal_and_status(
    notify_socket: socket.socket, tmp_path: Path
) -> None:
    """The CLI hands the service its one error table: a key error names its file in the journal."""
    import appliance.cli.main  # noqa: F401  (fills the CLI's error table)
    from appliance.cli.errors import user_message
    from appliance.privacy.kek import KekError

    reason = f"{tmp_path}/keys/kek: no key-encryption key; create one with `wardline keys init`"

    async def main(ctx: ServiceContext) -> None:
        raise KekError(reason)

    log = tmp_path / "journal.txt"
    with log.open("w") as stream:
        journal = Journal(journald=False, fallback=stream)
        assert asyncio.run(run_service(Settings(), main, journal=journal, explain=user_message)) == 1
    assert f"Wardline cannot start: {reason}" in log.read_text()
    assert {"STATUS": f"failed: {reason}"} in received(notify_socket)
