"""saylau's own elections as a per-station table: the same tests, straight from the protocols.

Read through the owning contexts' services: PEC placement from administration, the protocol
version in force from results, visited stations from observation. Figures are the profile's
published totals (`protocol.totals`: registered, voters, valid, invalid), so the table adds up
to the published national result exactly.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.administration.service import pec_placements, profile_of
from saylau.domain.integrity.stations import StationTable
from saylau.observation.submissions import observed_unit_ids
from saylau.results.tabulation import current_pec_lines

FOUND_LINE = "ballots_found"
"""The protocol line holding ballots found in the boxes, where a profile has one."""


def own_station_table(session: Session, election: Election) -> StationTable:
    """Every PEC with an accepted protocol, as a StationTable.

    Attributes: `kind` (regular, special, abroad), `urban` (yes, no, unknown) and `observed`
    (yes when an observation mission filed any checklist there).
    """
    profile = profile_of(election)
    numbers = {line.code: line.no for line in profile.lines}
    lines = current_pec_lines(session, election)
    placements = [p for p in pec_placements(session, election) if p.unit_id in lines]
    observed = observed_unit_ids(session, election.id)

    contestant_lines = [line for line in profile.candidate_lines if line.candidate is not None]
    names = {c.code: c.name for c in profile.candidates}
    contestants = [names[line.candidate] for line in contestant_lines if line.candidate]
    against = profile.against_all_line
    if against is not None:
        contestant_lines.append(against)
        contestants.append("Against all")

    def total(values: dict[int, int], name: str) -> int:
        return sum(values.get(numbers[code], 0) for code in profile.totals.get(name, ()))

    rows = [lines[p.unit_id] for p in placements]
    found_no = numbers.get(FOUND_LINE)
    return StationTable.build(
        codes=[p.code for p in placements],
        region=[p.region for p in placements],
        district=[p.district for p in placements],
        registered=[total(v, "registered") for v in rows],
        voters=[total(v, "voters") for v in rows],
        valid=[total(v, "valid") for v in rows],
        invalid=[total(v, "invalid") for v in rows],
        votes=np.array(
            [[v.get(line.no, 0) for line in contestant_lines] for v in rows], dtype=np.int64
        ).reshape(len(rows), len(contestant_lines)),
        contestants=contestants,
        found=None if found_no is None else [v.get(found_no, 0) for v in rows],
        attributes={
            "kind": [p.subtype for p in placements],
            "urban": [
                "unknown" if p.urban is None else ("yes" if p.urban else "no") for p in placements
            ],
            "observed": ["yes" if p.unit_id in observed else "no" for p in placements],
        },
    )
