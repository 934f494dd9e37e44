"""The fingerprint's fit sees planted fraud, stays near zero on clean data; histograms add up."""

from __future__ import annotations

import math

import numpy as np

from saylau.domain.integrity.distributions import distributions, weighted_quantile
from saylau.domain.integrity.fingerprint import PLOT_BINS, fingerprint
from saylau.domain.integrity.simulate import CleanModel, plant_stuffing, simulate_clean
from saylau.domain.integrity.stations import StationTable
from tests.domain.integrity.tables import table


def test_clean_fit_is_small_and_planted_fraud_is_fitted() -> None:
    clean = simulate_clean(CleanModel(), seed=2)
    fit = fingerprint(clean, bootstrap=20, seed=2)
    assert fit.fraud_incremental <= 0.05 and fit.incremental_interval[0] == 0.0
    assert fit.histogram.sum() == len(clean) and fit.histogram.shape == (PLOT_BINS, PLOT_BINS)
    stuffed = plant_stuffing(clean, share=0.2, points=0.2, seed=2).table
    fraud = fingerprint(stuffed, bootstrap=20, seed=2)
    assert fraud.fraud_incremental >= 0.1
    assert fraud.incremental_interval[0] > 0 and fraud.incremental_p < 0.05


def test_extreme_fraud_corner_is_fitted() -> None:
    clean = simulate_clean(CleanModel(), seed=6)
    votes = clean.votes.copy()
    voters = clean.voters.copy()
    corner = np.arange(len(clean)) % 25 == 0  # 4% of stations written at ~100% / ~100%
    leader = clean.leader_index()
    votes[corner] = 0
    votes[corner, leader] = clean.registered[corner] - clean.invalid[corner] - 2
    voters[corner] = clean.registered[corner] - 2
    forged = StationTable(**{**clean.__dict__, "votes": votes, "voters": voters,
                             "valid": votes.sum(axis=1)})  # fmt: skip
    fit = fingerprint(forged, bootstrap=20, seed=6)
    assert fit.fraud_extreme >= 0.02 and fit.extreme_p < 0.05


def test_histograms_count_voters_and_turnout_is_aggregate() -> None:
    t = table([(1000, 600, (400, 200)), (500, 500, (500, 0)), (0, 40, (30, 10))])
    d = distributions(t)
    assert math.isclose(sum(d.turnout_histogram.counts), 1100)
    assert d.turnout_histogram.counts[60] == 600 and d.turnout_histogram.counts[99] == 500
    assert math.isclose(d.turnout, 1140 / 1500)  # the station with no list still counts voters
    assert math.isclose(d.matched_turnout, 1100 / 1500)
    above = {h.threshold: h.stations for h in d.high_turnout}
    assert above == {80: 1, 95: 1, 99: 1}
    assert math.isclose(d.shares["C1"], 930 / 1140)


def test_weighted_quantile() -> None:
    values = np.array([0.1, 0.5, 0.9])
    assert weighted_quantile(values, np.array([1.0, 1.0, 10.0]), 0.5) == 0.9
    assert weighted_quantile(values, np.array([1.0, 1.0, 1.0]), 0.5) == 0.5
