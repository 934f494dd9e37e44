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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.administration.service import find_unit, national_unit, profile_of, timezone_of
from saylau.register.models import BallotIssue, Voter
from saylau.register.station_ballots import ballots_by_pec
from saylau.results.reads import current_pec_lines


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


def _local_hours(
    election: Election, buckets: Sequence[tuple[int, str, int]]
) -> dict[int, Counter[int]]:
    """{PEC id: Counter(local hour -> ballots)} from (PEC id, UTC "YYYY-MM-DDTHH", count).

    Ballots are stored with UTC times (an offline device's own time is normalised to UTC when
    its queue is replayed), so one GROUP BY on the first 13 characters buckets them by UTC hour,
    which maps to one local hour in any zone whose offset is whole hours (Kazakhstan's are).
    """
    zone = ZoneInfo(timezone_of(election))
    found: dict[int, Counter[int]] = {}
    for pec_id, bucket, count in buckets:
        local = datetime.fromisoformat(f"{bucket}:00:00+00:00").astimezone(zone).hour
        found.setdefault(pec_id, Counter())[local] += int(count)
    return found


def _buckets(
    session: Session, election: Election, pecs: Select[int] | None = None
) -> list[tuple[int, str, int]]:
    hour = func.substr(BallotIssue.issued_at, 1, 13)
    stmt = (
        select(BallotIssue.pec_id, hour, func.count())
        .where(BallotIssue.election_id == election.id)
        .group_by(BallotIssue.pec_id, hour)
    )
    if pecs is not None:
        stmt = stmt.where(BallotIssue.pec_id.in_(pecs))
    return [(pec_id, bucket, int(count)) for pec_id, bucket, count in session.execute(stmt)]


def hourly_turnout(session: Session, election: Election, unit: str | None = None) -> HourlyTurnout:
    """Check-ins at the PECs under `unit` (the nation if None), by local hour."""
    target = (
        national_unit(session, election) if unit is None else find_unit(session, election, unit)
    )
    below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == target.id)
    hours: Counter[int] = Counter()
    for counts in _local_hours(election, _buckets(session, election, below)).values():
        hours.update(counts)
    registered = session.scalar(
        select(func.count())
        .select_from(Voter)
        .where(Voter.election_id == election.id, Voter.pec_id.in_(below), Voter.status == "active")
    )
    return HourlyTurnout(target.code, int(registered or 0), dict(hours))


def hourly_turnout_by_unit(session: Session, election: Election) -> list[HourlyTurnout]:
    """The hourly turnout of every unit at once (for publication): per-PEC buckets rolled up
    the commission tree in memory, two grouped queries in all."""
    by_pec = _local_hours(election, _buckets(session, election))
    registered = dict(
        session.execute(
            select(Voter.pec_id, func.count())
            .where(Voter.election_id == election.id, Voter.status == "active")
            .group_by(Voter.pec_id)
        ).all()
    )
    codes = dict(
        session.execute(select(Unit.id, Unit.code).where(Unit.election_id == election.id)).all()
    )
    hours: dict[int, Counter[int]] = {}
    voters: Counter[int] = Counter()
    pairs = session.execute(
        select(UnitAncestor.unit_id, UnitAncestor.ancestor_id).where(
            UnitAncestor.unit_id.in_(list(set(by_pec) | set(registered)))
        )
    )
    for pec_id, ancestor_id in pairs:
        hours.setdefault(ancestor_id, Counter()).update(by_pec.get(pec_id, Counter()))
        voters[ancestor_id] += int(registered.get(pec_id, 0))
    return [
        HourlyTurnout(codes[unit_id], int(voters[unit_id]), dict(hours.get(unit_id, Counter())))
        for unit_id in sorted(set(hours) | set(voters), key=lambda u: codes[u])
    ]


def turnout_document(result: HourlyTurnout, as_of: str) -> dict[str, object]:
    """One unit's turnout as the API answers it and the static site publishes it: counts
    only, never a check-in, a voter or the time of a single ballot."""
    return {
        "unit": result.unit,
        "registered": result.registered,
        "as_of": as_of,
        "hours": [
            {"hour": hour, "ballots": ballots, "share": round(share, 6)}
            for hour, ballots, share in result.cumulative()
        ],
    }


def last_check_in(session: Session, election: Election) -> str | None:
    """When the election's latest ballot was issued (UTC), or None before the first: what a
    published snapshot of turnout is "as of", taken from the data rather than the clock."""
    latest = session.scalar(
        select(func.max(BallotIssue.issued_at)).where(BallotIssue.election_id == election.id)
    )
    return None if latest is None else str(latest)


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
    checked = ballots_by_pec(session, election)
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
