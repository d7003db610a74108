"""Audit log: entries, stored Merkle nodes and signed checkpoints (branch "audit").

Revision ID: audit_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "audit_0001"
down_revision = "0001"
branch_labels = ("audit",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("log", sa.String(128), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("time", sa.String(24), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64)),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("leaf", sa.LargeBinary(32), nullable=False),
    )
    op.create_index("ix_audit_entries_log_time", "audit_entries", ["log", "time"])
    op.create_index("ix_audit_entries_log_call", "audit_entries", ["log", "call_id"])
    op.create_table(
        "audit_nodes",
        sa.Column("log", sa.String(128), primary_key=True),
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("log", sa.String(128), primary_key=True),
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("time", sa.String(24), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_nodes")
    op.drop_index("ix_audit_entries_log_call", "audit_entries")
    op.drop_index("ix_audit_entries_log_time", "audit_entries")
    op.drop_table("audit_entries")
