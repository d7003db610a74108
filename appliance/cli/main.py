"""The `wardline` command: a root that only wires the command groups together."""

from __future__ import annotations

import sys

import typer

from appliance.cli import errors
from appliance.config import ConfigError
from appliance.yamlsource import YamlError


def _user_errors() -> None:
    """Errors whose message is fit to show as is: the one table, in one place."""
    from appliance.audit.signing import KeyFileError
    from appliance.call.services import AuditUnavailable
    from appliance.knowledge.index import KnowledgeError
    from appliance.privacy.kek import KekError
    from appliance.registry.engines import ModelNotActive
    from appliance.sim.voices import CallerVoiceError
    from appliance.store.db import StoreUnavailable
    from appliance.tools.sitedata import SiteDataError

    for cls in (
        ConfigError,
        YamlError,
        SiteDataError,
        KnowledgeError,
        ModelNotActive,
        KeyFileError,
        StoreUnavailable,
        AuditUnavailable,
        CallerVoiceError,
    ):
        errors.USER_ERRORS.setdefault(cls, 2)
    errors.USER_ERRORS.setdefault(KekError, 3)  # as `wardline data` has always exited for it


_user_errors()

app = typer.Typer(
    name="wardline",
    help="Wardline: an on-prem voice agent appliance for regulated sites.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
)


@app.callback()
def main() -> None:
    """Wardline: an on-prem voice agent appliance for regulated sites."""


@app.command()
def version() -> None:
    """Print the installed version."""
    from appliance import __version__

    print(__version__)


def _wire() -> None:
    # Each group lives in its own module and exports `app` (a group) or `register(app)` (commands).
    import importlib

    for name in (
        "simulate",
        "demo",
        "policy",
        "serve",
        "status",
        "frontdoor",
        "engines",
        "llm",
        "models",
        "audit",
        "keys",
        "data",
        "redact",
        "handoff",
        "doctor",
        "report",
        "evaluate",
    ):
        try:
            module = importlib.import_module(f"appliance.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"appliance.cli.{name}":
                continue  # that group is not built yet
            raise
        module.register(app)


_wire()


def run() -> None:
    # Typer handles usage errors itself (exit 2); everything else meets the error table.
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:
        sys.exit(errors.report(exc))


if __name__ == "__main__":  # `python -m appliance.cli.main`: how `wardline serve` starts its workers
    run()
