"""Robust location and spread of a value within groups of stations, vectorised.

A station is judged against its neighbours (its district), not against the nation: turnout in a
mountain district and in a capital differ honestly. Median and MAD resist the very outliers
being looked for, so one stuffed station cannot hide itself by moving its district's centre.
"""

from __future__ import annotations

import numpy as np

from saylau.domain.integrity.stations import StationTable

MAD_TO_SD = 1.482602218505602
"""MAD times this estimates the standard deviation of a normal distribution."""


def group_index(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unique keys, each station's group number) for an array of hashable keys."""
    unique, inverse = np.unique(keys.astype(str), return_inverse=True)
    return unique, inverse


def group_median(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """The median of `values` within each group (NaN for an empty group)."""
    order = np.lexsort((values, groups))
    sorted_values = values[order]
    counts = np.bincount(groups, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    medians = np.full(n_groups, np.nan)
    has = counts > 0
    lower = starts[has] + (counts[has] - 1) // 2
    upper = starts[has] + counts[has] // 2
    medians[has] = (sorted_values[lower] + sorted_values[upper]) / 2
    return medians


def group_center_spread(
    values: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, MAD-based sd, station count) of `values` for every group."""
    median = group_median(values, groups, n_groups)
    deviation = np.abs(values - median[groups])
    spread = MAD_TO_SD * group_median(deviation, groups, n_groups)
    return median, spread, np.bincount(groups, minlength=n_groups)


def comparison_groups(table: StationTable, usable: np.ndarray, min_group: int) -> np.ndarray:
    """Each usable station's comparison group: its district if the district has `min_group`
    usable stations, else its region, else the nation; always within its `kind` if any."""
    n = len(table)
    kind = table.attributes.get("kind")
    suffix = np.full(n, "", dtype=object) if kind is None else "|" + kind.astype(str)
    levels = [
        "d:" + table.district.astype(str) + suffix,
        "r:" + table.region.astype(str) + suffix,
        "n:" + suffix,
    ]
    key = np.full(n, "", dtype=object)
    pending = usable.copy()
    index = np.flatnonzero(usable)
    for depth, keys in enumerate(levels):
        _, groups = group_index(keys[index])
        counts = np.bincount(groups)
        chosen = pending[index] & ((counts[groups] >= min_group) | (depth == len(levels) - 1))
        key[index[chosen]] = keys[index[chosen]]
        pending[index[chosen]] = False
    return key
