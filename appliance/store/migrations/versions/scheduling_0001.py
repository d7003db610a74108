"""Scheduling: patients, guardians, providers, appointments, tasks.

Revision ID: sched_0001
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "sched_0001"
down_revision = "0001"
branch_labels = ("scheduling",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date, nullable=False),
        sa.Column("mrn", sa.String(32), nullable=False, unique=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("is_minor", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("referrals", sa.JSON, nullable=False),
    )
    op.create_table(
        "guardians",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "patient_id", sa.String(32), sa.ForeignKey("patients.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("relationship", sa.String(32), nullable=False),
    )
    op.create_index("ix_guardians_patient_id", "guardians", ["patient_id"])
    op.create_table(
        "providers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("days", sa.String(64), nullable=False),
        sa.Column("slot_minutes", sa.Integer, nullable=False),
    )
    op.create_index("ix_providers_department", "providers", ["department"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("patient_id", sa.String(32), sa.ForeignKey("patients.id"), nullable=False),
        sa.Column("provider_id", sa.String(32), sa.ForeignKey("providers.id"), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_appointments_patient_id", "appointments", ["patient_id"])
    op.create_index(
        "ux_appointments_provider_start_booked",
        "appointments",
        ["provider_id", "start_at"],
        unique=True,
        sqlite_where=sa.text("status = 'booked'"),
        postgresql_where=sa.text("status = 'booked'"),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("patient_id", sa.String(32), sa.ForeignKey("patients.id")),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tasks_patient_id", "tasks", ["patient_id"])


def downgrade() -> None:
    op.drop_table("tasks")
    op.drop_index("ux_appointments_provider_start_booked", table_name="appointments")
    op.drop_table("appointments")
    op.drop_table("providers")
    op.drop_table("guardians")
    op.drop_table("patients")
