"""Operations: per-call figures, tool calls, turn latencies, live calls, intent switches, console users.

No PHI in any of these tables: ids, intent names, times, outcomes, codes and a salted caller
reference (HMAC) for first-contact resolution.

Revision ID: ops_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "ops_0001"
down_revision = "0001"
branch_labels = ("ops",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ops_calls",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transport", sa.String(16), nullable=False, server_default=""),
        sa.Column("intent", sa.String(64), nullable=False, index=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("end_reason", sa.String(64), nullable=False, server_default=""),
        sa.Column("assisted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("transfer_reason", sa.String(64)),
        sa.Column("transfer_to", sa.String(32)),
        sa.Column("handoff_id", sa.String(64), index=True),
        sa.Column("summary_delivered", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("handle_ms", sa.Float, nullable=False),
        sa.Column("turns", sa.Integer, nullable=False, server_default="0"),
        sa.Column("barge_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("barge_ins_recovered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("red_flags", sa.Integer, nullable=False, server_default="0"),
        sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fallback", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("caller_ref", sa.String(64), index=True),
        sa.Column("satisfaction", sa.SmallInteger),
    )
    op.create_table(
        "ops_tool_calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), nullable=False, index=True),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("tool", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "ops_turn_latency",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), nullable=False, index=True),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("voice_to_voice_ms", sa.Float, nullable=False),
        sa.Column("endpoint_ms", sa.Float, nullable=False),
        sa.Column("asr_ms", sa.Float, nullable=False),
        sa.Column("dialog_ms", sa.Float, nullable=False),
        sa.Column("tts_ms", sa.Float, nullable=False),
    )
    op.create_table(
        "ops_live_calls",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("box", sa.String(128), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False, server_default=""),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "ops_handoff_opens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("handoff_id", sa.String(64), nullable=False, index=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "ops_intent_switch",
        sa.Column("intent", sa.String(64), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("reason", sa.String(256), nullable=False, server_default=""),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "ops_users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "ops_users",
        "ops_intent_switch",
        "ops_handoff_opens",
        "ops_live_calls",
        "ops_turn_latency",
        "ops_tool_calls",
        "ops_calls",
    ):
        op.drop_table(table)
