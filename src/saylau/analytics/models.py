"""Tables of imported per-station results: the election as imported, its stations, their votes.

An imported election is not a saylau election (no commissions, no protocols to amend): it is a
published file, kept with the exact mapping that read it and both files' SHA-256, so anyone
holding the file can check what the analytics ran on. Stations are numbered in file order
(`station_index`) so the rows can be written without asking the database for generated keys,
which lets PostgreSQL's COPY load them. On SQLite the two bulk tables are WITHOUT ROWID: their
primary key is the table, not a second index beside it.
"""

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


class ImportedElectionRecord(Base):
    """One imported file. contestants, attributes: JSON lists of names, in stored order."""

    __tablename__ = "imported_election"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    mapping_yaml: Mapped[str] = mapped_column(Text)
    mapping_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    contestants: Mapped[str] = mapped_column(Text)
    attributes: Mapped[str] = mapped_column(Text)
    stations: Mapped[int] = mapped_column(Integer)
    rejected_rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int] = mapped_column(Integer)


class ImportedStation(Base):
    """One polling station's figures. A count the source left blank is NULL, never 0.

    row_number: the station's 1-based data row in the imported file, to trace it back.
    found: NULL also when the mapping names no ballots-found column. attributes: JSON object of
    the mapping's attributes, as strings.
    """

    __tablename__ = "imported_station"
    __table_args__ = (
        UniqueConstraint("election_id", "code"),
        {"sqlite_with_rowid": False},
    )

    election_id: Mapped[int] = mapped_column(
        ForeignKey("imported_election.id", ondelete="CASCADE"), primary_key=True
    )
    station_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    row_number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    district_name: Mapped[str | None] = mapped_column(String(200))
    registered: Mapped[int | None] = mapped_column(BigInteger)
    voters: Mapped[int | None] = mapped_column(BigInteger)
    invalid: Mapped[int | None] = mapped_column(BigInteger)
    found: Mapped[int | None] = mapped_column(BigInteger)
    valid: Mapped[int] = mapped_column(BigInteger)
    attributes: Mapped[str] = mapped_column(Text)


class ImportedVote(Base):
    """A contestant's valid votes at a station (contestant_index: order of the mapping).

    Deliberately without a foreign key to its station: PostgreSQL checks one with a trigger per
    row, which made COPY of 100,000 stations' 800,000 votes take 7 s instead of 1 s. Votes are
    written only by the importer, from the same checked rows and in the same transaction as
    their stations, keyed by the station's primary key.
    """

    __tablename__ = "imported_vote"
    __table_args__ = ({"sqlite_with_rowid": False},)

    election_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    contestant_index: Mapped[int] = mapped_column(
        SmallInteger, primary_key=True, autoincrement=False
    )
    votes: Mapped[int] = mapped_column(BigInteger)
