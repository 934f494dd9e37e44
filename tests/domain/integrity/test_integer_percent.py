"""Integer-percent counting is exact, and the resampling null is honest and has power."""

from __future__ import annotations

import numpy as np
import pytest

from saylau.domain.integrity.integer_percent import (
    integer_distance,
    integer_percent_test,
    is_integer_percent,
    nearest_integer_percent,
)
from saylau.domain.integrity.simulate import CleanModel, plant_rounding, simulate_clean


def test_whole_percentages_to_the_nearest_vote() -> None:
    totals = np.array([1000, 1000, 1237, 1237, 1237, 200])
    counts = np.array([700, 701, 866, 865, 867, 141])
    # 866/1237 = 70.0081%: the count nearest 70%; 865 and 867 are 69.93% and 70.09%.
    assert is_integer_percent(counts, totals).tolist() == [True, False, True, False, False, False]
    assert nearest_integer_percent(counts, totals).tolist() == [70, 70, 70, 70, 70, 71]
    assert integer_distance(np.array([866]), np.array([1237])).tolist() == [10]  # 10/1237 pts


def test_a_fixed_tolerance_in_points() -> None:
    totals = np.array([1000, 1000])
    counts = np.array([701, 702])  # 70.1% and 70.2%
    assert is_integer_percent(counts, totals, tolerance_pp=0.15).tolist() == [True, False]


def test_every_count_of_a_hundred_voter_station_is_whole() -> None:
    totals = np.full(101, 100)
    assert is_integer_percent(np.arange(101), totals).all()


def test_clean_elections_are_not_accused() -> None:
    alarms = [
        integer_percent_test(simulate_clean(CleanModel(), seed=seed), repetitions=200, seed=seed)
        for seed in range(30)
    ]
    for name in ("turnout", "leader_share", "either", "both", "combined"):
        rate = np.mean([getattr(a, name).p_value < 0.05 for a in alarms])
        assert rate <= 0.15, (name, rate)  # about 5% expected; 30 runs allow sampling noise


def test_rounding_in_one_percent_of_stations_is_found() -> None:
    found = 0
    for seed in range(10):
        planted = plant_rounding(simulate_clean(CleanModel(), seed=seed), share=0.01, seed=seed)
        result = integer_percent_test(planted.table, repetitions=200, seed=seed)
        found += result.combined.p_value < 0.05
        assert result.combined.observed > result.combined.null_mean
    assert found >= 9


def test_the_same_seed_gives_the_same_null() -> None:
    table = simulate_clean(CleanModel(stations=500), seed=3)
    a = integer_percent_test(table, repetitions=50, seed=7)
    b = integer_percent_test(table, repetitions=50, seed=7)
    assert a == b
    assert a.stations_used == int(((table.voters >= 100) & (table.registered > 0)).sum())


def test_small_stations_are_left_out() -> None:
    table = simulate_clean(CleanModel(stations=500), seed=3)
    result = integer_percent_test(table, repetitions=10, min_voters=10_000)
    assert result.stations_used == 0
    assert result.turnout.observed == 0


def test_repetitions_must_be_positive() -> None:
    with pytest.raises(ValueError, match="repetitions"):
        integer_percent_test(simulate_clean(CleanModel(stations=50), seed=1), repetitions=0)
