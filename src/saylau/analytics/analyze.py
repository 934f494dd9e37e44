"""Run the integrity tests on an election by name: an imported one or one of saylau's own.

`saylau analyze --election NAME` must not care where the stations came from: a CSV of another
country's precincts (imported with a mapping) and saylau's own protocols become the same
`StationTable`, and the report names its source either way (the imported file's SHA-256, or the
audit-chain head the protocols were read at) so a reader can check what was tested.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from saylau.administration.service import election_exists, get_election, list_elections
from saylau.analytics.analyze_own import own_station_table
from saylau.analytics.stations import (
    get_imported,
    imported_election_exists,
    list_imported,
    load_station_table,
)
from saylau.audit.service import peek_head
from saylau.domain.errors import NotFound
from saylau.domain.integrity.analysis import Analysis, Options, analyze
from saylau.domain.integrity.stations import StationTable


@dataclass(frozen=True)
class Subject:
    """What is analysed: its stations, a title and where they came from."""

    name: str
    title: str
    table: StationTable
    source: dict[str, object]


def available(session: Session) -> list[str]:
    """Every name `--election` accepts: saylau's elections and imported ones."""
    own = [e.code for e in list_elections(session)]
    return sorted(own + [i.name for i in list_imported(session)])


def load_subject(session: Session, name: str | None) -> Subject:
    """The stations of election `name` (or of the only election there is)."""
    if name is None:
        names = available(session)
        if len(names) != 1:
            listed = ", ".join(names) or "none"
            raise NotFound(f"name the election to analyse with --election (available: {listed})")
        name = names[0]
    if imported_election_exists(session, name):
        info = get_imported(session, name)
        return Subject(
            name=name,
            title=info.title,
            table=load_station_table(session, name),
            source={
                "kind": "imported",
                "source": info.source,
                "file": info.file_name,
                "file_sha256": info.file_sha256,
                "mapping_sha256": info.mapping_sha256,
                "imported_at": info.imported_at,
                "audit_seq": info.audit_seq,
            },
        )
    if election_exists(session, name):
        election = get_election(session, name)
        seq, digest = peek_head(session)
        return Subject(
            name=name,
            title=election.name,
            table=own_station_table(session, election),
            source={"kind": "saylau", "election": name, "audit_seq": seq, "audit_head": digest},
        )
    listed = ", ".join(available(session)) or "none"
    raise NotFound(f"no election {name!r} to analyse (available: {listed})")


def run(
    subject: Subject, options: Options, on_step: Callable[[str], None] | None = None
) -> Analysis:
    return analyze(
        subject.table,
        name=subject.name,
        title=subject.title,
        options=options,
        source=subject.source,
        on_step=on_step,
    )


FLAG_COLUMNS = (
    "station",
    "region",
    "district",
    "score",
    "turnout",
    "leader_share",
    "reasons",
    "explanations",
)


def flags_csv_text(analysis: Analysis) -> str:
    """Every flagged station with its reasons, as CSV text (the most unusual first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FLAG_COLUMNS)
    for flag in analysis.flags.flagged:
        writer.writerow(
            [
                flag.code,
                flag.region,
                flag.district,
                f"{flag.score:.3f}",
                "" if flag.turnout is None else f"{flag.turnout:.5f}",
                "" if flag.leader_share is None else f"{flag.leader_share:.5f}",
                ";".join(flag.reasons),
                "; ".join(flag.explanations),
            ]
        )
    return buffer.getvalue()


def write_flags_csv(analysis: Analysis, path: Path) -> int:
    """Every flagged station with its reasons, as a CSV file; returns the rows written."""
    path.write_text(flags_csv_text(analysis), encoding="utf-8")
    return len(analysis.flags.flagged)
