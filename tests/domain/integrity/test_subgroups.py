"""Subgroup comparisons: ratio estimates, their difference and interval, refused splits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from saylau.domain.integrity.simulate import CleanModel, simulate_clean
from saylau.domain.integrity.stations import StationTable
from saylau.domain.integrity.subgroups import compare_subgroups, ratio_estimate


def test_ratio_estimate_is_the_ratio_of_sums() -> None:
    ratio = ratio_estimate(np.array([60, 70, 80]), np.array([100, 100, 100]))
    assert math.isclose(ratio.value, 0.7)
    # Residuals -10, 0, 10: variance 200 / 2 / 3 / 100^2.
    assert math.isclose(ratio.se, math.sqrt(200 / 2 / 3 / 100**2))


def test_a_real_difference_is_found_and_none_is_invented() -> None:
    table = simulate_clean(CleanModel(), seed=21)
    urban = compare_subgroups(table, "urban")
    yes = next(g for g in urban.groups if g.value == "yes")
    assert yes.turnout_difference.high < 0  # cities vote less, by construction
    coin = np.where(np.random.default_rng(1).random(len(table)) < 0.5, "heads", "tails")
    fair = StationTable(**{**table.__dict__, "attributes": {"coin": coin}})
    heads = compare_subgroups(fair, "coin").groups[0]
    assert heads.turnout_difference.low < 0 < heads.turnout_difference.high


def test_unknown_or_identifier_attributes_are_refused() -> None:
    table = simulate_clean(CleanModel(stations=100), seed=1)
    with pytest.raises(KeyError, match="no station attribute 'colour'"):
        compare_subgroups(table, "colour")
    ids = StationTable(**{**table.__dict__, "attributes": {"id": table.codes}})
    with pytest.raises(ValueError, match="100 values"):
        compare_subgroups(ids, "id")
