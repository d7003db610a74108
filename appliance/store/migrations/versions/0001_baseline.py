"""Baseline: calls, the one table every concern refers to.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("transport", sa.String(16), nullable=False),
        sa.Column("flow", sa.String(64)),
        sa.Column("outcome", sa.String(32)),
        sa.Column("transfer_to", sa.String(32)),
        sa.Column("recording", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_table("calls")
