"""The Wilson interval against published values (Newcombe, Statistics in Medicine 17, 1998,
Table II, method 3), and the shares findings are built from."""

from __future__ import annotations

import pytest

from saylau.domain.findings import share, wilson


@pytest.mark.parametrize(
    ("count", "total", "low", "high"),
    [
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.0, 16.11),
        (1, 29, 0.61, 17.18),
    ],
)
def test_wilson_matches_newcombe(count: int, total: int, low: float, high: float) -> None:
    got = wilson(count, total)
    assert got == pytest.approx((low, high), abs=0.01)


def test_a_share_keeps_its_observations() -> None:
    found = share([7, 3, 9], 40)
    assert (found.count, found.applicable, found.pct) == (3, 40, 7.5)
    assert found.ids == (3, 7, 9)
    assert found.low < 7.5 < found.high
    assert share([], 0).pct == 0.0 and share([], 0).as_dict()["ci95"] == [0.0, 0.0]
