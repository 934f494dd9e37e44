"""How well the integrity tests do: false alarms on clean elections, detection of planted fraud.

A test is honest if, on elections simulated without fraud, it reports p < 0.05 in about 5% of
runs (its stated size), and useful if it finds fraud that was planted. Station flags are judged
per station: recall (planted stations flagged) and false-positive rate (clean stations
flagged). These functions run the same code the CLI runs, on `simulate.py`'s elections; the
tests assert the targets on small runs and `bench/analytics_power.py` writes the full figures
into docs/analytics.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from saylau.domain.integrity.digits import digit_tests, holm
from saylau.domain.integrity.fingerprint import fingerprint
from saylau.domain.integrity.flags import station_flags
from saylau.domain.integrity.integer_percent import integer_percent_test
from saylau.domain.integrity.simulate import (
    CleanModel,
    plant_rounding,
    plant_stuffing,
    simulate_clean,
)
from saylau.domain.integrity.stations import StationTable
from saylau.domain.integrity.turnout_share import turnout_share

ALPHA = 0.05


def test_p_values(
    table: StationTable, *, repetitions: int, bootstrap: int, seed: int
) -> dict[str, float]:
    """Each test's p-value on one election (the smallest Holm p for the digit tests).

    The Sobyanin-Sukhovolsky regression gives an interval, not a p-value; it enters as 0 when
    the leader's slope is above 1 with 95% confidence (its alarm) and 1 otherwise.
    """
    integer = integer_percent_test(table, repetitions=repetitions, seed=seed)
    digits = digit_tests(table, seed=seed)
    values = {
        "integer percent: turnout": integer.turnout.p_value,
        "integer percent: leader share": integer.leader_share.p_value,
        "integer percent: either": integer.either.p_value,
        "integer percent: both": integer.both.p_value,
        "integer percent: combined (weighted both)": integer.combined.p_value,
        "last digit (any contestant, Holm)": _min_p([t.p_adjusted for t in digits.last_digit]),
        "second digit (any contestant, Holm)": _min_p([t.p_adjusted for t in digits.second_digit]),
        "last digit against uniform (reference law)": _min_p(
            holm([t.reference_p for t in digits.last_digit])
        ),
        "second digit against Benford (reference law)": _min_p(
            holm([t.reference_p for t in digits.second_digit])
        ),
        "leader slope above 1": 0.0
        if turnout_share(table).national.leader_gains_beyond_voters
        else 1.0,
    }
    if bootstrap > 0:
        fit = fingerprint(table, bootstrap=bootstrap, seed=seed)
        values["fingerprint: incremental fraud"] = fit.incremental_p
        values["fingerprint: extreme fraud"] = fit.extreme_p
    return values


def _min_p(values: list[float]) -> float:
    present = [v for v in values if v == v]
    return min(present) if present else 1.0


@dataclass(frozen=True)
class Rates:
    """Share of runs with p < ALPHA for each test, over `runs` simulated elections."""

    runs: int
    rates: dict[str, float]


def alarm_rates(
    make: Callable[[int], StationTable],
    runs: int,
    *,
    repetitions: int = 200,
    bootstrap: int = 0,
    first_seed: int = 0,
) -> Rates:
    """Run every test on `runs` elections made by `make(seed)`; the share of alarms for each."""
    alarms: dict[str, int] = {}
    for run in range(runs):
        seed = first_seed + run
        for name, p in test_p_values(
            make(seed), repetitions=repetitions, bootstrap=bootstrap, seed=seed
        ).items():
            alarms[name] = alarms.get(name, 0) + (p < ALPHA)
    return Rates(runs=runs, rates={k: v / runs for k, v in alarms.items()})


def clean_election(model: CleanModel) -> Callable[[int], StationTable]:
    return lambda seed: simulate_clean(model, seed=seed)


def rounded_election(model: CleanModel, share: float) -> Callable[[int], StationTable]:
    """Elections where `share` of stations had their protocols rounded to whole percentages."""
    return lambda seed: (
        plant_rounding(simulate_clean(model, seed=seed), share=share, seed=seed + 10_000).table
    )


def stuffed_election(
    model: CleanModel, share: float, points: float
) -> Callable[[int], StationTable]:
    return lambda seed: (
        plant_stuffing(
            simulate_clean(model, seed=seed), share=share, points=points, seed=seed + 10_000
        ).table
    )


@dataclass(frozen=True)
class FlagPerformance:
    """Station flags against planted stuffing, pooled over runs."""

    points: float
    share: float
    planted: int
    clean: int
    recall: float
    false_positive_rate: float


def flag_performance(
    model: CleanModel, *, points: float, share: float, runs: int, first_seed: int = 0
) -> FlagPerformance:
    """Recall on stuffed stations and false-positive rate on the rest, pooled over runs."""
    hit = planted = false = clean = 0
    for run in range(runs):
        seed = first_seed + run
        result = plant_stuffing(
            simulate_clean(model, seed=seed), share=share, points=points, seed=seed + 10_000
        )
        flagged = station_flags(result.table).mask
        hit += int(np.count_nonzero(flagged & result.mask))
        planted += int(np.count_nonzero(result.mask))
        false += int(np.count_nonzero(flagged & ~result.mask))
        clean += int(np.count_nonzero(~result.mask))
    return FlagPerformance(
        points=points,
        share=share,
        planted=planted,
        clean=clean,
        recall=hit / planted if planted else float("nan"),
        false_positive_rate=false / clean if clean else float("nan"),
    )
