"""The operations tables (migration ops_0001): one row per finished call, its tool calls and turn
latencies, the calls in progress, handoff opens, intent switches and console users. No PHI:
ids, intent names, codes, times and a salted caller reference only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from appliance.store.db import Base


class OpsCall(Base):
    __tablename__ = "ops_calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    transport: Mapped[str] = mapped_column(String(16), default="")
    intent: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # contained | transferred | abandoned | ended
    end_reason: Mapped[str] = mapped_column(String(64), default="")
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer_reason: Mapped[str | None] = mapped_column(String(64))
    transfer_to: Mapped[str | None] = mapped_column(String(32))
    handoff_id: Mapped[str | None] = mapped_column(String(64))
    summary_delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    handle_ms: Mapped[float] = mapped_column(Float)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    barge_ins: Mapped[int] = mapped_column(Integer, default=0)
    barge_ins_recovered: Mapped[int] = mapped_column(Integer, default=0)
    red_flags: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    caller_ref: Mapped[str | None] = mapped_column(String(64))
    satisfaction: Mapped[int | None] = mapped_column(SmallInteger)


class OpsToolCall(Base):
    __tablename__ = "ops_tool_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(64))
    tool: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    latency_ms: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OpsTurnLatency(Base):
    __tablename__ = "ops_turn_latency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    voice_to_voice_ms: Mapped[float] = mapped_column(Float)
    endpoint_ms: Mapped[float] = mapped_column(Float)
    asr_ms: Mapped[float] = mapped_column(Float)
    dialog_ms: Mapped[float] = mapped_column(Float)
    tts_ms: Mapped[float] = mapped_column(Float)


class OpsLiveCall(Base):
    __tablename__ = "ops_live_calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    box: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    intent: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OpsHandoffOpen(Base):
    __tablename__ = "ops_handoff_opens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_by: Mapped[str] = mapped_column(String(64))


class OpsIntentSwitch(Base):
    __tablename__ = "ops_intent_switch"

    intent: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(256), default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by: Mapped[str] = mapped_column(String(64))


class OpsUser(Base):
    __tablename__ = "ops_users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def aware(when: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    from datetime import UTC

    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
