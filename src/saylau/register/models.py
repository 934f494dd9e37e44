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
    Float,
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

    status: active | excluded | absentee (holds an unused absentee voting certificate, so is on
    no list) | superseded (a review found the same person's other record). exclusion: the
    profile's reason code when excluded (counted per reason for publication; recommendation 13
    asks that no exclusion be blanket), or which record supersedes this one. pec_id: the PEC
    whose list the voter is on, assigned by address (for an absentee, the home PEC).
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

    kind: station | mobile | supplementary (the voter was added to this PEC's list on the day)
    | avc (the voter came with an absentee voting certificate) | new (a person not on any list,
    registered on the day). client_id: the operator's device's key for this check-in, so a retry
    after a lost answer gets the same answer instead of "already voted". device_id and
    offline_at: set when the check-in was made offline and uploaded from a signed queue.
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
    device_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_device.id"))
    offline_at: Mapped[str | None] = mapped_column(String(40))


class RegisterChange(Base):
    """One change to a voter's place on the lists, as a permanent record.

    kind: transfer (the voter applied to vote where they are; removed from the home list) |
    avc_issued (an absentee voting certificate; the voter leaves the home list) | avc_used (the
    certificate was retained at a PEC and the voter added to its list) | mobile_request (a
    written application to vote at home) | supplementary (added to a PEC's list on election
    day) | registered_on_day (a person on no list at all, registered on election day).
    applied_on is the date the application bears, which the profile's deadlines are checked
    against; recorded_at is when saylau recorded it. Rows are never updated or deleted.
    """

    __tablename__ = "register_change"
    __table_args__ = (Index("ix_register_change_voter", "election_id", "voter_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voter.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    from_pec_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    to_pec_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    applied_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))


class AbsenteeCertificate(Base):
    """An absentee voting certificate (AVC): usable once, at any PEC.

    Observers saw AVCs not retained (9%) and AVC voters not added to the list (8%): here a
    certificate is used by the check-in itself, which marks it used where and when, and puts the
    voter on that PEC's list. One certificate per voter per election.
    """

    __tablename__ = "absentee_certificate"
    __table_args__ = (
        UniqueConstraint("election_id", "number"),
        UniqueConstraint("election_id", "voter_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(16))
    voter_id: Mapped[int] = mapped_column(ForeignKey("voter.id", ondelete="CASCADE"))
    home_pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    issued_on: Mapped[date] = mapped_column(Date)
    used_pec_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    used_at: Mapped[str | None] = mapped_column(String(40))


class SupplementarySite(Base):
    """A PEC the CEC designated for election-day registration (report section IX: 4,053 PECs
    for voters with proof of residence, 181 more for people not registered at all).

    scope: residents | unregistered (the latter also admits residents).
    """

    __tablename__ = "supplementary_site"
    __table_args__ = (UniqueConstraint("election_id", "pec_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(16))


class CheckinDevice(Base):
    """A PEC's device allowed to check voters in offline: its Ed25519 public key.

    Entries it queued while disconnected are accepted on upload only with a valid signature by
    this key, each naming the hash of the one before, so an offline queue cannot be forged or
    edited after the fact. uploaded_seq and uploaded_head are the last entry accepted: a later
    upload must extend that same chain, never rewrite it.
    """

    __tablename__ = "checkin_device"
    __table_args__ = (UniqueConstraint("election_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40))
    uploaded_seq: Mapped[int] = mapped_column(Integer, default=0)
    uploaded_head: Mapped[str | None] = mapped_column(String(64))


class CheckinConflict(Base):
    """An offline check-in that the central register would have refused, found on upload.

    Above all the same voter given a ballot at two PECs (reason already_voted, with the earlier
    ballot), but also a voter not on this PEC's list, excluded or unknown: the PEC was offline
    and the ballot was physically given. Nothing of it is dropped: it is kept here for the
    commissions, with both PECs and times. status: open | resolved; resolution says what the
    commission decided.
    """

    __tablename__ = "checkin_conflict"
    __table_args__ = (
        UniqueConstraint("election_id", "client_id"),
        Index("ix_checkin_conflict_status", "election_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    iin: Mapped[str] = mapped_column(String(32))
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("voter.id", ondelete="CASCADE"))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    device_id: Mapped[int] = mapped_column(ForeignKey("checkin_device.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    offline_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    earlier_ballot_id: Mapped[int | None] = mapped_column(
        ForeignKey("ballot_issue.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16))
    resolution: Mapped[str | None] = mapped_column(String(500))
    resolved_by: Mapped[str | None] = mapped_column(String(200))


class DuplicatePair(Base):
    """Two register records that may be one person, waiting for a commission's decision.

    Found by probabilistic record linkage (Splink); never merged automatically. status:
    pending | same_person | different_people. voter_a_id < voter_b_id, so a pair is stored once.
    """

    __tablename__ = "duplicate_pair"
    __table_args__ = (
        UniqueConstraint("election_id", "voter_a_id", "voter_b_id"),
        Index("ix_duplicate_pair_status", "election_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    voter_a_id: Mapped[int] = mapped_column(ForeignKey("voter.id", ondelete="CASCADE"))
    voter_b_id: Mapped[int] = mapped_column(ForeignKey("voter.id", ondelete="CASCADE"))
    probability: Mapped[float] = mapped_column(Float)
    found_at: Mapped[str] = mapped_column(String(40))
    run: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(500))


class VoterListRead(Base):
    """One read of a PEC's voter list: who was handed which list's personal data, and when.

    A voter list holds names, IINs, dates of birth and addresses, so who saw whose data must be
    answerable after the fact. The row is written in the transaction that serves the list: a
    list is never handed out without it. reader: the API user's name, or "cli:" and the
    operating-system user for the command line; role: the API user's role, or "cli". form: json
    | pdf; lang: the PDF's language (null for JSON). first and rows: the offset of the first
    entry handed out and how many were (a JSON page; for a PDF every voter printed, from 0).
    Rows are never updated or deleted.
    """

    __tablename__ = "voter_list_read"
    __table_args__ = (Index("ix_voter_list_read_pec", "election_id", "pec_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    pec_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    reader: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    form: Mapped[str] = mapped_column(String(8))
    lang: Mapped[str | None] = mapped_column(String(8))
    first: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[str] = mapped_column(String(40))
