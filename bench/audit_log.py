"""Audit log benchmark: appends per second, full verification time, inclusion proof size and speed.

    .venv/bin/python bench/audit_log.py [--appends 200000] [--entries 1000000] [--batch 1024]
                                        [--writers 4] [--calls 500]

Prints figures; never passes or fails on time. Goals from the issue: >= 10,000 appends/s with
batched commits (the 2009 Crosby-Wallach history tree did 1,750/s per core), full verification
of 1,000,000 entries in <= 60 s, inclusion proofs <= 32*ceil(log2 n) bytes. Several writers
(issue 18): N processes append calls of 12 entries to one log, each call ending in a signed
checkpoint as in the service, and the result must verify.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.audit import merkle, note, verify
from appliance.audit.bundle import export_bundle
from appliance.audit.log import AuditLog, NodeReader

ORIGIN = "wardline.bench"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=7)
        return self.now


def _payload(i: int) -> tuple[str, str, dict[str, object]]:
    call = f"call-{i // 12:07d}"
    if i % 12 == 0:
        return "call-started", call, {"t_ms": 0.0, "transport": "sip", "sample_rate_hz": 8000}
    if i % 12 == 11:
        return "call-ended", call, {"t_ms": 90000.0, "outcome": "contained", "reason": ""}
    return "tool-call", call, {"t_ms": 1000.0 * (i % 12), "tool": "find_slots", "status": "ok", "ok": True}


def fill(log: AuditLog, count: int, checkpoint_every: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) to append `count` entries."""
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        kind, call, payload = _payload(i)
        log.append(kind, "agent", call, payload)
        if checkpoint_every and (i + 1) % checkpoint_every == 0:
            log.checkpoint()
    log.checkpoint()
    return time.perf_counter() - start, time.process_time() - cpu


def _rate(count: int, wall: float, cpu: float) -> str:
    # On a shared box the wall figure depends on the neighbours; CPU seconds do not.
    return f"{count / wall:,.0f} per second wall, {count / cpu:,.0f} per CPU-second"


def bench_appends(work: Path, count: int, batch: int) -> None:
    log = AuditLog.open(
        f"sqlite:///{work / 'appends.db'}",
        key_dir=work / "keys",
        origin=ORIGIN,
        clock=Clock(),
        batch_size=batch,
    )
    wall, cpu = fill(log, count, checkpoint_every=0)
    log.close()
    print(
        f"appends: {count:,} entries in {wall:.1f} s: {_rate(count, wall, cpu)} "
        f"(SQLite WAL, batches of {batch}, one checkpoint at the end)"
    )


def bench_verify(work: Path, count: int, batch: int) -> None:
    url = f"sqlite:///{work / 'big.db'}"
    log = AuditLog.open(
        url, key_dir=work / "keys", origin=ORIGIN, clock=Clock(), batch_size=batch, background=False
    )
    wall, cpu = fill(log, count, checkpoint_every=max(count // 100, 1))
    print(
        f"built a log of {count:,} entries (checkpoint every {max(count // 100, 1):,}) in {wall:.1f} s: "
        f"{_rate(count, wall, cpu)}"
    )
    start = time.perf_counter()
    export_bundle(log.engine, log.keys, ORIGIN, work / "bundle")
    print(
        f"export: {time.perf_counter() - start:.1f} s, "
        f"{sum(f.stat().st_size for f in (work / 'bundle').iterdir() if f.is_file()) / 1e6:.0f} MB"
    )
    start, cpu = time.perf_counter(), time.process_time()
    report = verify.verify_bundle(work / "bundle", work / "keys" / "trusted-keys.txt")
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"full verification: {report.entries:,} entries, {report.checkpoints} checkpoints, "
        f"status {report.status}, {took:.1f} s wall, {cpu:.1f} CPU-seconds"
    )

    nodes = NodeReader(log.engine, ORIGIN)
    size = log.size
    cp = note.parse_checkpoint(note.parse_note(log.checkpoint()).body)
    indices = [(i * 7919) % size for i in range(1000)]
    proofs = [(i, merkle.inclusion_proof(i, size, nodes), nodes(0, i)) for i in indices]
    longest = max(len(p) for _, p, _ in proofs) * merkle.HASH_SIZE
    bound = merkle.HASH_SIZE * math.ceil(math.log2(size))
    start = time.perf_counter()
    for i, proof, leaf in proofs:
        merkle.verify_inclusion(i, size, leaf, proof, cp.root)
    per = (time.perf_counter() - start) / len(proofs)
    print(
        f"inclusion proof at n={size:,}: at most {longest} bytes (bound 32*ceil(log2 n) = {bound}), "
        f"verifying one takes {per * 1e6:.0f} µs"
    )
    log.close()


WRITER = """
import sys
sys.path.insert(0, sys.argv[5])
from bench.audit_log import ORIGIN, _payload
from appliance.audit.log import AuditLog

url, keys, name, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
log = AuditLog.open(url, key_dir=keys, origin=ORIGIN)
for i in range(calls * 12):
    kind, call, payload = _payload(i)
    log.append(kind, name, f"{name}-{call}", payload)
    if kind == "call-ended":
        log.checkpoint()
log.close()
"""


def bench_writers(work: Path, writers: int, calls: int) -> None:
    url = f"sqlite:///{work / 'writers.db'}"
    AuditLog.open(url, key_dir=work / "keys", origin=ORIGIN, background=False).close()
    root = str(Path(__file__).resolve().parent.parent)
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(work / "keys"), f"w{n}", str(calls), root])
        for n in range(writers)
    ]
    failed = sum(p.wait() != 0 for p in procs)
    wall = time.perf_counter() - start
    log = AuditLog.open(url, key_dir=work / "keys", origin=ORIGIN, background=False)
    export_bundle(log.engine, log.keys, ORIGIN, work / "writers-bundle")
    report = verify.verify_bundle(work / "writers-bundle", work / "keys" / "trusted-keys.txt")
    total = writers * calls * 12
    print(
        f"several writers: {writers} processes x {calls} calls (12 entries and a checkpoint each) = "
        f"{total:,} entries in {wall:.1f} s wall ({total / wall:,.0f} entries/s, "
        f"{writers * calls / wall:,.0f} calls/s, including process start); tree size {report.tree_size:,}, "
        f"{report.checkpoints} checkpoints, status {report.status}, {failed} writers failed"
    )
    log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--appends", type=int, default=200_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, "
        f"Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="wardline-audit-bench-") as tmp:
        work = Path(tmp)
        bench_appends(work, args.appends, args.batch)
        bench_writers(work, args.writers, args.calls)
        bench_verify(work, args.entries, args.batch)


if __name__ == "__main__":
    main()
