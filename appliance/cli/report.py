"""`wardline report`, `wardline console`, `wardline intents …` and `wardline users …`: the figures,
the operations console, automatic fallback's switch, and the console's users."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json, table
from appliance.ops.auditing import AuditUnavailable
from appliance.ops.fallback import UnknownIntent
from appliance.ops.report import ReportError
from appliance.ops.users import ROLES, UserError

for _cls, _code in ((ReportError, 2), (UserError, 2), (UnknownIntent, 2), (AuditUnavailable, 3)):
    errors.USER_ERRORS.setdefault(_cls, _code)

intents_app = typer.Typer(help="Automatic fallback: which intents the agent takes.", no_args_is_help=True)
users_app = typer.Typer(help="Users of the operations console.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("console")(console_cmd)
    app.add_typer(intents_app, name="intents")
    app.add_typer(users_app, name="users")


def _context() -> tuple[Any, Any, Any]:
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site
    from appliance.store.db import open_database

    settings = load_settings()
    _, sessions = open_database(settings.database_url)
    return settings, sessions, load_site(Path(settings.site.policy_dir))


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def report(
    since: Annotated[str, typer.Option("--since", help="The period: 24h, 7d, 2w.")] = "7d",
    intent: Annotated[str | None, typer.Option("--intent", help="Only this intent (flow).")] = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a self-contained HTML report.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Containment, handle time, transfers, latency and satisfaction per intent."""
    from zoneinfo import ZoneInfo

    from appliance.ops.fallback import IntentSwitch
    from appliance.ops.report import gather, html_report, period, print_report, write_html

    span = period(since)
    _, sessions, site = _context()
    if intent is not None and intent not in (*site.flows, "none"):
        raise UnknownIntent(
            f"--intent {intent!r}: not a flow of the site pack ({', '.join(sorted(site.flows))})"
        )
    now = datetime.now(UTC)
    g = gather(sessions, span, now, ZoneInfo(site.site.time_zone), intent)
    off = IntentSwitch(sessions, lambda: now).off()
    if html is not None:
        write_html(html, html_report(g, off, now, site.site.name))
    if json:
        emit_json({**g.to_dict(), "off": off})
        return
    print_report(g, console, off)
    if html is not None:
        console.print(f"HTML report written to {html}", highlight=False)


def console_cmd(
    address: Annotated[
        str | None, typer.Option("--address", help="Bind address (default [ops] console_address).")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=1, max=65535, help="Port ([ops] console_port).")
    ] = None,
) -> None:
    """Serve the operations console (log in with a user from `wardline users add`)."""
    from appliance.config import load_settings
    from appliance.ops.console.app import serve

    settings = load_settings()
    where = f"http://{address or settings.ops.console_address}:{port or settings.ops.console_port}/"
    console.print(f"console at {where} (Ctrl-C stops it)", highlight=False)
    serve(settings, address, port)


# -- intents ------------------------------------------------------------------------------------
def _switch(intent: str, enabled: bool, reason: str) -> None:
    from appliance.ops.auditing import OpsAudit
    from appliance.ops.fallback import IntentSwitch

    settings, sessions, site = _context()
    if intent not in site.flows:
        raise UnknownIntent(f"{intent!r} is not a flow of the site pack ({', '.join(sorted(site.flows))})")
    actor = _actor()
    kind = "intent-enabled" if enabled else "intent-fallback"
    # Recorded first: a change the audit log cannot hold is not made.
    OpsAudit(settings).record(kind, actor, {"intent": intent, "reason": reason})
    IntentSwitch(sessions, lambda: datetime.now(UTC)).set(intent, enabled, reason, actor)


@intents_app.command("list")
def intents_list(json: JsonOption = False) -> None:
    """Every intent: taken by the agent, or sent to people and why."""
    from appliance.ops.fallback import IntentSwitch

    _, sessions, site = _context()
    states = {s.intent: s for s in IntentSwitch(sessions, lambda: datetime.now(UTC)).states()}
    rows = []
    for name in sorted(site.flows):
        s = states.get(name)
        on = s is None or s.enabled
        rows.append(
            {
                "intent": name,
                "agent": on,
                "reason": "" if on or s is None else s.reason,
                "changed_at": s.changed_at.isoformat() if s else "",
                "changed_by": s.changed_by if s else "",
            }
        )
    if json:
        emit_json(rows)
        return
    table(
        "Intents",
        ["intent", "handled by", "why", "changed"],
        [
            [
                r["intent"],
                "agent" if r["agent"] else "PEOPLE",
                r["reason"] or "-",
                f"{r['changed_at'][:16]} {r['changed_by']}".strip() or "-",
            ]
            for r in rows
        ],
    )


@intents_app.command("enable")
def intents_enable(
    intent: Annotated[str, typer.Argument(help="The intent (flow) to give back to the agent.")],
) -> None:
    """Turn an intent back on after automatic fallback (recorded in the audit log)."""
    _switch(intent, True, "turned back on by a supervisor")
    console.print(
        f"{intent}: the agent takes these calls again; targets are judged afresh from now", highlight=False
    )


@intents_app.command("disable")
def intents_disable(
    intent: Annotated[str, typer.Argument(help="The intent (flow) to send to people.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why (shown in the console).")
    ] = "turned off by a supervisor",
) -> None:
    """Send an intent's calls to people by hand (recorded in the audit log)."""
    _switch(intent, False, reason[:200])
    console.print(f"{intent}: new calls go to people", highlight=False)


# -- users --------------------------------------------------------------------------------------
def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


RoleOption = Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")]
StdinOption = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: RoleOption = "viewer",
    password_stdin: StdinOption = False,
) -> None:
    """Add a console user; the password is stored as an argon2id hash."""
    from appliance.ops.users import add_user, check_name

    check_name(name)
    if role not in ROLES:
        raise UserError(f"role {role!r}: use one of {', '.join(ROLES)}")
    _, sessions, _ = _context()
    user = add_user(sessions, name, role, _password(password_stdin))
    console.print(f"user {user.name} added ({user.role})", highlight=False)


@users_app.command("passwd")
def users_passwd(name: Annotated[str, typer.Argument()], password_stdin: StdinOption = False) -> None:
    """Set a user's password."""
    from appliance.ops.users import set_password

    _, sessions, _ = _context()
    set_password(sessions, name, _password(password_stdin))
    console.print(f"password of {name} changed", highlight=False)


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument()]) -> None:
    """Remove a console user."""
    from appliance.ops.users import remove_user

    _, sessions, _ = _context()
    remove_user(sessions, name)
    console.print(f"user {name} removed", highlight=False)


@users_app.command("list")
def users_list(json: JsonOption = False) -> None:
    """Console users and their roles."""
    from appliance.ops.users import list_users

    _, sessions, _ = _context()
    users = list_users(sessions)
    if json:
        emit_json([u.__dict__ for u in users])
        return
    table("Console users", ["name", "role"], [[u.name, u.role] for u in users])
