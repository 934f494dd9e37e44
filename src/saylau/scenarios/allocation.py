"""Exact integer allocation: splitting published totals over polling stations.

The reference scenario must reproduce Annex I to the vote while every station's numbers vary as
real precincts do. Floating-point shares are drawn freely; these functions turn them into
integers whose sums are exact and which never exceed a station's capacity (no station can have
more voters than registered, more valid votes than ballots found).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Int = NDArray[np.int64]


def apportion(total: int, weights: ArrayLike, caps: ArrayLike | None = None) -> Int:
    """Split `total` into integers proportional to `weights`, none above its cap.

    Largest-remainder rounding, repeated while caps bind (water-filling). Raises ValueError when
    the caps cannot hold the total.
    """
    w = np.asarray(weights, dtype=float)
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    n = len(w)
    cap = (
        np.full(n, max(int(total), 0), dtype=np.int64)
        if caps is None
        else np.asarray(caps, dtype=np.int64)
    )
    if total < 0:
        raise ValueError(f"cannot apportion a negative total {total}")
    if n == 0 and total > 0:
        raise ValueError(f"nowhere to put a total of {total}")
    if total > int(cap.clip(min=0).sum(dtype=np.int64)):
        raise ValueError(f"caps hold {int(cap.clip(min=0).sum())}, less than the total {total}")
    result = np.zeros(n, dtype=np.int64)
    remaining = int(total)
    while remaining > 0:
        slack = cap - result
        eligible = slack > 0
        ww = np.where(eligible, w, 0.0)
        if ww.sum() <= 0:
            ww = eligible.astype(float)
        share = remaining * ww / ww.sum()
        base = np.minimum(np.floor(share).astype(np.int64), slack)
        if base.sum() > 0:
            result += base
            remaining -= int(base.sum())
            continue
        order = np.argsort(-(share - np.floor(share)), kind="stable")
        take = order[eligible[order]][:remaining]
        result[take] += 1
        remaining -= len(take)
    return result


def fit_margins(
    seed: ArrayLike, row_sums: ArrayLike, col_sums: ArrayLike, iterations: int = 200
) -> NDArray[np.float64]:
    """Iterative proportional fitting: scale `seed` so its rows and columns sum as given."""
    m = np.asarray(seed, dtype=float).copy()
    rows = np.asarray(row_sums, dtype=float)
    cols = np.asarray(col_sums, dtype=float)
    for _ in range(iterations):
        r = m.sum(axis=1)
        m *= np.divide(rows, r, out=np.zeros_like(rows), where=r > 0)[:, None]
        c = m.sum(axis=0)
        m *= np.divide(cols, c, out=np.zeros_like(cols), where=c > 0)[None, :]
        if np.allclose(m.sum(axis=1), rows, rtol=1e-9, atol=1e-6):
            break
    return m


def integer_table(expected: ArrayLike, row_sums: ArrayLike, col_sums: ArrayLike) -> Int:
    """Round a fitted table to integers with both margins exact.

    Columns but the last are apportioned one by one within each row's remaining room; the last
    column takes what is left of each row, so its total is exact by construction. Put the
    largest column last: it absorbs the rounding with the least relative change.
    """
    m = np.asarray(expected, dtype=float)
    rows = np.asarray(row_sums, dtype=np.int64)
    cols = np.asarray(col_sums, dtype=np.int64)
    if rows.sum() != cols.sum():
        raise ValueError(f"row sums {rows.sum()} and column sums {cols.sum()} differ")
    out = np.zeros(m.shape, dtype=np.int64)
    room = rows.copy()
    for j in range(m.shape[1] - 1):
        out[:, j] = apportion(int(cols[j]), m[:, j], room)
        room -= out[:, j]
    out[:, -1] = room
    return out
