"""Tables of the register context: voters and the ballots issued to them.

The central guarantee (report section IX: election-day registration was checked against multiple
voting through a central portal in only some 40% of stations) is a constraint, not a procedure:
`ballot_issue` has one row per voter per election, enforced by a UNIQUE constraint, so two PECs
checking in the same person at the same instant cannot both succeed, whatever the number of API
workers, on SQLite and on PostgreSQL alike. A ballot issue is never updated or deleted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from saylau.store.base import Base


class Voter(Base):
    """One person on the register of one election.

    status: active | excluded. exclusion: the profile's reason code when excluded (counted per
    reason for publication; recommendation 13 asks that no exclusion be blanket). pec_id: the
    PEC whose list the voter is on, assigned by address.
    """

    __tablename__ = "voter"
    __table_args__ = (
        UniqueConstraint("election_id", "iin"),
        Index("ix_voter_pec_id", "pec_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    iin: Mapped[str] = mapped_column(String(12))
    family_name: Mapped[str] = mapped_column(String(100))
    given_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    exclusion: Mapped[str | None] = mapped_column(String(64))


class BallotIssue(Base):
    """A ballot given to a voter at a PEC: the check-in record.

    kind: station | mobile | supplementary (the voter was added to this PEC's list on the day).
    client_id: the operator's device's key for this check-in, so a retry after a lost answer
    gets the same answer instead of "already voted".
    """

    __tablename__ = "ballot_issue"
    __table_args__ = (
        UniqueConstraint("election_id", "voter_id"),
        UniqueConstraint("election_id", "client_id"),
        Index("ix_ballot_issue_pec_id", "pec_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voter.id", ondelete="CASCADE"))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[str] = mapped_column(String(40))
    operator: Mapped[str] = mapped_column(String(200))
    client_id: Mapped[str] = mapped_column(String(64))
