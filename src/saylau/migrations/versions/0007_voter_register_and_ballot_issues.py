"""the voter register and the ballots issued at check-in (one per voter per election)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voter",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("iin", sa.String(length=12), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("given_names", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("pec_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("exclusion", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_voter_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pec_id"], ["unit.id"], name=op.f("fk_voter_pec_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voter")),
        sa.UniqueConstraint("election_id", "iin", name=op.f("uq_voter_election_id_iin")),
    )
    with op.batch_alter_table("voter", schema=None) as batch_op:
        batch_op.create_index("ix_voter_pec_id", ["pec_id"], unique=False)

    op.create_table(
        "ballot_issue",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pec_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.String(length=40), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_ballot_issue_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pec_id"], ["unit.id"], name=op.f("fk_ballot_issue_pec_id_unit"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
            name=op.f("fk_ballot_issue_voter_id_voter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_issue")),
        sa.UniqueConstraint(
            "election_id", "client_id", name=op.f("uq_ballot_issue_election_id_client_id")
        ),
        sa.UniqueConstraint(
            "election_id", "voter_id", name=op.f("uq_ballot_issue_election_id_voter_id")
        ),
    )
    with op.batch_alter_table("ballot_issue", schema=None) as batch_op:
        batch_op.create_index("ix_ballot_issue_pec_id", ["pec_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ballot_issue", schema=None) as batch_op:
        batch_op.drop_index("ix_ballot_issue_pec_id")

    op.drop_table("ballot_issue")
    with op.batch_alter_table("voter", schema=None) as batch_op:
        batch_op.drop_index("ix_voter_pec_id")

    op.drop_table("voter")
