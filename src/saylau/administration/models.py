"""Tables of the administration context: elections, commission units, ancestry, members."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from saylau.store.base import Base


class Election(Base):
    """One election, with the profile (its rules) frozen as it was when the election was made."""

    __tablename__ = "election"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    election_date: Mapped[date] = mapped_column(Date)
    profile_code: Mapped[str] = mapped_column(String(64))
    profile_yaml: Mapped[str] = mapped_column(Text)
    profile_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))


class Unit(Base):
    """A commission and the territory or polling station it runs.

    kind: cec | tec | pec. level: 0 CEC, 1 oblast and city TECs, 2 district TECs, 3 PECs
    (abroad PECs sit directly under the Astana city TEC, so a PEC's level says where it hangs,
    not what it is). subtype: national; oblast | city | district; regular | special | abroad.
    """

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("election_id", "code"),
        Index("ix_unit_election_id_kind", "election_id", "kind"),
        Index("ix_unit_parent_id", "parent_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("election.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(8))
    level: Mapped[int] = mapped_column(SmallInteger)
    subtype: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(200))
    kato: Mapped[str | None] = mapped_column(String(16))
    settlement: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    urban: Mapped[bool | None] = mapped_column(Boolean)


class UnitAncestor(Base):
    """Closure of the unit tree (every unit is its own ancestor at depth 0).

    Tabulation of every level is then one GROUP BY over PEC protocols joined to this table.
    """

    __tablename__ = "unit_ancestor"
    __table_args__ = (Index("ix_unit_ancestor_ancestor_id", "ancestor_id"),)

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    ancestor_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    depth: Mapped[int] = mapped_column(SmallInteger)


class CommissionMember(Base):
    """A member of a commission. role: chair | deputy_chair | secretary | member."""

    __tablename__ = "commission_member"
    __table_args__ = (Index("ix_commission_member_unit_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    gender: Mapped[str] = mapped_column(String(8))
