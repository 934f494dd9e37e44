"""Tables of the observation context: missions, observers, teams, deployments, forms and
submissions. Answers are stored as the observer sent them (JSON); findings are computed from
them, never stored, so adding or correcting a submission changes every figure at once."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saylau.store.base import Base


class Mission(Base):
    """An observation mission of one election: international (ODIHR) or citizen.

    `declared` holds the mission's own published figures about itself (observers by role,
    countries, share of women) as JSON, kept beside the records actually loaded.
    """

    __tablename__ = "mission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    declared: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[str] = mapped_column(String(40))


class Observer(Base):
    """A member of a mission. role: core | lto | sto | citizen."""

    __tablename__ = "observer"
    __table_args__ = (UniqueConstraint("mission_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16))
    function: Mapped[str | None] = mapped_column(String(100))
    accreditation: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))


class Team(Base):
    """Observers who travel together (STOs in pairs), with their area of responsibility."""

    __tablename__ = "observer_team"
    __table_args__ = (UniqueConstraint("mission_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    area: Mapped[str | None] = mapped_column(String(32))


class TeamMember(Base):
    __tablename__ = "observer_team_member"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("observer_team.id", ondelete="CASCADE"), primary_key=True
    )
    observer_id: Mapped[int] = mapped_column(
        ForeignKey("observer.id", ondelete="CASCADE"), primary_key=True
    )


class ChecklistForm(Base):
    """One version of a checklist, as imported from its XLSForm file.

    `sheets` keeps the file's survey, choices and settings rows (JSON), so the form is re-read
    from exactly what was imported; `sha256` is the file's, so anyone can match it to the file.
    """

    __tablename__ = "checklist_form"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(32))
    sheets: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))


class Submission(Base):
    """One filled checklist: which form, where (a PEC or TEC), by which team, when, answers.

    `client_id` is made by the observer's device: sending the same submission twice (a retry on
    a bad network) finds the stored one instead of storing a second.
    """

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("mission_id", "client_id"),
        Index("ix_submission_mission_id_form_id", "mission_id", "form_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    form_id: Mapped[int] = mapped_column(ForeignKey("checklist_form.id"))
    client_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    team: Mapped[str | None] = mapped_column(String(32))
    arrived_at: Mapped[str] = mapped_column(String(40))
    departed_at: Mapped[str | None] = mapped_column(String(40))
    answers: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))


class Incident(Base):
    """A critical incident an observer reports at any time (not tied to a checklist): where,
    what kind, what happened. Listed for the mission's core team as they arrive; an allegation,
    not a finding, so it is not published with the findings."""

    __tablename__ = "incident"
    __table_args__ = (UniqueConstraint("mission_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mission.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    location: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[str] = mapped_column(String(40))
    reported_by: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[str] = mapped_column(String(40))
    audit_seq: Mapped[int] = mapped_column(Integer)
    audit_hash: Mapped[str] = mapped_column(String(64))


class Deployment(Base):
    """A team sent to a station (or TEC) for one election-day time slot."""

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("team_id", "slot", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("observer_team.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(24))
