"""Election-night progress: how many PECs of each unit have reported, and when the last did."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import find_unit, national_unit
from saylau.results.reads import latest_version_times
from saylau.results.tabulation import pec_counts


def reporting_progress(
    session: Session, election: Election, unit: str | None = None
) -> dict[str, Any]:
    """PECs reported out of all PECs for a unit and each of its children, with update times."""
    target = find_unit(session, election, unit) if unit else national_unit(session, election)
    children = list(
        session.scalars(select(Unit).where(Unit.parent_id == target.id).order_by(Unit.code))
    )
    counts = pec_counts(session, election)
    stamps = latest_version_times(session, election, [target.id, *(c.id for c in children)])

    def entry(u: Unit) -> dict[str, Any]:
        reported, total = counts.get(u.id, (0, 0))
        return {
            "unit_code": u.code,
            "unit": u.name_en,
            "kind": u.kind,
            "pecs_reported": reported,
            "pecs_total": total,
            "reported_pct": round(100 * reported / total, 2) if total else 0.0,
            "last_update": stamps.get(u.id),
        }

    return {**entry(target), "children": [entry(c) for c in children]}
