"""baresip (Debian's `baresip`, 1.0.0 on Debian 12) as the far end: a real softphone calling
the agent, the way the issue 18 defects were found.

`baresip_call` writes a private config (no sound card: a WAV file as the microphone, another as
the speaker), dials the target, and returns baresip's SIP trace (-s) when it quits after
`seconds`. Tests skip, naming the reason, only where baresip is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.audio import synthesize_caller
from tests.telephony.harness import write_wav


def require_baresip() -> str:
    found = shutil.which("baresip")
    if found is None:
        pytest.skip("baresip is not installed (scripts/setup installs it: apt-get install baresip)")
    return found


def baresip_call(
    target: str,
    local_port: int,
    tmp: Path,
    *,
    seconds: float = 8,
    transport: str = "udp",
    commands: tuple[str, ...] = (),
) -> str:
    """Dial `target` from 127.0.0.1:`local_port`; return the SIP trace and log once baresip quits."""
    exe = require_baresip()
    home = tmp / f"baresip-{local_port}"
    home.mkdir(parents=True, exist_ok=True)
    mic = write_wav(home / "mic.wav", synthesize_caller("hello I would like some help please", 8000), 8000)
    (home / "config").write_text(
        "\n".join(
            [
                "poll_method epoll",
                f"sip_listen 127.0.0.1:{local_port}",
                f"audio_source aufile,{mic}",
                f"audio_player aufile,{home / 'speaker.wav'}",
                f"audio_alert aufile,{home / 'alert.wav'}",
                "module_path /usr/lib/baresip/modules",
                "module g711.so",
                "module aufile.so",
                "module_app account.so",
                "module_app menu.so",
                "",
            ]
        )
    )
    (home / "accounts").write_text(f"<sip:caller@127.0.0.1;transport={transport}>;regint=0\n")
    args = [exe, "-f", str(home), "-s", "-t", str(int(seconds)), "-e", f"/dial {target}"]
    for command in commands:
        args += ["-e", command]
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=seconds + 20, stdin=subprocess.DEVNULL
    )
    return done.stdout + done.stderr


def operator_uas(port: int, tmp: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """sipp answering as the person at the transfer target; its message log shows their INVITE."""
    log = tmp / f"operator-{port}.log"
    proc = subprocess.Popen(
        ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-m", "1", "-nostdin",
         "-trace_msg", "-message_file", str(log), "-timeout", "30s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return proc, log
