"""Integer-percent excess: the fingerprint of results written to a target, not counted.

Kobak, Shpilkin and Pshenichnikov ("Integer percentages as electoral falsification
fingerprints", Annals of Applied Statistics 10(1), 2016) found that in Russian elections far
more polling stations than chance allows reported a turnout or a leader's share that is a whole
percentage (70%, 75%, 80%...): the mark of a protocol filled in to a target. How many stations
land on an integer by chance depends on each station's size (with 100 voters every count is a
whole percentage; with 1,237 almost none is), so the null is not a formula but a resampling:
each station's counts are redrawn from a binomial with its own size and rate, which keeps every
station's size and expected result and smooths away any preference for particular values. The
observed count of integer stations is compared with the distribution of that count over the
redraws: the excess, the null's mean and sd, and a Monte Carlo p-value.

Four counts are tested: stations with an integer turnout, with an integer leader share, with
either, and with both; and a combined score, the `both` stations weighted by how unlikely luck
makes each of them (a large station on two whole percentages says more than a small one).

A percentage counts as integer when the count is the one nearest to an integer percentage
("to the nearest vote": within half a vote, 50/n points), or, with `tolerance_pp`, within that
many percentage points. All arithmetic on counts is integer, so no float rounding decides it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from saylau.domain.integrity.stations import StationTable

DEFAULT_REPETITIONS = 1000
DEFAULT_MIN_VOTERS = 100
_CHUNK_ELEMENTS = 4_000_000
"""Redraws are generated this many station-values at a time: memory stays flat at any size."""


def integer_distance(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """How far 100·count/total is from the nearest integer percent, in units of 1/total points.

    With r = 100·count mod total the distance is min(r, total - r)/total points; returning the
    integer numerator keeps the comparison exact.
    """
    remainder = (100 * counts) % totals
    return np.minimum(remainder, totals - remainder)


def is_integer_percent(
    counts: np.ndarray, totals: np.ndarray, tolerance_pp: float | None = None
) -> np.ndarray:
    """Whether each count/total is an integer percentage (to the nearest vote, or within tol)."""
    distance = integer_distance(counts, totals)
    if tolerance_pp is None:
        return 2 * distance <= 100
    return distance <= tolerance_pp * totals


def nearest_integer_percent(counts: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """The integer percentage nearest to each count/total (ties go up)."""
    return (200 * counts + totals) // (2 * totals)


def chance_of_both(registered: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """About how often luck puts a station on whole percentages of both turnout and share: of
    the n + 1 possible counts, about 101 are the nearest to a whole percent."""
    return np.minimum(1.0, 101 / (registered + 1)) * np.minimum(1.0, 101 / (valid + 1))


def chance_weight(registered: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """log(1/q), q = `chance_of_both`: how much a station on both whole percentages says."""
    return -np.log(chance_of_both(registered, valid))


@dataclass(frozen=True)
class Excess:
    """Integer stations observed against the binomial-resampling null."""

    quantity: str
    observed: float
    null_mean: float
    null_sd: float
    p_value: float

    @property
    def excess(self) -> float:
        return self.observed - self.null_mean

    @property
    def z(self) -> float:
        return self.excess / self.null_sd if self.null_sd > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "quantity": self.quantity,
            "observed": self.observed,
            "null_mean": round(self.null_mean, 3),
            "null_sd": round(self.null_sd, 3),
            "excess": round(self.excess, 3),
            "z": round(self.z, 3),
            "p_value": self.p_value,
        }


@dataclass(frozen=True)
class IntegerPercentResult:
    """The test for turnout, for the leader's share, and for either, on the stations used."""

    stations_used: int
    min_voters: int
    tolerance_pp: float | None
    repetitions: int
    seed: int
    leader: str
    turnout: Excess
    leader_share: Excess
    either: Excess
    both: Excess
    """Stations where turnout and the leader's share are both whole percentages: chance rarely
    gives both (about 1% of 1,000-voter stations), a protocol written to targets always does."""
    combined: Excess
    """The `both` stations, each weighted by log(1/q), q being the chance that a station of its
    size lands on both by luck (about 101/registered x 101/valid): a large station on two whole
    percentages is far stronger evidence than a small one, and weighting by it finds rounding
    in 1% of 3,000 stations where the plain counts mostly do not (docs/analytics.md). The
    resampling null is computed for the same weighted score, so it stays exact."""
    turnout_by_value: tuple[tuple[int, int, float], ...]
    """(integer percent, stations observed on it, null mean) for 0..100, turnout."""
    share_by_value: tuple[tuple[int, int, float], ...]
    """The same for the leader's share."""

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "Kobak, Shpilkin and Pshenichnikov (2016), binomial resampling null",
            "stations_used": self.stations_used,
            "min_voters": self.min_voters,
            "tolerance_pp": self.tolerance_pp,
            "repetitions": self.repetitions,
            "seed": self.seed,
            "leader": self.leader,
            "turnout": self.turnout.to_dict(),
            "leader_share": self.leader_share.to_dict(),
            "either": self.either.to_dict(),
            "both": self.both.to_dict(),
            "combined": self.combined.to_dict(),
        }


def _excess(quantity: str, observed: float, null: np.ndarray) -> Excess:
    at_least = int(np.count_nonzero(null >= observed - 1e-9))
    return Excess(
        quantity=quantity,
        observed=observed,
        null_mean=float(null.mean()),
        null_sd=float(null.std(ddof=1)) if len(null) > 1 else 0.0,
        p_value=(1 + at_least) / (1 + len(null)),
    )


def integer_percent_test(
    table: StationTable,
    *,
    repetitions: int = DEFAULT_REPETITIONS,
    min_voters: int = DEFAULT_MIN_VOTERS,
    tolerance_pp: float | None = None,
    seed: int = 0,
) -> IntegerPercentResult:
    """Count integer-percent stations and compare with `repetitions` binomial redraws.

    Only stations with at least `min_voters` voters take part: at small stations nearly every
    count is an integer percentage and they would drown the signal (the paper's restriction).
    The turnout redraw keeps the list size and the turnout; the share redraw keeps the valid
    votes and the leader's share. The p-value is one-sided (an excess is the fingerprint),
    (1 + redraws at or above the observed) / (1 + repetitions).
    """
    if repetitions < 1:
        raise ValueError("repetitions must be at least 1")
    leader = table.leader_index()
    usable = table.turnout_known & (table.voters >= min_voters) & (table.valid > 0)
    usable &= table.voters <= table.registered
    registered = table.registered[usable]
    voters = table.voters[usable]
    valid = table.valid[usable]
    leader_votes = table.votes[usable, leader]
    n = len(registered)

    turnout_rate = voters / registered
    share_rate = leader_votes / valid
    observed_turnout = is_integer_percent(voters, registered, tolerance_pp)
    observed_share = is_integer_percent(leader_votes, valid, tolerance_pp)

    null_turnout = np.empty(repetitions, dtype=np.int64)
    null_share = np.empty(repetitions, dtype=np.int64)
    null_either = np.empty(repetitions, dtype=np.int64)
    null_both = np.empty(repetitions, dtype=np.int64)
    null_combined = np.empty(repetitions, dtype=np.float64)
    weight = chance_weight(registered, valid)
    turnout_values = np.zeros(101, dtype=np.float64)
    share_values = np.zeros(101, dtype=np.float64)
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_ELEMENTS // max(n, 1))
    done = 0
    while done < repetitions:
        k = min(chunk, repetitions - done)
        redrawn_voters = rng.binomial(registered, turnout_rate, size=(k, n))
        redrawn_leader = rng.binomial(valid, share_rate, size=(k, n))
        on_turnout = is_integer_percent(redrawn_voters, registered, tolerance_pp)
        on_share = is_integer_percent(redrawn_leader, valid, tolerance_pp)
        null_turnout[done : done + k] = on_turnout.sum(axis=1)
        null_share[done : done + k] = on_share.sum(axis=1)
        null_either[done : done + k] = (on_turnout | on_share).sum(axis=1)
        null_both[done : done + k] = (on_turnout & on_share).sum(axis=1)
        null_combined[done : done + k] = (on_turnout & on_share) @ weight
        rows, cols = np.nonzero(on_turnout)
        turnout_values += np.bincount(
            nearest_integer_percent(redrawn_voters[rows, cols], registered[cols]), minlength=101
        )[:101]
        rows, cols = np.nonzero(on_share)
        share_values += np.bincount(
            nearest_integer_percent(redrawn_leader[rows, cols], valid[cols]), minlength=101
        )[:101]
        done += k

    def by_value(
        observed: np.ndarray, counts: np.ndarray, totals: np.ndarray, null: np.ndarray
    ) -> tuple[tuple[int, int, float], ...]:
        seen = np.bincount(nearest_integer_percent(counts, totals)[observed], minlength=101)[:101]
        return tuple((p, int(seen[p]), float(null[p] / repetitions)) for p in range(101))

    return IntegerPercentResult(
        stations_used=n,
        min_voters=min_voters,
        tolerance_pp=tolerance_pp,
        repetitions=repetitions,
        seed=seed,
        leader=table.contestants[leader],
        turnout=_excess("turnout", int(observed_turnout.sum()), null_turnout),
        leader_share=_excess("leader share", int(observed_share.sum()), null_share),
        either=_excess(
            "turnout or leader share", int((observed_turnout | observed_share).sum()), null_either
        ),
        combined=_excess(
            "turnout and leader share, weighted",
            float((observed_turnout & observed_share) @ weight),
            null_combined,
        ),
        both=_excess(
            "turnout and leader share", int((observed_turnout & observed_share).sum()), null_both
        ),
        turnout_by_value=by_value(observed_turnout, voters, registered, turnout_values),
        share_by_value=by_value(observed_share, leader_votes, valid, share_values),
    )
