"""`wardline redact`: read text on stdin, print it with PHI replaced by [LABEL] markers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from appliance.cli import errors
from appliance.cli.output import JsonOption, emit_json

if TYPE_CHECKING:
    from appliance.privacy.redaction import SiteFacts


def redact_command(
    json: JsonOption = False,
    name: Annotated[
        list[str] | None,
        typer.Option("--name", help="A name to redact wherever it occurs (repeatable), e.g. the caller's."),
    ] = None,
    site_names: Annotated[
        bool,
        typer.Option("--site-names/--no-site-names", help="Also redact the names the site's records hold."),
    ] = True,
    site_facts: Annotated[
        bool,
        typer.Option(
            "--site-facts/--no-site-facts",
            help="Leave the site's own address, main line and extensions (its site pack) as said.",
        ),
    ] = True,
    learned: Annotated[
        bool,
        typer.Option(
            "--learned/--rules-only",
            help="Add the learned name and place models (tagger, spaCy) to the rules.",
        ),
    ] = True,
) -> None:
    """Redact stdin; with --json print {"redacted": …, "spans": [{"start", "end", "label"}]}."""
    from appliance.privacy import learned as learned_layer
    from appliance.privacy.redaction import redact

    known = list(name or [])
    if site_names:
        from appliance.config import load_settings
        from appliance.privacy.known_names import site_known_names

        known += site_known_names(load_settings().database_url)
    text = _text(sys.stdin.buffer.read())
    site = _public_facts() if site_facts else None
    model = None
    if learned and text.strip():
        if len(text) > LEARNED_MAX_CHARS:
            _warn(
                f"stdin: {len(text):,} characters, over {LEARNED_MAX_CHARS:,}: too much for the learned "
                "name layer; redacted by the rules alone (split the text to use it)"
            )
        else:
            model = learned_layer.shared_model()
            if model is None:
                _warn(learned_layer.status().detail)
    result = redact(text, known, model, tagged=learned, site=site)  # the tagger even when spaCy is off
    if json:
        emit_json(
            {
                "redacted": result.text,
                "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in result.spans],
            }
        )
    else:
        sys.stdout.write(result.text)
        sys.stdout.flush()


# The learned layer reads about 0.03 MB a second (bench/redaction.py): past this it takes over 7 s.
LEARNED_MAX_CHARS = 200_000


def _public_facts() -> SiteFacts | None:
    """The configured site pack's public facts; None (with a warning) when the pack does not load."""
    from appliance.config import load_settings
    from appliance.dialog.sitepack import SiteError, load_site

    try:
        return load_site(load_settings().site.policy_dir).public_facts()
    except SiteError as exc:
        _warn(f"the site pack did not load, so its address and numbers are redacted too: {exc}")
        return None


def _warn(message: str) -> None:
    sys.stderr.write(f"wardline redact: warning: {message}\n")


class NotText(ValueError):
    """Input that is not UTF-8 text: redaction would pass its bytes through unread."""


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText(
            f"stdin: byte {exc.start} is not UTF-8 text; wardline redact reads text only "
            "(extract the text first, e.g. with `wardline data show`)"
        ) from None
    if "\x00" in text:
        raise NotText(
            f"stdin: a NUL byte at offset {text.index(chr(0))}: binary input; wardline redact reads text only"
        )
    return text


def register(app: typer.Typer) -> None:
    errors.USER_ERRORS.setdefault(NotText, 2)
    app.command("redact")(redact_command)
