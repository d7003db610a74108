"""Audit log heads: one row per log holding its size, the lock every writer takes to append.

Revision ID: audit_0002
Revises: audit_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "audit_0002"
down_revision = "audit_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column("log", sa.String(128), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO audit_heads (log, size) SELECT log, max(seq) + 1 FROM audit_entries GROUP BY log"
    )


def downgrade() -> None:
    op.drop_table("audit_heads")
