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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
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
    barge_in_ms: int = Field(200, ge=60, le=2000, description="caller speech that interrupts playback")
    vad_threshold: float = Field(0.5, gt=0.0, lt=1.0)
    no_input_timeout_ms: int = Field(7000, ge=1000, le=60000, description="silence before a reprompt")
    max_turn_ms: int = Field(30000, ge=2000, le=120000, description="longest caller turn before it is cut")
    tool_filler_ms: int = Field(300, ge=0, le=5000, description="tool time before the agent says a filler")
    tool_timeout_ms: int = Field(5000, ge=100, le=60000)


class SpeechSettings(Section):
    asr: str = "pocketsphinx"
    tts: str = "espeak-ng"
    voice: str = "en-us"
    words_per_minute: int = Field(175, ge=80, le=400)


class SiteSettings(Section):
    policy_dir: Path = REPO_ROOT / "policies" / "riverside"


class StoreSettings(Section):
    database_url: str = ""  # empty: SQLite in the data directory


class NetworkSettings(Section):
    site_networks: list[str] = Field(default_factory=list, description="CIDRs the box may talk to")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARDLINE_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = Field(default_factory=lambda: default_data_dir())
    call: CallSettings = Field(default_factory=CallSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    site: SiteSettings = Field(default_factory=SiteSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)

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


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
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
