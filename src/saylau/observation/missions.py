"""Missions and their people: creating a mission, loading Annex II, importing observers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.audit.service import NewEvent, append, now_iso
from saylau.domain.errors import Conflict, NotFound, Rejected
from saylau.observation.annex import AnnexReading, parse_annex

# A mission is the handle the pages and the API pass back into observation's services (as an
# `Election` is administration's), so it is re-exported here (`as Mission`): they name the type
# without importing observation's tables.
from saylau.observation.models import Mission as Mission
from saylau.observation.models import Observer

KINDS = ("international", "citizen")
OBSERVER_ROLES = ("core", "lto", "sto", "citizen")
GENDERS = ("female", "male")
ACCREDITATION = ("pending", "accredited", "revoked")
OBSERVER_FIELDS = ("name", "country", "gender", "role", "function")

# What the reference mission says of itself (report section I): the figures the records loaded
# from Annex II are shown against.
ODIHR_2022_DECLARED = {
    "core": 11,
    "lto": 30,
    "sto": 299,
    "countries": 35,
    "women_pct": 43,
    "source": "OSCE/ODIHR EOM final report, section I (Introduction and acknowledgments)",
}


class ImportRejected(Rejected):
    """A batch of observers (or submissions) broke rules; nothing of it was written."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.what = what
        shown = "; ".join(problems[:20]) + (
            f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
        )
        super().__init__(what, problems, detail=f"{what} rejected: {shown}")


class ImportConflict(ImportRejected, Conflict):
    """A batch refused only because it contradicts what is stored (a client_id already used by
    a different record): HTTP 409; nothing of it was written."""


def create_mission(
    session: Session,
    election: Election,
    code: str,
    name: str,
    kind: str,
    declared: Mapping[str, Any] | None = None,
) -> Mission:
    if kind not in KINDS:
        raise Rejected(f"mission {code}: field kind {kind!r} is not one of {', '.join(KINDS)}")
    if session.scalar(select(Mission.id).where(Mission.code == code)) is not None:
        raise Conflict(f"mission {code} already exists")
    mission = Mission(
        code=code,
        name=name,
        kind=kind,
        election_id=election.id,
        declared=json.dumps(dict(declared or {}), sort_keys=True),
        created_at=now_iso(),
    )
    session.add(mission)
    session.flush()
    append(
        session,
        NewEvent(
            "mission.created",
            f"mission:{code}",
            {"code": code, "name": name, "kind": kind, "election": election.code},
        ),
    )
    return mission


def mission_exists(session: Session, code: str) -> bool:
    return session.scalar(select(Mission.id).where(Mission.code == code)) is not None


def all_missions(session: Session) -> list[Mission]:
    """Every mission, oldest first."""
    return list(session.scalars(select(Mission).order_by(Mission.id)))


def get_mission(session: Session, code: str | None = None) -> Mission:
    """The mission named `code`, or the only one when `code` is None."""
    if code is not None:
        found = session.scalar(select(Mission).where(Mission.code == code))
        if found is None:
            raise NotFound(f"no observation mission {code!r}")
        return found
    missions = list(session.scalars(select(Mission).order_by(Mission.id)))
    if len(missions) != 1:
        codes = ", ".join(m.code for m in missions) or "none"
        raise NotFound(f"name a mission with --mission (missions: {codes})")
    return missions[0]


def read_annex() -> AnnexReading:
    text = resources.files("saylau.observation").joinpath("data/annex-ii.txt").read_text("utf-8")
    return parse_annex(text)


def load_annex(session: Session, mission: Mission) -> tuple[int, AnnexReading]:
    """Add the observers Annex II lists legibly; returns how many were new, and the reading."""
    reading = read_annex()
    rows = [
        {"name": o.name, "country": o.country, "role": o.role, "function": o.function}
        for o in reading.observers
    ]
    return add_observers(session, mission, rows, source="annex-ii", skip_known=True), reading


def observer_problems(row: Mapping[str, Any], number: int) -> list[str]:
    """Everything wrong with one observer row, each naming the row and the field."""
    problems = []
    name = str(row.get("name") or "").strip()
    if not name:
        problems.append(f"row {number}: field name is empty")
    role = str(row.get("role") or "").strip()
    if role not in OBSERVER_ROLES:
        problems.append(
            f"row {number}: field role {role!r} is not one of {', '.join(OBSERVER_ROLES)}"
        )
    gender = str(row.get("gender") or "").strip()
    if gender and gender not in GENDERS:
        problems.append(f"row {number}: field gender {gender!r} is not one of {', '.join(GENDERS)}")
    return problems


def add_observers(
    session: Session,
    mission: Mission,
    rows: Sequence[Mapping[str, Any]],
    source: str,
    skip_known: bool = False,
) -> int:
    """Add observers, all or none; a name already in the mission is refused (or skipped)."""
    known = set(session.scalars(select(Observer.name).where(Observer.mission_id == mission.id)))
    problems: list[str] = []
    fresh: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):  # row 1 is the header of a CSV
        problems.extend(observer_problems(row, number))
        name = str(row.get("name") or "").strip()
        if name in seen:
            problems.append(f"row {number}: field name {name!r} appears twice in the file")
        seen.add(name)
        if name in known:
            if not skip_known:
                problems.append(
                    f"row {number}: field name {name!r} is already in mission {mission.code}"
                )
            continue
        fresh.append(
            {
                "mission_id": mission.id,
                "name": name,
                "country": (str(row.get("country") or "").strip() or None),
                "gender": (str(row.get("gender") or "").strip() or None),
                "role": str(row.get("role") or "").strip(),
                "function": (str(row.get("function") or "").strip() or None),
                "accreditation": "accredited",
                "source": source,
            }
        )
    if problems:
        raise ImportRejected(f"observers for mission {mission.code}", problems)
    if fresh:
        session.execute(insert(Observer), fresh)
        append(
            session,
            NewEvent(
                "observers.added",
                f"mission:{mission.code}",
                {"mission": mission.code, "source": source, "names": [r["name"] for r in fresh]},
            ),
        )
    return len(fresh)


def set_accreditation(session: Session, mission: Mission, name: str, status: str) -> None:
    """Record an observer's accreditation by the election administration (an audit event)."""
    if status not in ACCREDITATION:
        raise Rejected(
            f"observer {name}: status {status!r} is not one of {', '.join(ACCREDITATION)}"
        )
    observer = session.scalar(
        select(Observer).where(Observer.mission_id == mission.id, Observer.name == name)
    )
    if observer is None:
        raise NotFound(f"no observer {name!r} in mission {mission.code}")
    observer.accreditation = status
    append(
        session,
        NewEvent(
            "observer.accreditation",
            f"mission:{mission.code}",
            {"mission": mission.code, "name": name, "status": status},
        ),
    )


def read_observers_csv(text: str) -> list[dict[str, str]]:
    """Rows of an observers CSV (header: name,country,gender,role[,function])."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in ("name", "role") if f not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected("observers file", [f"row 1: column {f} is missing" for f in missing])
    return list(reader)


def mission_summary(session: Session, mission: Mission) -> dict[str, Any]:
    """The mission's loaded observers by role, countries and gender, beside what it declared."""
    by_role = dict(
        session.execute(
            select(Observer.role, func.count())
            .where(Observer.mission_id == mission.id)
            .group_by(Observer.role)
        ).all()
    )
    countries = session.scalar(
        select(func.count(func.distinct(Observer.country))).where(Observer.mission_id == mission.id)
    )
    genders = dict(
        session.execute(
            select(Observer.gender, func.count())
            .where(Observer.mission_id == mission.id)
            .group_by(Observer.gender)
        ).all()
    )
    accreditation = dict(
        session.execute(
            select(Observer.accreditation, func.count())
            .where(Observer.mission_id == mission.id)
            .group_by(Observer.accreditation)
        ).all()
    )
    return {
        "mission": mission.code,
        "name": mission.name,
        "accreditation": {k: int(v) for k, v in accreditation.items()},
        "kind": mission.kind,
        "observers": {role: int(by_role.get(role, 0)) for role in OBSERVER_ROLES},
        "countries": int(countries or 0),
        "gender": {str(k or "unknown"): int(v) for k, v in genders.items()},
        "declared": json.loads(mission.declared),
    }
