"""The operations console: a small local web app (Starlette, Jinja2 templates, inline SVG plots)."""

from appliance.ops.console.app import (
    ConsoleConfig,
    console_config,
    create_app,
    serve,
    serve_in_thread,
)
from appliance.ops.console.handoffs import record_open

__all__ = ["ConsoleConfig", "console_config", "create_app", "record_open", "serve", "serve_in_thread"]
