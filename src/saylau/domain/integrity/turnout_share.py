"""How the leader's result moves with turnout: weighted correlation and the Sobyanin-Sukhovolsky
regression.

Ballots stuffed for one contestant raise turnout and that contestant's share together, so
stuffing shows as a positive relation between them. Sobyanin and Sukhovolsky (analyses of
Russian elections from 1993 on; described in English by Myagkov, Ordeshook and Shakin, *The
Forensics of Election Fraud*, Cambridge UP, 2009, ch. 2) regress each contestant's votes as a
share of the electorate on turnout across stations. Without manipulation each extra voter splits
among the contestants, so the leader's slope lies between 0 and 1 and the others' slopes are
positive; a leader's slope above 1, with the others' negative, means the stations with higher
turnout gained more leader votes than they gained voters: votes came from the others or from
nowhere. Differences between regions can produce a relation honestly (rural areas both turn out
more and vote differently), so the regression is also run inside each region.

Weights are the registered voters (a station counts by its electorate). Slopes carry
heteroskedasticity-robust (HC1) standard errors; the correlation's interval uses Fisher's z with
Kish's effective number of stations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.domain.integrity.stations import StationTable

Z95 = 1.959963984540054
MIN_STATIONS = 10


@dataclass(frozen=True)
class Slope:
    """Weighted least squares of votes/registered on turnout, with a 95% robust interval."""

    slope: float
    low: float
    high: float
    intercept: float

    def to_dict(self) -> dict[str, float | list[float]]:
        return {
            "slope": round(self.slope, 5),
            "interval_95": [round(self.low, 5), round(self.high, 5)],
            "intercept": round(self.intercept, 5),
        }


@dataclass(frozen=True)
class Relation:
    """The turnout-share relation in one area (the nation or a region)."""

    area: str
    stations: int
    correlation: float
    correlation_low: float
    correlation_high: float
    leader_slope: Slope
    others_slope: Slope

    @property
    def leader_gains_beyond_voters(self) -> bool:
        """The leader's slope is above 1 with 95% confidence: the Sobyanin-Sukhovolsky sign."""
        return self.leader_slope.low > 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "area": self.area,
            "stations": self.stations,
            "weighted_correlation": round(self.correlation, 5),
            "correlation_interval_95": [
                round(self.correlation_low, 5),
                round(self.correlation_high, 5),
            ],
            "leader_slope": self.leader_slope.to_dict(),
            "others_slope": self.others_slope.to_dict(),
            "leader_gains_beyond_voters": self.leader_gains_beyond_voters,
        }


def weighted_correlation(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    mx = np.average(x, weights=w)
    my = np.average(y, weights=w)
    cov = np.average((x - mx) * (y - my), weights=w)
    vx = np.average((x - mx) ** 2, weights=w)
    vy = np.average((y - my) ** 2, weights=w)
    if vx <= 0 or vy <= 0:
        return float("nan")
    return float(cov / math.sqrt(vx * vy))


def correlation_interval(r: float, weights: np.ndarray) -> tuple[float, float]:
    """Fisher-z 95% interval with Kish's effective n = (sum w)^2 / sum w^2."""
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    if math.isnan(r) or n_eff <= 3 or abs(r) >= 1:
        return float("nan"), float("nan")
    z = math.atanh(r)
    half = Z95 / math.sqrt(n_eff - 3)
    return math.tanh(z - half), math.tanh(z + half)


def weighted_slope(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Slope:
    """WLS of y on x with HC1 standard errors (White's sandwich, n/(n-2) corrected)."""
    n = len(x)
    sw = w.sum()
    mx = (w * x).sum() / sw
    my = (w * y).sum() / sw
    dx = x - mx
    sxx = (w * dx * dx).sum()
    if sxx <= 0 or n < 3:
        return Slope(float("nan"), float("nan"), float("nan"), float("nan"))
    slope = float((w * dx * (y - my)).sum() / sxx)
    intercept = float(my - slope * mx)
    residual = y - intercept - slope * x
    variance = (w * w * dx * dx * residual * residual).sum() / sxx**2 * n / (n - 2)
    half = Z95 * math.sqrt(variance)
    return Slope(slope, slope - half, slope + half, intercept)


def relation(area: str, table: StationTable, mask: np.ndarray, leader: int) -> Relation:
    registered = table.registered[mask].astype(np.float64)
    turnout = table.voters[mask] / registered
    leader_rate = table.votes[mask, leader] / registered
    others_rate = (table.valid[mask] - table.votes[mask, leader]) / registered
    valid = table.valid[mask]
    share = np.divide(table.votes[mask, leader], valid, out=np.zeros(len(valid)), where=valid > 0)
    r = weighted_correlation(turnout, share, registered)
    low, high = correlation_interval(r, registered)
    return Relation(
        area=area,
        stations=int(mask.sum()),
        correlation=r,
        correlation_low=low,
        correlation_high=high,
        leader_slope=weighted_slope(turnout, leader_rate, registered),
        others_slope=weighted_slope(turnout, others_rate, registered),
    )


@dataclass(frozen=True)
class TurnoutShare:
    leader: str
    national: Relation
    regions: tuple[Relation, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "weighted correlation; Sobyanin-Sukhovolsky regression (WLS, HC1)",
            "leader": self.leader,
            "national": self.national.to_dict(),
            "regions": [r.to_dict() for r in self.regions],
        }


def turnout_share(table: StationTable) -> TurnoutShare:
    """The relation nationally and in every region with at least MIN_STATIONS stations."""
    leader = table.leader_index()
    usable = table.turnout_known & (table.voters <= table.registered)
    regions = []
    for region in sorted(set(table.region[usable].tolist())):
        mask = usable & (table.region == region)
        if mask.sum() >= MIN_STATIONS:
            regions.append(relation(str(region), table, mask, leader))
    return TurnoutShare(
        leader=table.contestants[leader],
        national=relation("national", table, usable, leader),
        regions=tuple(regions),
    )
