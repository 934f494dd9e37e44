"""Imported elections: storing a checked file whole, listing them, reading one back as a table.

An import is all or nothing (one transaction: the election, every station, every vote and the
audit event), keyed on its name: the same file read by the same mapping again changes nothing,
and a different file or mapping under a name already stored is refused, so an accepted import is
never silently replaced. The audit event carries both files' SHA-256, which lets anyone check
later that the figures the analytics report came from exactly that file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.analytics.importer import (
    STATION_COLUMNS,
    VOTE_COLUMNS,
    Problem,
    Progress,
    RowsRejected,
    StationRows,
    file_sha256,
    read_stations,
)
from saylau.analytics.mapping import NAME_PATTERN, parse_mapping
from saylau.analytics.models import ImportedElectionRecord
from saylau.audit.service import NewEvent, append, now_iso
from saylau.domain.errors import Conflict, NotFound, Rejected
from saylau.domain.integrity.stations import StationTable
from saylau.profiles import text_sha256
from saylau.store.db import driver_connection

EVENT_KIND = "stations.imported"
BATCH = 20_000


@dataclass(frozen=True)
class ImportedElection:
    """What an imported election is and where it came from (no per-station data)."""

    name: str
    title: str
    source: str
    stations: int
    contestants: tuple[str, ...]
    attributes: tuple[str, ...]
    file_name: str
    file_sha256: str
    mapping_sha256: str
    rejected_rows: int
    imported_at: str
    audit_seq: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the tuples as lists."""
        return asdict(self) | {
            "contestants": list(self.contestants),
            "attributes": list(self.attributes),
        }


@dataclass(frozen=True)
class ImportOutcome:
    """The result of one import: "imported" or "unchanged", the rows read and those rejected.

    rows: data rows read (None when unchanged: the file was only hashed, not read).
    """

    status: str
    election: ImportedElection
    rows: int | None = None
    rejected: list[Problem] = field(default_factory=list)
    problem_count: int = 0


def entity(name: str) -> str:
    """The audit entity of an imported election."""
    return f"imported/{name}"


def _summary(record: ImportedElectionRecord) -> ImportedElection:
    return ImportedElection(
        name=record.name,
        title=record.title,
        source=record.source,
        stations=record.stations,
        contestants=tuple(json.loads(record.contestants)),
        attributes=tuple(json.loads(record.attributes)),
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        mapping_sha256=record.mapping_sha256,
        rejected_rows=record.rejected_rows,
        imported_at=record.imported_at,
        audit_seq=record.audit_seq,
    )


def imported_election_exists(session: Session, name: str) -> bool:
    return bool(session.scalar(select(exists().where(ImportedElectionRecord.name == name))))


def _record(session: Session, name: str) -> ImportedElectionRecord:
    record = session.scalar(
        select(ImportedElectionRecord).where(ImportedElectionRecord.name == name)
    )
    if record is None:
        known = ", ".join(session.scalars(select(ImportedElectionRecord.name))) or "none"
        raise NotFound(f"no imported election {name!r} (imported: {known})")
    return record


def get_imported(session: Session, name: str) -> ImportedElection:
    return _summary(_record(session, name))


def list_imported(session: Session) -> list[ImportedElection]:
    records = session.scalars(select(ImportedElectionRecord).order_by(ImportedElectionRecord.name))
    return [_summary(r) for r in records]


def import_stations(
    session: Session,
    path: Path,
    mapping_text: str,
    *,
    name: str | None = None,
    skip_bad: bool = False,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check `path` through the mapping and store its stations, in the caller's transaction.

    Any row breaking a hard rule refuses the whole file (`RowsRejected`, nothing written)
    unless `skip_bad`, which stores the other rows and returns the problems for a rejects file.
    """
    mapping = parse_mapping(mapping_text)
    name = name or mapping.name
    if not NAME_PATTERN.match(name):
        raise Rejected(
            f"election name {name!r} must be lower-case letters, digits, '.', '_' or '-'"
        )
    if not path.is_file():
        raise NotFound(f"no file {path}")
    digest, mapping_digest = file_sha256(path), text_sha256(mapping_text)
    stored = _already_stored(session, name, digest, mapping_digest)
    if stored is not None:
        return ImportOutcome("unchanged", stored)
    with read_stations(path, mapping, progress) as rows:
        if rows.problem_count and not skip_bad:
            raise rows.rejected()
        problems = rows.problems() if rows.problem_count else []
        if rows.accepted == 0:
            raise RowsRejected(path.name, rows.rows, rows.bad_rows, problems, rows.problem_count)
        placed = append(
            session,
            NewEvent(
                EVENT_KIND,
                entity(name),
                {
                    "name": name,
                    "file": path.name,
                    "file_sha256": digest,
                    "mapping_sha256": mapping_digest,
                    "stations": rows.accepted,
                    "contestants": len(mapping.contestants),
                    "rejected_rows": rows.bad_rows,
                },
            ),
        )
        record = ImportedElectionRecord(
            name=name,
            title=mapping.title,
            source=mapping.source,
            mapping_yaml=mapping_text,
            mapping_sha256=mapping_digest,
            file_name=path.name,
            file_sha256=digest,
            contestants=json.dumps([c.name for c in mapping.contestants], ensure_ascii=False),
            attributes=json.dumps([a for a, _ in mapping.attributes], ensure_ascii=False),
            stations=rows.accepted,
            rejected_rows=rows.bad_rows,
            imported_at=now_iso(),
            audit_seq=placed.seq,
        )
        session.add(record)
        try:
            session.flush()
        except IntegrityError as exc:  # another import of this name committed meanwhile
            raise Conflict(f"imported election {name!r} was imported meanwhile") from exc
        write_rows(session, rows, record.id, progress or (lambda _s, _d, _t: None))
        return ImportOutcome("imported", _summary(record), rows.rows, problems, rows.problem_count)


def _already_stored(
    session: Session, name: str, digest: str, mapping_digest: str
) -> ImportedElection | None:
    """The stored import of this very file and mapping under `name`, if any.

    Refuses a name taken by another file or mapping (an accepted import is never replaced
    silently) or by a saylau election (analyses name elections of both kinds the same way).
    """
    existing = session.scalar(
        select(ImportedElectionRecord).where(ImportedElectionRecord.name == name)
    )
    if existing is not None:
        if (existing.file_sha256, existing.mapping_sha256) == (digest, mapping_digest):
            return _summary(existing)
        changed = "file" if existing.file_sha256 != digest else "mapping"
        raise Conflict(
            f"imported election {name!r} is stored from another {changed} "
            f"({existing.file_name}, sha256 {existing.file_sha256[:12]}…, mapping sha256 "
            f"{existing.mapping_sha256[:12]}…); import this one under another --election name"
        )
    if session.scalar(select(exists().where(Election.code == name))):
        raise Conflict(f"{name!r} is already the code of a saylau election: choose another name")
    return None


def write_rows(session: Session, rows: StationRows, election_id: int, progress: Progress) -> None:
    """Bulk-write the accepted stations and votes inside the session's transaction."""
    connection = session.connection()
    total = rows.accepted * (1 + len(rows.mapping.contestants))
    raw = connection.connection.driver_connection
    progress("write", 0, total)
    if connection.dialect.name == "postgresql":
        _copy_postgresql(raw, rows, election_id, lambda done: progress("write", done, total))
    else:
        _insert_sqlite(raw, rows, election_id, lambda done: progress("write", done, total))
    progress("write", total, total)


def _insert_sqlite(
    raw: Any, rows: StationRows, election_id: int, advance: Callable[[int], None]
) -> None:
    """executemany per batch, on the session's own DBAPI connection (same transaction)."""
    done = 0
    cursor = raw.cursor()
    try:
        for table, columns, batches in (
            ("imported_station", STATION_COLUMNS, rows.station_batches(election_id, BATCH)),
            ("imported_vote", VOTE_COLUMNS, rows.vote_batches(election_id, BATCH * 4)),
        ):
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
            for batch in batches:
                cursor.executemany(sql, batch)
                done += len(batch)
                advance(done)
    finally:
        cursor.close()


def _copy_postgresql(
    raw: Any, rows: StationRows, election_id: int, advance: Callable[[int], None]
) -> None:
    """COPY ... FROM STDIN of CSV that DuckDB writes, streamed in blocks (no row in Python)."""
    done = 0
    with tempfile.TemporaryDirectory(prefix="saylau-import-") as directory:
        for what, table, columns, count in (
            ("stations", "imported_station", STATION_COLUMNS, rows.accepted),
            ("votes", "imported_vote", VOTE_COLUMNS, rows.accepted * len(rows.mapping.contestants)),
        ):
            path = Path(directory) / f"{what}.csv"
            rows.write_csv(what, election_id, path)
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with raw.cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    copy.write(block)
            done += count
            advance(done)


def load_station_table(session: Session, name: str) -> StationTable:
    """The imported election's stations as the table the integrity tests read.

    Missing counts come back as -1 (the table's convention, with `has_*` masks); missing units
    as empty strings; `found` is None when the mapping named no ballots-found column. Rows are
    fetched through the DBAPI cursor of the session's connection: a million votes as ORM rows
    would cost seconds for nothing.
    """
    record = _record(session, name)
    mapping = parse_mapping(record.mapping_yaml)
    contestants = tuple(json.loads(record.contestants))
    attribute_names = tuple(json.loads(record.attributes))
    where = f"WHERE election_id = {int(record.id)} ORDER BY station_index"
    stations = _fetch(
        session,
        "SELECT code, coalesce(region, ''), coalesce(district, ''), coalesce(registered, -1), "
        "coalesce(voters, -1), valid, coalesce(invalid, -1), coalesce(found, -1), attributes "
        f"FROM imported_station {where}",
    )
    votes = _fetch(session, f"SELECT votes FROM imported_vote {where}, contestant_index")
    n = len(stations)
    columns = list(zip(*stations, strict=True)) if stations else [()] * 9
    counts = np.array(columns[3:8], dtype=np.int64).reshape(5, n)
    # One parse of all stations' attributes instead of one json.loads per station.
    decoded = json.loads("[" + ",".join(columns[8]) + "]")
    return StationTable(
        codes=np.array(columns[0], dtype=object),
        region=np.array(columns[1], dtype=object),
        district=np.array(columns[2], dtype=object),
        registered=counts[0],
        voters=counts[1],
        valid=counts[2],
        invalid=counts[3],
        votes=np.array(votes, dtype=np.int64).reshape(n, len(contestants)),
        contestants=contestants,
        found=counts[4] if mapping.found is not None else None,
        attributes={
            a: np.array([d.get(a, "") for d in decoded], dtype=object) for a in attribute_names
        },
    )


def _fetch(session: Session, sql: str) -> list[tuple[Any, ...]]:
    cursor = driver_connection(session).cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()
