"""One table maps exception types to what the user reads; tracebacks only with WARDLINE_DEBUG=1.

Messages never include local variables (typer's pretty_exceptions_show_locals is off), so no
caller data can reach a terminal or the journal through an error.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from appliance.cli.output import err_console

# exception type -> exit code; the exception's own message is the user's message.
USER_ERRORS: dict[type[BaseException], int] = {}


def user_error(exit_code: int = 2) -> Callable[[type[BaseException]], type[BaseException]]:
    """Register an exception type whose message is fit to show a user as is."""

    def deco(cls: type[BaseException]) -> type[BaseException]:
        USER_ERRORS[cls] = exit_code
        return cls

    return deco


def exit_code_for(exc: BaseException) -> int | None:
    for cls in type(exc).__mro__:
        if cls in USER_ERRORS:
            return USER_ERRORS[cls]
    return None


def user_message(exc: BaseException) -> str:
    """The message of an error written for people, else "" (what the service journals)."""
    return str(exc) if exit_code_for(exc) is not None else ""


def report(exc: BaseException) -> int:
    code = exit_code_for(exc)
    if code is None:
        if os.environ.get("WARDLINE_DEBUG") == "1":
            raise exc
        err_console.print(
            f"[red]error:[/red] unexpected {type(exc).__name__}; run with WARDLINE_DEBUG=1 for details"
        )
        return 70
    from rich.text import Text

    err_console.print(Text("error: ", style="red") + Text(str(exc)), highlight=False)
    return code
