"""Which model answers which role, and how long it may take.

Roles: `command` (propose dialog commands for a turn), `answer` (a grounded answer from site
documents) and `summary` (the handoff summary). A route names the engine for a role, optionally
for one flow only, and the deadline to the first usable result; a small fast model serves the
routine turns, a larger one the summaries and escalations. Past the deadline the caller of
`pick` falls back (the rule NLU answers that turn), so a slow model never leaves a caller in
silence. Pure data and lookups: nothing here computes or blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from appliance.llm.base import LlmEngine

LlmRole = Literal["command", "answer", "summary"]
ROLES: tuple[str, ...] = ("command", "answer", "summary")


class RouteError(ValueError):
    """A route table that names an unknown role or engine."""


@dataclass(frozen=True)
class Route:
    role: LlmRole
    engine: str  # a key of the router's engines
    flow: str | None = None  # None: every flow
    deadline_ms: int | None = None  # None: the router's default for the role


@dataclass(frozen=True)
class Choice:
    engine_name: str
    engine: LlmEngine
    deadline_s: float


DEFAULT_DEADLINES_MS: Mapping[str, int] = {"command": 700, "answer": 1500, "summary": 4000}


class ModelRouter:
    def __init__(
        self,
        engines: Mapping[str, LlmEngine],
        routes: Sequence[Route],
        *,
        deadlines_ms: Mapping[str, int] | None = None,
    ) -> None:
        self.engines = dict(engines)
        self.deadlines_ms = {**DEFAULT_DEADLINES_MS, **(deadlines_ms or {})}
        for r in routes:
            if r.role not in ROLES:
                raise RouteError(f"route for {r.role!r}: unknown role (roles: {', '.join(ROLES)})")
            if r.engine not in self.engines:
                raise RouteError(f"route for {r.role!r}: no engine named {r.engine!r}")
        # Flow-specific routes first, so they win over the catch-all for their role.
        self.routes = sorted(routes, key=lambda r: r.flow is None)

    def pick(self, role: str, flow: str | None = None) -> Choice | None:
        """The engine and deadline for `role` in `flow`; None when no route serves it."""
        for r in self.routes:
            if r.role == role and (r.flow is None or r.flow == flow):
                ms = r.deadline_ms if r.deadline_ms is not None else self.deadlines_ms[role]
                return Choice(r.engine, self.engines[r.engine], ms / 1000.0)
        return None

    def replace_engine(self, name: str, engine: LlmEngine) -> LlmEngine:
        """Swap one engine (a model activation); returns the old one for the caller to close."""
        if name not in self.engines:
            raise RouteError(f"no engine named {name!r}")
        old = self.engines[name]
        self.engines[name] = engine
        return old
