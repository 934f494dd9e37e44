"""Exact integer allocation: totals kept, caps respected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from saylau.scenarios.allocation import apportion, fit_margins, integer_table


@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40),
    st.integers(0, 10**7),
)
def test_apportion_keeps_the_total(weights: list[float], total: int) -> None:
    out = apportion(total, weights)
    assert int(out.sum()) == total and (out >= 0).all()


@given(
    st.lists(
        st.tuples(st.floats(0, 100, allow_nan=False), st.integers(0, 500)), min_size=1, max_size=40
    ),
    st.data(),
)
def test_apportion_never_exceeds_a_cap(pairs: list[tuple[float, int]], data: st.DataObject) -> None:
    weights, caps = zip(*pairs, strict=True)
    total = data.draw(st.integers(0, sum(caps)))
    out = apportion(total, weights, caps)
    assert int(out.sum()) == total
    assert (out <= np.array(caps)).all()


def test_apportion_refuses_what_the_caps_cannot_hold() -> None:
    with pytest.raises(ValueError, match="caps hold 3"):
        apportion(4, [1, 1], [1, 2])


def test_integer_table_has_exact_margins() -> None:
    rng = np.random.default_rng(1)
    rows = rng.integers(0, 3000, 200)
    share = np.array([0.03, 0.02, 0.05, 0.1, 0.8])
    cols = np.floor(share * rows.sum()).astype(np.int64)
    cols[-1] = rows.sum() - cols[:-1].sum()
    expected = fit_margins(rng.random((200, 5)) * share, rows, cols)
    table = integer_table(expected, rows, cols)
    assert (table.sum(axis=1) == rows).all()
    assert (table.sum(axis=0) == cols).all()
    assert (table >= 0).all()
