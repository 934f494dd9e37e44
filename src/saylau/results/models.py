"""Tables of the results context: protocols, their versions and values, and decisions."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from saylau.store.base import Base


class Decision(Base):
    """A commission's recorded decision; the only thing that can change an accepted protocol."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    body_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int] = mapped_column(Integer)


class Protocol(Base):
    """A PEC's results protocol; `current_number` points at the version in force."""

    __tablename__ = "protocol"
    __table_args__ = (UniqueConstraint("election_id", "pec_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    current_number: Mapped[int] = mapped_column(SmallInteger)


class ProtocolVersion(Base):
    """One version of a protocol: number 1 is the accepted original, later ones amendments.

    Versions are never updated or deleted: the history keeps every one.
    `flags` lists the explain-relations the version breaks, with their explanations (JSON).
    """

    __tablename__ = "protocol_version"
    __table_args__ = (UniqueConstraint("protocol_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocol.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(SmallInteger)
    entered_by: Mapped[str] = mapped_column(String(200))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    explanations: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))


class ProtocolValue(Base):
    """The value of one protocol line in one version, keyed by the line's number on the form."""

    __tablename__ = "protocol_value"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("protocol_version.id", ondelete="CASCADE"), primary_key=True
    )
    line_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
