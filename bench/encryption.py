"""Encryption benchmark: how fast call audio is sealed and opened by the encrypted store.

    .venv/bin/python bench/encryption.py [--mb 64]

Prints MB/s (CPU time of this one process) for the STREAM layer alone (AES-256-GCM, 64 KiB
chunks, in memory) and for the object store end to end (data key, wrap, file, fsync, index row),
and what that means in concurrent telephone calls: one call's recording is 8 kHz 16-bit mono,
16 000 bytes per second. Figures only; bench/ never passes or fails.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.privacy import crypto  # noqa: E402
from appliance.privacy.kek import create_kek  # noqa: E402
from appliance.privacy.store import open_store  # noqa: E402

CALL_BYTES_PER_S = 8000 * 2
FRAME = 320  # one 20 ms frame of 8 kHz 16-bit audio: how the recorder writes


def _audio(size: int) -> bytes:
    # Not silence: a repeating pseudo-random pattern, so nothing compresses or short-cuts.
    block = bytes((i * 2654435761 >> 13) & 0xFF for i in range(1 << 16))
    return (block * (size // len(block) + 1))[:size]


def _cpu(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    fn()
    return time.process_time() - start


def bench_stream(data: bytes) -> tuple[float, float]:
    key = crypto.new_data_key()
    sink = io.BytesIO()

    def seal() -> None:
        w = crypto.StreamWriter(sink, key)
        w.write(data)
        w.close()

    enc = _cpu(seal)
    blob = sink.getvalue()
    dec = _cpu(lambda: sum(len(c) for c in crypto.decrypt_stream(key, io.BytesIO(blob))))
    return len(data) / enc / 1e6, len(data) / dec / 1e6


def bench_frames(data: bytes) -> float:
    key = crypto.new_data_key()
    frames = [data[i : i + FRAME] for i in range(0, min(len(data), 16 << 20), FRAME)]

    def seal() -> None:
        w = crypto.StreamWriter(io.BytesIO(), key)
        for f in frames:
            w.write(f)
        w.close()

    return sum(map(len, frames)) / _cpu(seal) / 1e6


def bench_store(data: bytes, objects: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        create_kek(Path(tmp))
        store = open_store(Path(tmp))
        each = data[: len(data) // objects]
        ids: list[str] = []
        enc = _cpu(lambda: ids.extend(store.put("recording", each, call_id=f"c{i}") for i in range(objects)))
        dec = _cpu(lambda: [store.read(i) for i in ids])
        return len(each) * objects / enc / 1e6, len(each) * objects / dec / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=64, help="megabytes of audio to push through")
    args = parser.parse_args()
    data = _audio(args.mb << 20)
    enc, dec = bench_stream(data)
    frames = bench_frames(data)
    s_enc, s_dec = bench_store(data, objects=16)
    print(f"audio: {args.mb} MiB, AES-256-GCM STREAM, 64 KiB chunks; MB/s of CPU time, one core")
    print(f"  STREAM in memory     seal {enc:8.1f} MB/s   open {dec:8.1f} MB/s")
    print(f"  20 ms frame writes   seal {frames:8.1f} MB/s   (320-byte writes, as the recorder does)")
    print(f"  object store         seal {s_enc:8.1f} MB/s   open {s_dec:8.1f} MB/s   (16 objects, fsync)")
    calls = min(enc, frames, s_enc) * 1e6 / CALL_BYTES_PER_S
    print(f"  ≈ {calls:,.0f} concurrent 8 kHz calls' recordings per core at the slowest of these rates")


if __name__ == "__main__":
    main()
