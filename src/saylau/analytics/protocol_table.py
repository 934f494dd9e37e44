"""Stations of one of saylau's own elections, from their protocols, as a `StationTable`.

Both the command line (reading the database) and the published site (reading a `Dataset`
snapshot) analyse the same protocols; this one function turns them into the table the tests
read, so the two can never count a line differently. Figures are the profile's published
totals (`protocol.totals`: registered, voters, valid, invalid), so the table adds up to the
published national result exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from saylau.domain.integrity.stations import StationTable
from saylau.domain.profile import Profile

FOUND_LINE = "ballots_found"
"""The protocol line holding ballots found in the boxes, where a profile has one."""
AGAINST_ALL = "Against all"


@dataclass(frozen=True)
class ProtocolStation:
    """One PEC with its protocol in force: where it sits, what it is, its line values by code.

    observed: whether an observation mission filed a checklist there (None: not known, as on
    the published site, which carries no observation data).
    """

    code: str
    region: str
    district: str
    kind: str
    urban: bool | None
    observed: bool | None
    values: Mapping[str, int]


def protocol_station_table(profile: Profile, stations: Sequence[ProtocolStation]) -> StationTable:
    """The stations as a StationTable, with attributes kind, urban and (when known) observed."""
    lines = [line for line in profile.candidate_lines if line.candidate is not None]
    names = {c.code: c.name for c in profile.candidates}
    contestants = [names[line.candidate] for line in lines if line.candidate]
    against = profile.against_all_line
    if against is not None:
        lines.append(against)
        contestants.append(AGAINST_ALL)
    codes = {line.code for line in profile.lines}

    def total(values: Mapping[str, int], name: str) -> int:
        return sum(values.get(code, 0) for code in profile.totals.get(name, ()))

    attributes: dict[str, list[str]] = {
        "kind": [s.kind for s in stations],
        "urban": ["unknown" if s.urban is None else ("yes" if s.urban else "no") for s in stations],
    }
    if any(s.observed is not None for s in stations):
        attributes["observed"] = ["yes" if s.observed else "no" for s in stations]
    return StationTable.build(
        codes=[s.code for s in stations],
        region=[s.region for s in stations],
        district=[s.district for s in stations],
        registered=[total(s.values, "registered") for s in stations],
        voters=[total(s.values, "voters") for s in stations],
        valid=[total(s.values, "valid") for s in stations],
        invalid=[total(s.values, "invalid") for s in stations],
        votes=np.array(
            [[s.values.get(line.code, 0) for line in lines] for s in stations], dtype=np.int64
        ).reshape(len(stations), len(lines)),
        contestants=contestants,
        found=[s.values.get(FOUND_LINE, 0) for s in stations] if FOUND_LINE in codes else None,
        attributes=attributes,
    )
