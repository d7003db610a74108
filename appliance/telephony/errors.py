"""Errors the telephony layer shows to users as they are (no pjsua2 import, so the CLI stays light)."""

from __future__ import annotations


class SipStartError(Exception):
    """The SIP agent could not start (a port in use, a bad certificate); the message says which."""
