"""Digit extraction is exact; the redraw null holds its size; invented digits are found."""

from __future__ import annotations

import math

import numpy as np

from saylau.domain.integrity.digits import (
    BENFORD_SECOND,
    digit_tests,
    holm,
    second_digits,
)
from saylau.domain.integrity.simulate import CleanModel, simulate_clean
from saylau.domain.integrity.stations import StationTable


def test_second_digits_at_powers_of_ten() -> None:
    counts = np.array([10, 19, 100, 109, 999, 1000, 1099, 10_000, 98_765])
    assert second_digits(counts).tolist() == [0, 9, 0, 0, 9, 0, 0, 0, 8]


def test_benford_second_digit_law() -> None:
    assert math.isclose(BENFORD_SECOND.sum(), 1.0)
    assert math.isclose(float((np.arange(10) * BENFORD_SECOND).sum()), 4.187, abs_tol=5e-4)
    assert math.isclose(BENFORD_SECOND[0], 0.11968, abs_tol=1e-5)


def test_holm_adjustment() -> None:
    adjusted = holm([0.01, 0.04, 0.03, float("nan")])
    assert [round(a, 4) for a in adjusted[:3]] == [0.03, 0.06, 0.06]
    assert math.isnan(adjusted[3])


def test_clean_counts_pass_and_the_reference_law_is_reported_beside() -> None:
    result = digit_tests(simulate_clean(CleanModel(), seed=11), seed=11)
    assert all(t.p_adjusted > 0.01 for t in result.last_digit if t.testable)
    assert all(len(t.reference) == 10 and not math.isnan(t.reference_p) for t in result.last_digit)


def test_invented_last_digits_are_found() -> None:
    table = simulate_clean(CleanModel(), seed=5)
    votes = table.votes.copy()
    leader = table.leader_index()
    # Someone rewrote the leader's counts to end in 0 or 5 at a third of the stations.
    rewrite = np.arange(len(table)) % 3 == 0
    votes[rewrite, leader] = (votes[rewrite, leader] // 5) * 5
    valid = votes.sum(axis=1)
    forged = StationTable(
        codes=table.codes,
        region=table.region,
        district=table.district,
        registered=table.registered,
        voters=table.invalid + valid,
        valid=valid,
        invalid=table.invalid,
        votes=votes,
        contestants=table.contestants,
    )
    result = digit_tests(forged, seed=5)
    assert result.last_digit[leader].p_adjusted < 0.001


def test_too_few_counts_are_not_testable() -> None:
    result = digit_tests(simulate_clean(CleanModel(stations=30), seed=2), seed=2)
    assert not any(t.testable for t in result.last_digit)
    assert all(math.isnan(t.p_value) for t in result.last_digit)
