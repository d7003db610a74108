"""The environment file the `wardline-vllm@.service` template reads: which model, which flags.

`wardline models activate` writes it for a vLLM model (atomically, keeping the old text so a
failed health check can put it back), then restarts the unit if a restart command is set.
The unit binds vLLM to 127.0.0.1; the port and served name come from here.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from appliance.config import Settings
from appliance.registry.errors import HealthCheckError
from appliance.registry.manifest import ModelManifest

INSTANCE = "llm"
DEFAULT_ARGS = ("--enable-prefix-caching", "--gpu-memory-utilization", "0.85")


def env_dir(settings: Settings) -> Path:
    return settings.models.vllm_env_dir or settings.data_dir / "models" / "vllm"


def env_path(settings: Settings, instance: str = INSTANCE) -> Path:
    return env_dir(settings) / f"{instance}.env"


def render_env(manifest: ModelManifest, model_dir: Path, port: int) -> str:
    args = list(DEFAULT_ARGS)
    for key, value in manifest.engine_args.items():
        flag = f"--{key.replace('_', '-')}"
        if value is True:
            args.append(flag)
        elif value not in (False, None):
            args.extend([flag, str(value)])
    if manifest.context_length and "max_model_len" not in manifest.engine_args:
        args.extend(["--max-model-len", str(manifest.context_length)])
    return (
        f"# written by `wardline models activate {manifest.id}`; do not edit by hand\n"
        f"WARDLINE_VLLM_MODEL={model_dir}\n"
        f"WARDLINE_VLLM_NAME={manifest.id}\n"
        f"WARDLINE_VLLM_PORT={port}\n"
        f"WARDLINE_VLLM_ARGS={shlex.join(args)}\n"
    )


def server_port(settings: Settings) -> int:
    return urlsplit(settings.llm.server_url).port or 8000


def write_env(settings: Settings, text: str, instance: str = INSTANCE) -> str | None:
    """Write the unit's env file atomically; returns the previous text (None if there was none)."""
    path = env_path(settings, instance)
    previous = path.read_text(encoding="utf-8") if path.is_file() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".env.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return previous


def restore_env(settings: Settings, previous: str | None, instance: str = INSTANCE) -> None:
    path = env_path(settings, instance)
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        write_env(settings, previous, instance)


def restart(settings: Settings, instance: str = INSTANCE) -> None:
    command = settings.models.vllm_restart_command.strip()
    if not command:
        return
    argv = shlex.split(command.format(instance=instance))
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise HealthCheckError(f"`{' '.join(argv)}` failed ({done.returncode}): {done.stderr.strip()[:200]}")


__all__ = ["env_path", "render_env", "restart", "restore_env", "write_env"]
