"""The exported bundle of a simulated day: it verifies untouched, and every tampering is caught."""

from __future__ import annotations

import json
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from appliance.audit import note, verify
from appliance.audit.bundle import export_bundle
from appliance.audit.entries import canonical_json, parse_canonical
from appliance.audit.signing import Signer
from tests.audit.conftest import ORIGIN, Day, FakeClock, open_log, simulate_day

DATA = verify.DATA_FILES


def _check(files: dict[str, bytes], **kw: str) -> verify.Report:
    return verify.verify_files(files, **kw)


def _lines(data: bytes) -> list[bytes]:
    return data[:-1].split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


def test_untouched_bundle_verifies(day: Day) -> None:
    report = verify.verify_bundle(day.bundle, trusted_keys=day.key_dir / "trusted-keys.txt")
    assert report.status == "verified", report.failure
    assert report.exit_code == 0
    assert report.entries == report.tree_size > 150
    assert report.checkpoints == len({n.split("\n")[1] for n in day.checkpoints})
    assert len(report.keys) == 2  # the day rotated its key once
    assert any("consistency" in c for c in report.checks)


def test_report_names_the_first_bad_entry(day_files: dict[str, bytes]) -> None:
    lines = _lines(day_files[verify.ENTRIES])
    entry = parse_canonical(lines[40])
    entry["payload"]["status"] = "refused"
    lines[40] = canonical_json(entry)
    report = _check({**day_files, verify.ENTRIES: _join(lines)})
    assert report.exit_code == verify.TAMPERED
    assert report.failure is not None
    assert report.failure["entry"] <= 40 <= report.failure["last_entry"]
    assert report.failure["last_entry"] - report.failure["entry"] < 20  # within one call's entries
    assert "do not hash to the signed checkpoint" in report.failure["reason"]
    assert "first bad entry among" in verify.render(report)
    # a broken entry is named exactly
    lines[40] = lines[40].replace(b'"seq":40', b'"seq":41')
    report = _check({**day_files, verify.ENTRIES: _join(lines)})
    assert (
        report.failure is not None and report.failure["entry"] == 40 and report.failure["last_entry"] is None
    )
    assert "sequence number" in report.failure["reason"]
    assert "first bad entry: 40" in verify.render(report)


def _flip_campaign(files: dict[str, bytes], positions: list[tuple[str, int]], seed: int) -> list[str]:
    rng = random.Random(seed)
    missed = []
    for name, pos in positions:
        mutated = bytearray(files[name])
        mutated[pos] ^= rng.randrange(1, 256)
        report = _check({**files, name: bytes(mutated)})
        if report.exit_code == verify.VERIFIED:
            missed.append(f"{name}@{pos}")
    return missed


def _random_positions(files: dict[str, bytes], count: int, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    names = list(DATA)
    weights = [len(files[n]) for n in names]
    out = []
    for _ in range(count):
        name = rng.choices(names, weights)[0]
        out.append((name, rng.randrange(len(files[name]))))
    return out


def test_random_byte_flips_are_all_detected(day_files: dict[str, bytes]) -> None:
    # Every small file completely, plus a random sample of the rest; the slow test does 20,000.
    positions = [(n, i) for n in (verify.MANIFEST, verify.KEYS) for i in range(len(day_files[n]))]
    positions += _random_positions(day_files, 800, seed=7)
    assert _flip_campaign(day_files, positions, seed=7) == []


def _campaign_chunk(args: tuple[dict[str, bytes], list[tuple[str, int]], int]) -> list[str]:
    return _flip_campaign(*args)


@pytest.mark.slow
@pytest.mark.timeout(900)  # about 70 s on an idle 2-core box; far longer on a crowded one
def test_twenty_thousand_byte_flips_are_all_detected(day_files: dict[str, bytes]) -> None:
    positions = _random_positions(day_files, 20_000, seed=11)
    chunks = [(day_files, positions[i::2], 11 + i) for i in range(2)]
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        missed = [m for chunk in pool.map(_campaign_chunk, chunks) for m in chunk]
    assert missed == []


def test_deleted_duplicated_reordered_entries_are_detected(day_files: dict[str, bytes]) -> None:
    lines = _lines(day_files[verify.ENTRIES])
    rng = random.Random(3)
    mutations = []
    for i in [*rng.sample(range(len(lines)), 12), 0, len(lines) - 1]:
        mutations.append(lines[:i] + lines[i + 1 :])  # delete
        mutations.append(lines[: i + 1] + lines[i:])  # duplicate
        j = min(i + 1, len(lines) - 1)
        if j != i:
            swapped = list(lines)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            mutations.append(swapped)  # reorder
    mutations.append(list(reversed(lines)))
    for m in mutations:
        assert _check({**day_files, verify.ENTRIES: _join(m)}).exit_code == verify.TAMPERED


def test_truncation_is_detected(day_files: dict[str, bytes]) -> None:
    for name in (verify.ENTRIES, verify.CHECKPOINTS, verify.PROOFS):
        data = day_files[name]
        for cut in (0, 1, len(data) // 3, len(data) // 2, len(data) - 1):
            report = _check({**day_files, name: data[:cut]})
            assert report.exit_code != verify.VERIFIED, (name, cut)
    # A consistent truncation (drop the last checkpoint and its entries) is caught by the manifest,
    # and by the auditor's earlier checkpoint even if the manifest is rewritten to match.
    cps = _lines(day_files[verify.CHECKPOINTS])
    last = json.loads(cps[-1])["note"]
    prev_body = note.parse_checkpoint(note.parse_note(json.loads(cps[-2])["note"]).body)
    short = {
        **day_files,
        verify.CHECKPOINTS: _join(cps[:-1]),
        verify.ENTRIES: _join(_lines(day_files[verify.ENTRIES])[: prev_body.size]),
    }
    manifest = parse_canonical(day_files[verify.MANIFEST])
    manifest.update(tree_size=prev_body.size, checkpoints=len(cps) - 1)
    proofs = parse_canonical(day_files[verify.PROOFS])
    proofs["consistency"] = proofs["consistency"][:-1]
    proofs["inclusion"] = proofs["inclusion"][:-1]
    short[verify.MANIFEST] = canonical_json(manifest)
    short[verify.PROOFS] = canonical_json(proofs)
    assert _check(short).exit_code == verify.VERIFIED  # a shorter log is a valid log on its own ...
    report = _check(short, previous_checkpoint=last)  # ... but not after the auditor saw a longer one
    assert report.exit_code == verify.TAMPERED
    assert "truncated or rolled back" in report.failure["reason"]


def test_an_older_checkpoint_swapped_in_is_detected(day_files: dict[str, bytes]) -> None:
    cps = _lines(day_files[verify.CHECKPOINTS])
    for i in (0, len(cps) // 2, len(cps) - 2):
        swapped = list(cps)
        swapped[-1] = cps[i]
        assert _check({**day_files, verify.CHECKPOINTS: _join(swapped)}).exit_code == verify.TAMPERED
        swapped = list(cps)
        swapped[i + 1] = cps[i]
        assert _check({**day_files, verify.CHECKPOINTS: _join(swapped)}).exit_code == verify.TAMPERED


def _resign(files: dict[str, bytes], index: int, signer: Signer) -> dict[str, bytes]:
    cps = _lines(files[verify.CHECKPOINTS])
    signed = note.parse_note(json.loads(cps[index])["note"])
    cps[index] = canonical_json({"note": note.format_note(signed.body, [signer.sign(signed.body)])})
    return {**files, verify.CHECKPOINTS: _join(cps)}


def test_a_checkpoint_signed_by_an_unknown_key_is_detected(day_files: dict[str, bytes]) -> None:
    stranger = Signer.generate(ORIGIN)
    report = _check(_resign(day_files, -1, stranger))
    assert report.exit_code == verify.TAMPERED
    assert "unknown key" in report.failure["reason"]
    # Even with the stranger's key added to the bundle's own key list, the auditor's file catches it.
    keys = note.parse_trusted_keys(day_files[verify.KEYS].decode(), strict=True)
    forged_keys = [*keys[:-1], note.TrustedKey(keys[-1].key, keys[-1].first_size, 10**6)]
    forged_keys.append(note.TrustedKey(stranger.verifier_key, 10**6, None))
    forged = _resign(day_files, -1, stranger)
    forged[verify.KEYS] = note.format_trusted_keys(forged_keys, header=False).encode()
    honest = note.format_trusted_keys(keys)
    assert _check(forged, trusted_keys=honest).exit_code == verify.TAMPERED


def test_a_leaked_old_key_cannot_sign_beyond_its_window(tmp_path: Path) -> None:
    clock = FakeClock()
    log = open_log(tmp_path, clock)
    old = Signer.decode((tmp_path / "keys" / "audit-signing.key").read_text(), "old key")
    simulate_day(log, clock, calls=4, rotate_after=1)
    export_bundle(log.engine, log.keys, ORIGIN, tmp_path / "b")
    log.close()
    files = verify.read_bundle(tmp_path / "b")
    assert _check(files).exit_code == verify.VERIFIED
    report = _check(_resign(files, -1, old))
    assert report.exit_code == verify.TAMPERED
    assert "outside its window" in report.failure["reason"]


def test_rewritten_history_is_detected_with_the_earlier_checkpoint(tmp_path: Path) -> None:
    # An insider holding the signing key rebuilds the log with a different history and re-signs it.
    honest_dir, forged_dir = tmp_path / "honest", tmp_path / "forged"
    honest_dir.mkdir()
    forged_dir.mkdir()
    clock = FakeClock()
    honest = open_log(honest_dir, clock)
    earlier = simulate_day(honest, clock, calls=6, rotate_after=None)[3]
    honest.close()
    (forged_dir / "keys").symlink_to(honest_dir / "keys")
    clock = FakeClock()
    forged = open_log(forged_dir, clock)
    forged.append("config-changed", "cli:insider", None, {"key": "disclosure"})
    simulate_day(forged, clock, calls=6, rotate_after=None)
    export_bundle(forged.engine, forged.keys, ORIGIN, tmp_path / "bundle")
    forged.close()
    assert verify.verify_bundle(tmp_path / "bundle").exit_code == verify.VERIFIED  # self-consistent ...
    held = tmp_path / "earlier.txt"
    held.write_text(earlier)
    report = verify.verify_bundle(tmp_path / "bundle", previous_checkpoint=held)
    assert report.exit_code == verify.TAMPERED  # ... but it does not extend what the auditor saw
    assert "rewritten" in report.failure["reason"]


def test_since_checkpoint_bundle_extends_the_earlier_one(day: Day, tmp_path: Path) -> None:
    earlier = day.checkpoints[5]
    held = tmp_path / "held.txt"
    held.write_text(earlier)
    part = tmp_path / "part"
    export_bundle(day.log.engine, day.log.keys, ORIGIN, part, since_checkpoint=earlier)
    size = int(earlier.split("\n")[1])
    report = verify.verify_bundle(
        part, trusted_keys=day.key_dir / "trusted-keys.txt", previous_checkpoint=held
    )
    assert report.status == "verified", report.failure
    assert report.first_index == size and report.entries == report.tree_size - size
    assert any("extends your earlier checkpoint" in c for c in report.checks)
    # The partial bundle's base is bound to the held checkpoint.
    files = verify.read_bundle(part)
    proofs = parse_canonical(files[verify.PROOFS])
    proofs["base"]["frontier"][0] = proofs["base"]["frontier"][-1]
    if len(proofs["base"]["frontier"]) > 1:
        assert _check({**files, verify.PROOFS: canonical_json(proofs)}).exit_code == verify.TAMPERED


def test_bad_input_is_unusable_with_a_clear_reason(day: Day, tmp_path: Path) -> None:
    assert verify.verify_bundle(tmp_path / "nowhere").exit_code == verify.UNUSABLE
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / verify.MANIFEST).write_bytes((day.bundle / verify.MANIFEST).read_bytes())
    report = verify.verify_bundle(partial)
    assert report.exit_code == verify.UNUSABLE and "missing" in report.failure["reason"]
    garbage = tmp_path / "keys.txt"
    garbage.write_text("not a key\n")
    report = verify.verify_bundle(day.bundle, trusted_keys=garbage)
    assert report.exit_code == verify.UNUSABLE and "trusted keys" in report.failure["reason"]
    report = verify.verify_bundle(day.bundle, trusted_keys=tmp_path / "absent.txt")
    assert report.exit_code == verify.UNUSABLE
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(
        note.format_trusted_keys([note.TrustedKey(Signer.generate(ORIGIN).verifier_key, 0, None)])
    )
    assert verify.verify_bundle(day.bundle, trusted_keys=wrong).exit_code == verify.TAMPERED
    prev = tmp_path / "prev.txt"
    prev.write_bytes(b"\xff\xfe garbage")
    assert verify.verify_bundle(day.bundle, previous_checkpoint=prev).exit_code == verify.UNUSABLE
