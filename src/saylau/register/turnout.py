"""Turnout from check-ins, hour by hour, and check-ins reconciled with the protocols.

Every ballot issued at check-in is a row, so turnout at any unit and any hour of election day is
a count, published as the day goes, not a figure a commission reports. After the count, each
PEC's ballots issued at check-in must equal its protocol's ballots issued: a difference is a
ballot handed out without a check-in, or a check-in without a ballot, and is flagged for the
commission to explain (the report's observers saw voters given ballots without being added to
the list in 8% of the stations where AVCs were used).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.administration.service import find_unit, national_unit, profile_of, timezone_of
from saylau.register.models import BallotIssue, Voter
from saylau.results.tabulation import current_pec_lines


@dataclass(frozen=True)
class HourlyTurnout:
    """Ballots issued in one unit by the end of each local hour, over the voters on its lists."""

    unit: str
    registered: int
    by_hour: dict[int, int]
    """Local hour (0-23) -> ballots issued in that hour."""

    def cumulative(self) -> list[tuple[int, int, float]]:
        """(hour, ballots issued by the end of it, share of registered), for hours with any."""
        total, rows = 0, []
        for hour in sorted(self.by_hour):
            total += self.by_hour[hour]
            rows.append((hour, total, total / self.registered if self.registered else 0.0))
        return rows


def hourly_turnout(session: Session, election: Election, unit: str | None = None) -> HourlyTurnout:
    """Check-ins at the PECs under `unit` (the nation if None), by local hour."""
    target = (
        national_unit(session, election) if unit is None else find_unit(session, election, unit)
    )
    below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == target.id)
    zone = ZoneInfo(timezone_of(election))
    stamps = session.scalars(
        select(BallotIssue.issued_at).where(
            BallotIssue.election_id == election.id, BallotIssue.pec_id.in_(below)
        )
    )
    hours = Counter(datetime.fromisoformat(s).astimezone(zone).hour for s in stamps)
    registered = session.scalar(
        select(func.count())
        .select_from(Voter)
        .where(Voter.election_id == election.id, Voter.pec_id.in_(below), Voter.status == "active")
    )
    return HourlyTurnout(target.code, int(registered or 0), dict(hours))


@dataclass(frozen=True)
class Reconciliation:
    """One PEC whose protocol's ballots issued differ from its check-ins."""

    pec: str
    checked_in: int
    protocol_issued: int

    @property
    def difference(self) -> int:
        return self.protocol_issued - self.checked_in


def reconcile(session: Session, election: Election) -> list[Reconciliation]:
    """Every PEC with a protocol whose ballots issued (the profile's `voters` total) differ
    from the ballots issued at its check-ins, largest difference first."""
    profile = profile_of(election)
    numbers = [line.no for line in profile.lines if line.code in profile.totals["voters"]]
    lines = current_pec_lines(session, election)
    checked = dict(
        session.execute(
            select(BallotIssue.pec_id, func.count())
            .where(BallotIssue.election_id == election.id)
            .group_by(BallotIssue.pec_id)
        ).all()
    )
    codes = dict(
        session.execute(
            select(Unit.id, Unit.code).where(Unit.election_id == election.id, Unit.kind == "pec")
        ).all()
    )
    found = []
    for pec_id, values in lines.items():
        issued = sum(values.get(no, 0) for no in numbers)
        at_checkin = int(checked.get(pec_id, 0))
        if issued != at_checkin:
            found.append(Reconciliation(codes[pec_id], at_checkin, issued))
    return sorted(found, key=lambda r: (-abs(r.difference), r.pec))
