"""Distributions of turnout and of each contestant's share across polling stations.

The first look at per-station results (Shpilkin's histograms; Kobak et al. 2016, figure 1):
in a clean election the turnout histogram is one smooth hump; ballot stuffing drags a tail
towards 100% and a heap of stations reporting near-total turnout is the classic trace. Each
histogram counts voters, not stations (a bin holds the voters of the stations whose value falls
in it), so a big city station weighs what its voters weigh. The share of stations above 80, 95
and 99% turnout is reported beside them, with a Wilson interval for the share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binomtest

from saylau.domain.integrity.stations import StationTable

HIGH_TURNOUT_THRESHOLDS = (80, 95, 99)
BIN_POINTS = 1.0


@dataclass(frozen=True)
class Histogram:
    """Voters per 1-point bin from 0 to 100 percent (the last bin includes 100%)."""

    name: str
    counts: tuple[float, ...]
    mean: float
    quantiles: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "bin_points": BIN_POINTS,
            "voters_per_bin": [round(c, 3) for c in self.counts],
            "weighted_mean": round(self.mean, 4),
            "weighted_quantiles": {k: round(v, 4) for k, v in self.quantiles.items()},
        }


@dataclass(frozen=True)
class HighTurnout:
    """Stations whose turnout is at or above `threshold` percent."""

    threshold: int
    stations: int
    share: float
    low: float
    high: float
    voters_share: float

    def to_dict(self) -> dict[str, object]:
        return {
            "threshold_pct": self.threshold,
            "stations": self.stations,
            "share_of_stations": round(self.share, 6),
            "interval_95": [round(self.low, 6), round(self.high, 6)],
            "share_of_voters": round(self.voters_share, 6),
        }


@dataclass(frozen=True)
class Distributions:
    stations: int
    stations_with_turnout: int
    registered: int
    voters: int
    valid: int
    turnout: float | None
    matched_turnout: float | None
    """Turnout over the stations that published both voters and a non-empty list."""
    shares: dict[str, float]
    turnout_histogram: Histogram
    share_histograms: tuple[Histogram, ...]
    high_turnout: tuple[HighTurnout, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "stations": self.stations,
            "stations_with_turnout": self.stations_with_turnout,
            "registered": self.registered,
            "voters": self.voters,
            "valid": self.valid,
            "turnout": None if self.turnout is None else round(self.turnout, 6),
            "matched_turnout": None
            if self.matched_turnout is None
            else round(self.matched_turnout, 6),
            "shares": {k: round(v, 6) for k, v in self.shares.items()},
            "turnout_histogram": self.turnout_histogram.to_dict(),
            "share_histograms": [h.to_dict() for h in self.share_histograms],
            "high_turnout": [h.to_dict() for h in self.high_turnout],
        }


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile of `values` where each counts `weights` times (inverse of the CDF)."""
    if len(values) == 0 or weights.sum() <= 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, q * cumulative[-1], side="left"))
    return float(values[order][min(index, len(values) - 1)])


def histogram(name: str, fractions: np.ndarray, weights: np.ndarray) -> Histogram:
    """A voters-weighted histogram of `fractions` (0..1) in 1-point bins."""
    percent = np.clip(fractions * 100.0, 0.0, 100.0)
    bins = np.minimum((percent // BIN_POINTS).astype(np.int64), int(100 / BIN_POINTS) - 1)
    counts = np.bincount(bins, weights=weights, minlength=int(100 / BIN_POINTS))
    total = weights.sum()
    mean = float((fractions * weights).sum() / total) if total > 0 else float("nan")
    quantiles = {
        f"q{int(q * 100):02d}": weighted_quantile(fractions, weights, q)
        for q in (0.1, 0.25, 0.5, 0.75, 0.9)
    }
    return Histogram(name=name, counts=tuple(counts.tolist()), mean=mean, quantiles=quantiles)


def distributions(table: StationTable) -> Distributions:
    """Aggregate turnout and shares, their voters-weighted histograms and high-turnout shares."""
    known = table.turnout_known
    registered = table.registered[known]
    voters = table.voters[known]
    turnout_fraction = voters / registered
    # The aggregate figure, as a commission publishes it: every published voter over every
    # registered one. Stations abroad often publish voters with no list (Georgia 2024: 65
    # stations, 25,276 voters), so it can differ from the turnout over stations with both.
    all_registered = int(table.registered[table.has_registered].sum())
    all_voters = int(table.voters[table.has_voters].sum())
    turnout = all_voters / all_registered if all_registered > 0 else None
    matched_turnout = float(voters.sum() / registered.sum()) if registered.sum() > 0 else None

    valid_total = int(table.valid.sum())
    totals = table.votes.sum(axis=0)
    shares = {
        name: float(totals[i] / valid_total) if valid_total > 0 else 0.0
        for i, name in enumerate(table.contestants)
    }
    with_valid = table.valid > 0
    share_histograms = tuple(
        histogram(
            name,
            table.votes[with_valid, i] / table.valid[with_valid],
            table.valid[with_valid].astype(np.float64),
        )
        for i, name in enumerate(table.contestants)
    )
    n = int(known.sum())
    high = []
    for threshold in HIGH_TURNOUT_THRESHOLDS:
        above = 100 * voters >= threshold * registered
        count = int(above.sum())
        if n:
            interval = binomtest(count, n).proportion_ci(method="wilson")
            low, high_ci = float(interval.low), float(interval.high)
        else:
            low = high_ci = float("nan")
        high.append(
            HighTurnout(
                threshold=threshold,
                stations=count,
                share=count / n if n else float("nan"),
                low=low,
                high=high_ci,
                voters_share=float(voters[above].sum() / voters.sum()) if voters.sum() else 0.0,
            )
        )
    return Distributions(
        stations=len(table),
        stations_with_turnout=n,
        registered=all_registered,
        voters=all_voters,
        valid=valid_total,
        turnout=turnout,
        matched_turnout=matched_turnout,
        shares=shares,
        turnout_histogram=histogram("turnout", turnout_fraction, voters.astype(np.float64)),
        share_histograms=share_histograms,
        high_turnout=tuple(high),
    )
