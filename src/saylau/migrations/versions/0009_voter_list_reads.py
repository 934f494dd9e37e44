"""the record of every voter-list read: who was handed which PEC's list, in what form, when

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voter_list_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("pec_id", sa.Integer(), nullable=False),
        sa.Column("reader", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_voter_list_read_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pec_id"], ["unit.id"], name=op.f("fk_voter_list_read_pec_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter_list_read")),
    )
    with op.batch_alter_table("voter_list_read", schema=None) as batch_op:
        batch_op.create_index("ix_voter_list_read_pec", ["election_id", "pec_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("voter_list_read", schema=None) as batch_op:
        batch_op.drop_index("ix_voter_list_read_pec")

    op.drop_table("voter_list_read")
