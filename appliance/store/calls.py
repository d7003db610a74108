"""The calls table: one row per call, no PHI (ids, times, flow, outcome)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from appliance.store.db import Base


class CallRecord(Base):
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transport: Mapped[str] = mapped_column(String(16))
    flow: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(32))
    transfer_to: Mapped[str | None] = mapped_column(String(32))
    recording: Mapped[bool] = mapped_column(Boolean, default=True)
