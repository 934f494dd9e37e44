"""Service functions of the administration context: elections, units, members.

Other contexts reach these tables only through the functions here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import CommissionMember, Election, Unit, UnitAncestor
from saylau.audit.service import NewEvent, append, now_iso
from saylau.domain.errors import Conflict, NotFound, ProfileError
from saylau.domain.profile import Profile
from saylau.profiles import parse_profile_text, text_sha256


@dataclass(frozen=True)
class UnitSpec:
    """A unit to create; `parent` is the parent's code (None only for the CEC)."""

    code: str
    kind: str
    level: int
    subtype: str
    parent: str | None
    name_en: str
    name_ru: str
    name_kk: str
    kato: str | None = None
    settlement: str | None = None
    address: str | None = None
    urban: bool | None = None


@dataclass(frozen=True)
class MemberSpec:
    unit: str
    full_name: str
    role: str
    gender: str


def profile_of(election: Election) -> Profile:
    """The rules the election was created with (its frozen profile text)."""
    return parse_profile_text(election.profile_yaml)


def timezone_of(election: Election) -> str:
    """Where the election's times are local: the profile's `timezone` (an IANA zone)."""
    return profile_of(election).timezone


def create_election(
    session: Session, code: str, name: str, election_date: date, profile_text: str
) -> Election:
    """Create an election with its profile frozen in, and record it in the audit log.

    A profile that names its election's date must agree with `election_date`: every register
    deadline is counted back from the election's date, so two dates would be two sets of rules.
    """
    profile = parse_profile_text(profile_text)
    if profile.election_date is not None and profile.election_date != election_date:
        raise ProfileError(
            "election_date",
            f"the profile's election is on {profile.election_date.isoformat()}, "
            f"not {election_date.isoformat()}",
        )
    if election_exists(session, code):
        raise Conflict(f"election {code!r} already exists")
    election = Election(
        code=code,
        name=name,
        election_date=election_date,
        profile_code=profile.code,
        profile_yaml=profile_text,
        profile_sha256=text_sha256(profile_text),
        created_at=now_iso(),
    )
    session.add(election)
    session.flush()
    append(
        session,
        NewEvent(
            "election.created",
            f"{code}/election",
            election_event_payload(election, election.profile_sha256),
        ),
    )
    return election


def election_event_payload(election: Election, profile_sha256: str) -> dict[str, Any]:
    """The audit payload recording an election and the exact rules it was created with."""
    return {
        "election": election.code,
        "name": election.name,
        "date": election.election_date.isoformat(),
        "profile": election.profile_code,
        "profile_sha256": profile_sha256,
    }


def election_mismatches(
    session: Session, latest: Mapping[str, tuple[int, str, Mapping[str, Any]]]
) -> list[str]:
    """Compare every election, and the profile text frozen in it, with its audit event.

    Rewriting an election's rules behind the application's back (say, the winner rule) would
    change outcomes without touching a single protocol; the profile's hash catches it.
    """
    problems = []
    for election in list_elections(session):
        recorded = latest.get(f"{election.code}/election")
        actual = election_event_payload(election, text_sha256(election.profile_yaml))
        if recorded is None:
            problems.append(f"election {election.code} has no event in the audit log")
        elif dict(recorded[2]) != actual:
            changed = sorted(k for k in actual if actual[k] != recorded[2].get(k))
            problems.append(
                f"election {election.code} differs from audit event {recorded[0]} in "
                + ", ".join(changed)
            )
    return problems


def election_exists(session: Session, code: str) -> bool:
    return session.scalar(select(Election.id).where(Election.code == code)) is not None


def list_elections(session: Session) -> list[Election]:
    return list(session.scalars(select(Election).order_by(Election.id)))


def get_election(session: Session, code: str | None = None) -> Election:
    """The election named `code`, or the only one in the database when `code` is None."""
    if code is not None:
        election = session.scalar(select(Election).where(Election.code == code))
        if election is None:
            known = ", ".join(e.code for e in list_elections(session)) or "none"
            raise NotFound(f"no election {code!r} in this database (elections: {known})")
        return election
    elections = list_elections(session)
    if not elections:
        raise NotFound(
            "this database holds no election yet: run `saylau demo` or "
            "`saylau scenario build kz-2022`"
        )
    if len(elections) > 1:
        codes = ", ".join(e.code for e in elections)
        raise NotFound(f"this database holds several elections ({codes}): name one with --election")
    return elections[0]


def add_units(session: Session, election: Election, specs: Sequence[UnitSpec]) -> dict[str, int]:
    """Create units (parents before children) and their ancestry closure; returns code -> id."""
    ids: dict[str, int] = dict(
        session.execute(select(Unit.code, Unit.id).where(Unit.election_id == election.id)).all()
    )
    parents: dict[int, int | None] = dict(
        session.execute(
            select(Unit.id, Unit.parent_id).where(Unit.election_id == election.id)
        ).all()
    )
    rows: list[dict[str, Any]] = []
    seen: set[str] = set(ids)
    for spec in specs:
        if spec.code in seen:
            raise Conflict(f"unit {spec.code} already exists in election {election.code}")
        seen.add(spec.code)
        rows.append({"election_id": election.id, **spec.__dict__})
    # Insert level by level so every parent id is known before its children.
    for level in sorted({r["level"] for r in rows}):
        batch = [r for r in rows if r["level"] == level]
        params = []
        for r in batch:
            parent_code = r.pop("parent")
            if parent_code is not None and parent_code not in ids:
                raise NotFound(f"unit {r['code']}: parent {parent_code} does not exist")
            r["parent_id"] = ids[parent_code] if parent_code is not None else None
            params.append(r)
        result = session.execute(
            insert(Unit).returning(Unit.id, Unit.code, sort_by_parameter_order=True), params
        )
        for unit_id, code in result:
            ids[code] = unit_id
        for r in params:
            parents[ids[r["code"]]] = r["parent_id"]
    closure: list[dict[str, int]] = []
    for r in rows:
        unit_id = ids[r["code"]]
        depth = 0
        current: int | None = unit_id  # up the parents, to None above the CEC
        while current is not None:
            closure.append({"unit_id": unit_id, "ancestor_id": current, "depth": depth})
            current, depth = parents[current], depth + 1
    if closure:
        session.execute(insert(UnitAncestor), closure)
    return ids


def add_members(session: Session, election: Election, specs: Sequence[MemberSpec]) -> int:
    """Add commission members; returns how many were added."""
    ids = dict(
        session.execute(select(Unit.code, Unit.id).where(Unit.election_id == election.id)).all()
    )
    rows = []
    for spec in specs:
        if spec.unit not in ids:
            raise NotFound(f"member {spec.full_name}: unit {spec.unit} does not exist")
        rows.append(
            {
                "unit_id": ids[spec.unit],
                "full_name": spec.full_name,
                "role": spec.role,
                "gender": spec.gender,
            }
        )
    if rows:
        session.execute(insert(CommissionMember), rows)
    return len(rows)


def find_unit(session: Session, election: Election, code_or_name: str) -> Unit:
    """A unit by code, or by name in any language (case-insensitive).

    When a name is shared (Almaty the city and Almaty Region are different units, but "Almaty"
    is the city's name), the exact name wins and then the higher level; a name that still
    matches several units is refused with their codes so the user can pick one.
    """
    by_code = session.scalar(
        select(Unit).where(Unit.election_id == election.id, Unit.code == code_or_name)
    )
    if by_code is not None:
        return by_code
    given = code_or_name.strip()
    wanted = given.lower()  # SQLite lowers ASCII only, so exact names are matched as well
    matches = list(
        session.scalars(
            select(Unit)
            .where(
                Unit.election_id == election.id,
                or_(
                    Unit.name_en == given,
                    Unit.name_ru == given,
                    Unit.name_kk == given,
                    func.lower(Unit.name_en) == wanted,
                    func.lower(Unit.name_ru) == wanted,
                    func.lower(Unit.name_kk) == wanted,
                ),
            )
            .order_by(Unit.level, Unit.code)
        )
    )
    if not matches:
        raise NotFound(f"no unit with code or name {code_or_name!r} in election {election.code}")
    top = [u for u in matches if u.level == matches[0].level]
    if len(top) > 1:
        codes = ", ".join(f"{u.code} ({u.name_en})" for u in top)
        raise NotFound(f"{code_or_name!r} names several units: {codes}; give a code")
    return top[0]


def national_unit(session: Session, election: Election) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.election_id == election.id, Unit.level == 0))
    if unit is None:
        raise NotFound(f"election {election.code} has no central commission yet")
    return unit


def unit_counts(session: Session, election: Election) -> dict[str, int]:
    """How many units of each kind and subtype, and members, the election has."""
    counts: dict[str, int] = {}
    for kind, subtype, n in session.execute(
        select(Unit.kind, Unit.subtype, func.count())
        .where(Unit.election_id == election.id)
        .group_by(Unit.kind, Unit.subtype)
    ):
        counts[kind] = counts.get(kind, 0) + n
        counts[f"{kind}.{subtype}"] = n
    counts["members"] = (
        session.scalar(
            select(func.count())
            .select_from(CommissionMember)
            .join(Unit, Unit.id == CommissionMember.unit_id)
            .where(Unit.election_id == election.id)
        )
        or 0
    )
    return counts


def ancestor_codes(session: Session, unit: Unit) -> list[str]:
    """Codes of a unit's ancestors, nearest first (not the unit itself)."""
    rows = session.execute(
        select(Unit.code)
        .join(UnitAncestor, UnitAncestor.ancestor_id == Unit.id)
        .where(UnitAncestor.unit_id == unit.id, UnitAncestor.depth > 0)
        .order_by(UnitAncestor.depth)
    )
    return list(rows.scalars())


def list_units(
    session: Session,
    election: Election,
    parent: Unit | None = None,
    kind: str | None = None,
    text: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[Unit]]:
    """A page of units (children of `parent`, of one kind, matching `text`) and the total.

    `text` matches code, names, settlement and address as a substring; SQLite lowers ASCII
    only, so the comparison is case-insensitive for Latin letters and exact for Cyrillic.
    """
    stmt = select(Unit).where(Unit.election_id == election.id)
    if parent is not None:
        stmt = stmt.where(Unit.parent_id == parent.id)
    if kind is not None:
        stmt = stmt.where(Unit.kind == kind)
    if text:
        pattern = f"%{text.strip().lower()}%"
        stmt = stmt.where(
            or_(
                *(
                    func.lower(column).like(pattern)
                    for column in (
                        Unit.code,
                        Unit.name_en,
                        Unit.name_ru,
                        Unit.name_kk,
                        Unit.settlement,
                        Unit.address,
                    )
                )
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = session.scalars(stmt.order_by(Unit.code).limit(limit).offset(offset)).all()
    return total, list(page)


@dataclass(frozen=True)
class PecPlacement:
    """Where a PEC sits: its district-level commission and its region (level-1 unit)."""

    unit_id: int
    code: str
    subtype: str
    urban: bool | None
    district: str
    region: str


def pec_placements(session: Session, election: Election) -> list[PecPlacement]:
    """Every PEC of an election with its parent commission and its region, in code order.

    Per-station analyses compare a station with its neighbours (same parent commission) and
    break figures down by region; abroad PECs hang from the Astana city TEC, so that TEC is
    both their district and their region.
    """
    parent = aliased(Unit)
    region = aliased(Unit)
    region_link = aliased(UnitAncestor)
    rows = session.execute(
        select(Unit.id, Unit.code, Unit.subtype, Unit.urban, parent.code, region.code)
        .join(parent, parent.id == Unit.parent_id)
        .join(region_link, region_link.unit_id == Unit.id)
        .join(region, (region.id == region_link.ancestor_id) & (region.level == 1))
        .where(Unit.election_id == election.id, Unit.kind == "pec")
        .order_by(Unit.code)
    )
    return [
        PecPlacement(unit_id, code, subtype, urban, district, region_code)
        for unit_id, code, subtype, urban, district, region_code in rows
    ]
