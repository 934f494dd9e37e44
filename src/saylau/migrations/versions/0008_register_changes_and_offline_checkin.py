"""register changes, absentee certificates, election-day registration sites, offline check-in
devices and their conflicts, and the duplicate review queue

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkin_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("pec_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("revoked_at", sa.String(length=40), nullable=True),
        sa.Column("uploaded_seq", sa.Integer(), nullable=False),
        sa.Column("uploaded_head", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_checkin_device_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pec_id"], ["unit.id"], name=op.f("fk_checkin_device_pec_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_device")),
        sa.UniqueConstraint("election_id", "name", name=op.f("uq_checkin_device_election_id_name")),
    )
    op.create_table(
        "supplementary_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("pec_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_supplementary_site_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pec_id"],
            ["unit.id"],
            name=op.f("fk_supplementary_site_pec_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplementary_site")),
        sa.UniqueConstraint(
            "election_id", "pec_id", name=op.f("uq_supplementary_site_election_id_pec_id")
        ),
    )
    op.create_table(
        "absentee_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("voter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("home_pec_id", sa.Integer(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("used_pec_id", sa.Integer(), nullable=True),
        sa.Column("used_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_absentee_certificate_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["home_pec_id"],
            ["unit.id"],
            name=op.f("fk_absentee_certificate_home_pec_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_pec_id"],
            ["unit.id"],
            name=op.f("fk_absentee_certificate_used_pec_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
            name=op.f("fk_absentee_certificate_voter_id_voter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absentee_certificate")),
        sa.UniqueConstraint(
            "election_id", "number", name=op.f("uq_absentee_certificate_election_id_number")
        ),
        sa.UniqueConstraint(
            "election_id", "voter_id", name=op.f("uq_absentee_certificate_election_id_voter_id")
        ),
    )
    op.create_table(
        "duplicate_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column(
            "voter_a_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "voter_b_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("found_at", sa.String(length=40), nullable=False),
        sa.Column("run", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_duplicate_pair_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_a_id"],
            ["voter.id"],
            name=op.f("fk_duplicate_pair_voter_a_id_voter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_b_id"],
            ["voter.id"],
            name=op.f("fk_duplicate_pair_voter_b_id_voter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicate_pair")),
        sa.UniqueConstraint(
            "election_id",
            "voter_a_id",
            "voter_b_id",
            name=op.f("uq_duplicate_pair_election_id_voter_a_id_voter_b_id"),
        ),
    )
    with op.batch_alter_table("duplicate_pair", schema=None) as batch_op:
        batch_op.create_index("ix_duplicate_pair_status", ["election_id", "status"], unique=False)

    op.create_table(
        "register_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_pec_id", sa.Integer(), nullable=True),
        sa.Column("to_pec_id", sa.Integer(), nullable=True),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_register_change_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_pec_id"],
            ["unit.id"],
            name=op.f("fk_register_change_from_pec_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_pec_id"],
            ["unit.id"],
            name=op.f("fk_register_change_to_pec_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
            name=op.f("fk_register_change_voter_id_voter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_change")),
    )
    with op.batch_alter_table("register_change", schema=None) as batch_op:
        batch_op.create_index("ix_register_change_voter", ["election_id", "voter_id"], unique=False)

    op.create_table(
        "checkin_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("iin", sa.String(length=32), nullable=False),
        sa.Column("voter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("pec_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("offline_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column(
            "earlier_ballot_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolution", sa.String(length=500), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["checkin_device.id"],
            name=op.f("fk_checkin_conflict_device_id_checkin_device"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["earlier_ballot_id"],
            ["ballot_issue.id"],
            name=op.f("fk_checkin_conflict_earlier_ballot_id_ballot_issue"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_checkin_conflict_election_id_election"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pec_id"],
            ["unit.id"],
            name=op.f("fk_checkin_conflict_pec_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"],
            ["voter.id"],
            name=op.f("fk_checkin_conflict_voter_id_voter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_conflict")),
        sa.UniqueConstraint(
            "election_id", "client_id", name=op.f("uq_checkin_conflict_election_id_client_id")
        ),
    )
    with op.batch_alter_table("checkin_conflict", schema=None) as batch_op:
        batch_op.create_index("ix_checkin_conflict_status", ["election_id", "status"], unique=False)
    with op.batch_alter_table("ballot_issue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("offline_at", sa.String(length=40), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_ballot_issue_device_id_checkin_device"),
            "checkin_device",
            ["device_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("ballot_issue", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_ballot_issue_device_id_checkin_device"), type_="foreignkey"
        )
        batch_op.drop_column("offline_at")
        batch_op.drop_column("device_id")

    with op.batch_alter_table("checkin_conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_conflict_status")

    op.drop_table("checkin_conflict")
    with op.batch_alter_table("register_change", schema=None) as batch_op:
        batch_op.drop_index("ix_register_change_voter")

    op.drop_table("register_change")
    with op.batch_alter_table("duplicate_pair", schema=None) as batch_op:
        batch_op.drop_index("ix_duplicate_pair_status")

    op.drop_table("duplicate_pair")
    op.drop_table("absentee_certificate")
    op.drop_table("supplementary_site")
    op.drop_table("checkin_device")
