"""Subgroup comparison: do stations of one kind report differently from the rest?

Georgia 2024 counted some precincts electronically and some by hand; an observation mission
watched some stations and not others; special PECs (hospitals, military units) differ from
regular ones. If results differ between stations with and without a safeguard (electronic
count, an observer present), the difference measures what the safeguard changes (the classic
design of Hyde, "The Observer Effect in International Politics", World Politics 59(1), 2007,
and of Enikolopov et al., PNAS 110(2), 2013, for Moscow's observed stations).

Each group's turnout (voters / registered) and leader share (leader / valid) are ratio
estimates over its stations; their standard errors use the linearised variance of a ratio
(Cochran, *Sampling Techniques*, 1977, 6.3), treating stations as draws from the process that
produced them. The difference between a group and all other stations gets a 95% interval and a
two-sided p-value. Stations are not randomly assigned to groups, so a difference says that the
groups differ, not why: urban precincts are both more often electronic and less pro-government.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from saylau.domain.integrity.stations import StationTable

Z95 = 1.959963984540054
MAX_GROUPS = 30
"""An attribute with more distinct values than this is an identifier, not a grouping."""


@dataclass(frozen=True)
class Ratio:
    value: float
    se: float

    def to_dict(self) -> dict[str, float]:
        return {"value": round(self.value, 6), "se": round(self.se, 6)}


def ratio_estimate(numerator: np.ndarray, denominator: np.ndarray) -> Ratio:
    """sum(y)/sum(x) with its linearised standard error."""
    n = len(numerator)
    total = denominator.sum()
    if n < 2 or total <= 0:
        return Ratio(float("nan"), float("nan"))
    r = numerator.sum() / total
    residual = numerator - r * denominator
    mean_x = total / n
    variance = (residual**2).sum() / (n - 1) / n / mean_x**2
    return Ratio(float(r), float(math.sqrt(variance)))


@dataclass(frozen=True)
class Difference:
    value: float
    low: float
    high: float
    p_value: float

    def to_dict(self) -> dict[str, float | list[float]]:
        return {
            "difference": round(self.value, 6),
            "interval_95": [round(self.low, 6), round(self.high, 6)],
            "p_value": self.p_value,
        }


def difference(a: Ratio, b: Ratio) -> Difference:
    d = a.value - b.value
    se = math.sqrt(a.se**2 + b.se**2)
    if math.isnan(se) or se == 0:
        return Difference(d, float("nan"), float("nan"), float("nan"))
    p = float(2 * stats.norm.sf(abs(d) / se))
    return Difference(d, d - Z95 * se, d + Z95 * se, p)


@dataclass(frozen=True)
class GroupComparison:
    value: str
    stations: int
    turnout: Ratio
    leader_share: Ratio
    rest_turnout: Ratio
    rest_leader_share: Ratio
    turnout_difference: Difference
    share_difference: Difference

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "stations": self.stations,
            "turnout": self.turnout.to_dict(),
            "leader_share": self.leader_share.to_dict(),
            "rest_turnout": self.rest_turnout.to_dict(),
            "rest_leader_share": self.rest_leader_share.to_dict(),
            "turnout_difference": self.turnout_difference.to_dict(),
            "leader_share_difference": self.share_difference.to_dict(),
        }


@dataclass(frozen=True)
class SubgroupResult:
    attribute: str
    leader: str
    groups: tuple[GroupComparison, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "attribute": self.attribute,
            "leader": self.leader,
            "groups": [g.to_dict() for g in self.groups],
        }


def compare_subgroups(table: StationTable, attribute: str) -> SubgroupResult:
    """Every value of `attribute` against all other stations, for turnout and leader share."""
    if attribute not in table.attributes:
        known = ", ".join(sorted(table.attributes)) or "none"
        raise KeyError(f"no station attribute {attribute!r} (attributes: {known})")
    values = table.attributes[attribute].astype(str)
    distinct = sorted(set(values.tolist()))
    if len(distinct) > MAX_GROUPS:
        raise ValueError(
            f"attribute {attribute!r} has {len(distinct)} values; at most {MAX_GROUPS} can split"
        )
    leader = table.leader_index()
    usable = table.turnout_known & (table.voters <= table.registered)
    groups = []
    for value in distinct:
        inside = values == value
        a_t = ratio_estimate(table.voters[usable & inside], table.registered[usable & inside])
        b_t = ratio_estimate(table.voters[usable & ~inside], table.registered[usable & ~inside])
        a_s = ratio_estimate(table.votes[inside, leader], table.valid[inside])
        b_s = ratio_estimate(table.votes[~inside, leader], table.valid[~inside])
        groups.append(
            GroupComparison(
                value=value,
                stations=int(inside.sum()),
                turnout=a_t,
                leader_share=a_s,
                rest_turnout=b_t,
                rest_leader_share=b_s,
                turnout_difference=difference(a_t, b_t),
                share_difference=difference(a_s, b_s),
            )
        )
    return SubgroupResult(
        attribute=attribute, leader=table.contestants[leader], groups=tuple(groups)
    )
