"""saylau's own elections as a per-station table: the same tests, straight from the protocols.

Read through the owning contexts' services: PEC placement from administration, the protocol
version in force from results, visited stations from observation.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.administration.service import pec_placements, profile_of
from saylau.analytics.protocol_table import ProtocolStation, protocol_station_table
from saylau.domain.integrity.stations import StationTable
from saylau.observation.submissions import observed_unit_ids
from saylau.results.reads import current_pec_lines


def own_station_table(session: Session, election: Election) -> StationTable:
    """Every PEC with an accepted protocol, as a StationTable.

    Attributes: `kind` (regular, special, abroad), `urban` (yes, no, unknown) and `observed`
    (yes when an observation mission filed any checklist there).
    """
    profile = profile_of(election)
    code_of = {line.no: line.code for line in profile.lines}
    lines = current_pec_lines(session, election)
    observed = observed_unit_ids(session, election.id)
    return protocol_station_table(
        profile,
        [
            ProtocolStation(
                code=p.code,
                region=p.region,
                district=p.district,
                kind=p.subtype,
                urban=p.urban,
                observed=p.unit_id in observed,
                values={code_of[no]: value for no, value in lines[p.unit_id].items()},
            )
            for p in pec_placements(session, election)
            if p.unit_id in lines
        ],
    )
