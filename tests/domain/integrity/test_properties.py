"""Invariants of the integrity arithmetic, checked against exact rational arithmetic."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from saylau.domain.integrity.digits import last_digits, second_digits
from saylau.domain.integrity.integer_percent import is_integer_percent, nearest_integer_percent

totals = st.integers(min_value=1, max_value=10**7)


@given(st.data(), totals)
def test_whole_percent_to_the_nearest_vote_is_exact(data: st.DataObject, total: int) -> None:
    count = data.draw(st.integers(min_value=0, max_value=total))
    percent = Fraction(100 * count, total)
    nearest = round(percent)  # the whole percentage nearest the count's
    # Whole "to the nearest vote": within half a vote, 50/total points, of a whole percentage.
    expected = abs(percent - nearest) <= Fraction(50, total)
    got = is_integer_percent(np.array([count]), np.array([total]))[0]
    assert bool(got) == expected
    assert abs(
        Fraction(int(nearest_integer_percent(np.array([count]), np.array([total]))[0])) - percent
    ) <= Fraction(1, 2)


@given(st.integers(min_value=10, max_value=10**15))
def test_digits_are_the_written_ones(count: int) -> None:
    assert int(second_digits(np.array([count]))[0]) == int(str(count)[1])
    assert int(last_digits(np.array([count]))[0]) == int(str(count)[-1])
