"""Small hand-made station tables for the integrity tests."""

from __future__ import annotations

from collections.abc import Sequence

from saylau.domain.integrity.stations import StationTable


def table(
    rows: Sequence[tuple[int, int, Sequence[int]]],
    *,
    districts: Sequence[str] | None = None,
    invalid: int = 0,
    found: Sequence[int] | None = None,
    attributes: dict[str, Sequence[str]] | None = None,
) -> StationTable:
    """Stations from (registered, voters, votes per contestant); valid = sum of votes."""
    n = len(rows)
    return StationTable.build(
        codes=[f"S{i:04d}" for i in range(n)],
        region=["R1"] * n,
        district=list(districts) if districts is not None else ["D1"] * n,
        registered=[r[0] for r in rows],
        voters=[r[1] for r in rows],
        valid=[sum(r[2]) for r in rows],
        invalid=[invalid] * n,
        votes=[list(r[2]) for r in rows],
        contestants=[f"C{j + 1}" for j in range(len(rows[0][2]))],
        found=found,
        attributes=attributes,
    )
