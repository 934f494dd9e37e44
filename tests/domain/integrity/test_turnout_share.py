"""The Sobyanin-Sukhovolsky slope and the weighted correlation on known data."""

from __future__ import annotations

import math

import numpy as np

from saylau.domain.integrity.simulate import (
    CleanModel,
    plant_stuffing,
    plant_transfer,
    simulate_clean,
)
from saylau.domain.integrity.turnout_share import (
    turnout_share,
    weighted_correlation,
    weighted_slope,
)


def test_slope_of_an_exact_line() -> None:
    x = np.array([0.4, 0.5, 0.6, 0.7, 0.8])
    slope = weighted_slope(x, 0.2 + 0.5 * x, np.ones(5))
    assert math.isclose(slope.slope, 0.5) and math.isclose(slope.intercept, 0.2)
    assert slope.high - slope.low < 1e-9


def test_weights_count() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([0.0, 1.0, 2.0, 0.0])
    assert weighted_correlation(x, y, np.array([1.0, 1.0, 1.0, 1e-9])) > 0.99


def test_clean_slope_is_below_one_and_stuffing_with_transfer_lifts_it_above() -> None:
    clean = simulate_clean(CleanModel(), seed=8)
    national = turnout_share(clean).national
    assert 0.0 < national.leader_slope.slope < 1.0
    assert national.others_slope.slope > 0
    assert not national.leader_gains_beyond_voters
    # Stuffing alone pulls the slope towards 1 (each added ballot is one voter and one vote).
    stuffed = plant_stuffing(clean, share=0.3, points=0.25, seed=8)
    alone = turnout_share(stuffed.table).national
    assert national.leader_slope.slope + 0.1 < alone.leader_slope.slope < 1.0
    # Stuffing where the others' votes are also taken: the leader gains beyond the voters.
    both = plant_transfer(stuffed.table, share=0.3, fraction=0.5, seed=8).table
    result = turnout_share(both)
    assert result.national.leader_gains_beyond_voters
    assert result.national.others_slope.slope < 0
    assert len(result.regions) == 10
    low, high = result.national.correlation_low, result.national.correlation_high
    assert low < result.national.correlation < high
