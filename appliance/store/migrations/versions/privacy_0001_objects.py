"""Privacy: the encrypted object store's index (wrapped data keys and metadata, no PHI).

Revision ID: privacy_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "privacy_0001"
down_revision = "0001"
branch_labels = ("privacy",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_objects",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("call_id", sa.String(64), index=True),
        sa.Column("data_class", sa.String(32), nullable=False, index=True),
        sa.Column("name", sa.String(64), nullable=False, server_default=""),
        sa.Column("media_type", sa.String(64), nullable=False, server_default="application/octet-stream"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary),
        sa.Column("kek_id", sa.String(16)),
        sa.Column("plaintext_bytes", sa.BigInteger),
        sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("shredded_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("privacy_objects")
