"""The figures pages: the dashboard (figures per intent with plots, live calls, intents switched to
people) and the same figures as JSON (`/api/figures`), for today or this week in the site's time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from appliance.ops.console.pages import Console
from appliance.ops.report import gather, plots
from appliance.ops.store import OpsIntentSwitch, OpsLiveCall, aware

PERIODS = {"today": "Today", "week": "This week"}
LIVE_STALE = timedelta(hours=4)  # a live row not updated for this long is a call that died unseen


class DashboardPages:
    def __init__(self, console: Console) -> None:
        self.c = console

    def _figures(self, request: Request) -> tuple[str, str | None, Any]:
        c = self.c
        q = c.query(
            request,
            {"period": c.one_of("period", tuple(PERIODS)), "intent": c.one_of("intent", c.cfg.intents)},
        )
        period = q.get("period", "today")
        now = c.cfg.now()
        local = now.astimezone(c.cfg.tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if period == "week":
            start -= timedelta(days=local.weekday())
        return (
            period,
            q.get("intent"),
            gather(c.cfg.sessions, now - start, now, c.cfg.tz, q.get("intent")),
        )

    def dashboard(self, request: Request) -> Response:
        self.c.need(request, "figures")
        period, intent, g = self._figures(request)
        return self.c.page(
            "dashboard.html",
            request,
            f=g.figures,
            plots=plots(g),
            live=self._live(),
            off=self._off(),
            period_title=PERIODS[period],
            intent=intent,
        )

    def api_figures(self, request: Request) -> Response:
        user = self.c.user_of(request)
        if user is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        period, _intent, g = self._figures(request)
        return JSONResponse({"period": period, **g.to_dict(), "off": self._off()})

    def _live(self) -> list[dict[str, Any]]:
        now = self.c.cfg.now()
        with self.c.cfg.sessions() as db:
            rows = db.scalars(select(OpsLiveCall).order_by(OpsLiveCall.started_at)).all()
        out = []
        for r in rows:
            if now - aware(r.updated_at) > LIVE_STALE:
                continue
            secs = int((now - aware(r.started_at)).total_seconds())
            out.append(
                {
                    "call_id": r.call_id,
                    "intent": r.intent,
                    "state": r.state,
                    "duration": f"{secs // 60}:{secs % 60:02d}",
                }
            )
        return out

    def _off(self) -> dict[str, str]:
        with self.c.cfg.sessions() as db:
            rows = db.scalars(select(OpsIntentSwitch).where(OpsIntentSwitch.enabled.is_(False))).all()
        return {r.intent: r.reason for r in rows}
