"""The per-station table every integrity test reads: one row per polling station, as arrays.

Tests are vectorised over stations (an election has up to a million of them), so the table is
columns, not objects. Missing figures stay missing: a station whose voters were not published
has `voters` masked out (`has_voters` False) rather than a made-up zero, and each test says
how many stations it could use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from saylau.domain.errors import Rejected


class StationTableError(Rejected):
    """A station table whose columns disagree in length or hold impossible values."""


@dataclass(frozen=True)
class StationTable:
    """Per-station results of one election.

    codes: the station's code, unique. region, district: the units it sits in (codes or names),
    used to compare a station with its neighbours and to break figures down.
    registered: voters on the list. voters: voters who received a ballot (turnout's numerator).
    valid, invalid: ballots counted. found: ballots found in the boxes where the protocol has
    the line (else valid + invalid). votes: (stations, contestants) valid votes per contestant,
    in the order of `contestants`. A missing registered/voters/invalid figure is -1 in the
    array; use the `has_*` masks. attributes: any other per-station column, as strings, kept
    for subgroup comparisons (counting method, station kind, observed or not).
    """

    codes: np.ndarray
    region: np.ndarray
    district: np.ndarray
    registered: np.ndarray
    voters: np.ndarray
    valid: np.ndarray
    invalid: np.ndarray
    votes: np.ndarray
    contestants: tuple[str, ...]
    found: np.ndarray | None = None
    attributes: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.codes)
        for name in ("region", "district", "registered", "voters", "valid", "invalid"):
            if len(getattr(self, name)) != n:
                raise StationTableError(
                    f"column {name} has {len(getattr(self, name))} rows, not {n}"
                )
        if self.votes.shape != (n, len(self.contestants)):
            raise StationTableError(
                f"votes has shape {self.votes.shape}, not ({n}, {len(self.contestants)})"
            )
        if self.found is not None and len(self.found) != n:
            raise StationTableError(f"column found has {len(self.found)} rows, not {n}")
        for name, values in self.attributes.items():
            if len(values) != n:
                raise StationTableError(f"attribute {name} has {len(values)} rows, not {n}")

    @classmethod
    def build(
        cls,
        *,
        codes: Sequence[str],
        region: Sequence[str],
        district: Sequence[str],
        registered: Sequence[int | None],
        voters: Sequence[int | None],
        valid: Sequence[int],
        invalid: Sequence[int | None],
        votes: Sequence[Sequence[int]] | np.ndarray,
        contestants: Sequence[str],
        found: Sequence[int | None] | None = None,
        attributes: Mapping[str, Sequence[str]] | None = None,
    ) -> StationTable:
        """A table from plain Python values; None marks a figure that was not published."""

        def counts(values: Sequence[int | None]) -> np.ndarray:
            return np.array([-1 if v is None else v for v in values], dtype=np.int64)

        return cls(
            codes=np.asarray(codes, dtype=object),
            region=np.asarray(region, dtype=object),
            district=np.asarray(district, dtype=object),
            registered=counts(registered),
            voters=counts(voters),
            valid=np.asarray(valid, dtype=np.int64),
            invalid=counts(invalid),
            votes=np.asarray(votes, dtype=np.int64).reshape(len(codes), len(contestants)),
            contestants=tuple(contestants),
            found=None if found is None else counts(found),
            attributes={k: np.asarray(v, dtype=object) for k, v in (attributes or {}).items()},
        )

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def has_registered(self) -> np.ndarray:
        return self.registered > 0

    @property
    def has_voters(self) -> np.ndarray:
        return self.voters >= 0

    @property
    def turnout_known(self) -> np.ndarray:
        """Stations whose turnout is defined: voters published and a non-empty list."""
        return self.has_registered & self.has_voters

    @property
    def ballots_found(self) -> np.ndarray:
        """Ballots found in the boxes: the protocol's line, or valid + invalid (-1 if unknown)."""
        if self.found is not None:
            return self.found
        return np.where(self.invalid >= 0, self.valid + self.invalid, -1)

    def leader_index(self) -> int:
        """The contestant with the most valid votes nationally: the one fraud would favour."""
        return int(np.argmax(self.votes.sum(axis=0)))

    @property
    def leader(self) -> str:
        return self.contestants[self.leader_index()]

    def subset(self, mask: np.ndarray) -> StationTable:
        """The stations where `mask` holds (a boolean array, or indices)."""
        return StationTable(
            codes=self.codes[mask],
            region=self.region[mask],
            district=self.district[mask],
            registered=self.registered[mask],
            voters=self.voters[mask],
            valid=self.valid[mask],
            invalid=self.invalid[mask],
            votes=self.votes[mask],
            contestants=self.contestants,
            found=None if self.found is None else self.found[mask],
            attributes={k: v[mask] for k, v in self.attributes.items()},
        )
