"""Loading a civil-registry extract of millions of rows: checked in bulk, written in one go.

DuckDB reads the CSV and every rule runs as one SQL pass over all rows (the IIN's form, check
digit, birth date and sex; voting age on election day; the profile's exclusions; duplicates;
unknown PECs; empty names). Problems are named by row and field; any problem refuses the whole
extract and nothing is written. Accepted rows are written by DuckDB as CSV in the exact column
order of the `voter` table and in IIN order, which PostgreSQL ingests with `COPY ... FROM STDIN`
and SQLite with one `executemany`, inside the caller's transaction: a process killed mid-load
leaves the register as it was.

On PostgreSQL, a first load (the election has no voters yet, and the table holds fewer rows
than the extract adds) sets `voter`'s keys, index and foreign keys aside for the COPY and
rebuilds them afterwards, in the same transaction: building an index once over sorted rows is
several times cheaper than maintaining it row by row, and the foreign keys are checked by one
join instead of one lookup per row. Dropping a foreign key locks both its ends, so a first load
holds ACCESS EXCLUSIVE locks on `voter` and on every table joined to it by one (`ballot_issue`
and the register's other tables, but also `unit` and `election`) until the commit: every read of
the commissions, of any election, waits for a first load (made before election day, not during
it). The locks are taken all at once, waiting for readers without deadlocking with them. Later
loads of the same election take the row-by-row path and its ordinary locks.
"""

from __future__ import annotations

import csv
import os
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import psycopg
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.domain.eligibility import VoterRules
from saylau.domain.errors import Conflict
from saylau.register.models import Voter
from saylau.register.voters import RegisterRejected
from saylau.store.db import driver_connection

Progress = Callable[[str, int, int], None]
COLUMNS = ("iin", "family_name", "given_names", "birth_date", "sex", "address", "pec")
VOTER_COLUMNS = (
    "election_id", "iin", "family_name", "given_names", "birth_date", "sex", "address",
    "pec_id", "status", "exclusion",
)  # fmt: skip
CHUNK = 100_000
CHECK_BATCH = 5_000
SORT_MEMORY = "1GB"
"""maintenance_work_mem while a first load rebuilds voter's indexes (never lowered): twelve
million keys sort in memory instead of in temporary files."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _weighted(weights: list[int]) -> str:
    """SQL for the weighted sum of an IIN's first eleven digits, taken from its value `n` by
    integer division: much cheaper than cutting and casting eleven substrings per row."""
    return " + ".join(f"{w} * (n // {10 ** (12 - i)} % 10)" for i, w in enumerate(weights, start=1))


CHECKED = """
CREATE TEMP TABLE e AS
WITH c AS (
  SELECT *,
    coalesce(regexp_full_match(iin, '[0-9]{12}'), false) AS well_formed,
    TRY_CAST(birth_date AS DATE) AS born
  FROM src
), d AS (
  SELECT *, CASE WHEN well_formed THEN CAST(iin AS BIGINT) END AS n FROM c
), g AS (
  SELECT *,
    (FIRST) % 11 AS first_pass, (SECOND) % 11 AS second_pass, n // 100000 % 10 AS century,
    n // 10000000000 AS yy, n // 100000000 % 100 AS mm, n // 1000000 % 100 AS dd
  FROM d
), f AS (
  SELECT *,
    CASE WHEN first_pass <> 10 THEN first_pass WHEN second_pass <> 10 THEN second_pass END
      AS expected,
    CASE WHEN century IN (1, 2) THEN 1800 WHEN century IN (3, 4) THEN 1900
         WHEN century IN (5, 6) THEN 2000 END AS century_start,
    year(DAY) - year(born) - CASE WHEN month(born) * 100 + day(born) > MMDD THEN 1 ELSE 0 END
      AS age
  FROM g
)
SELECT * FROM (
  SELECT *, coalesce(century_start + yy = year(born) AND mm = month(born) AND dd = day(born),
    false) AS born_on_iin
  FROM f
) WHERE ANY_RULE
"""
"""What the row rules need, computed in one pass over every row but kept only for the rows that
break one: a clean extract of twelve million rows materialises nothing here. The IIN's digits
and date come from its integer value, the age from the integer parts of dates, not from text."""

IIN_DATE = (
    "CAST(century_start + yy AS VARCHAR) || '-' || substr(iin, 3, 2) || '-' || substr(iin, 5, 2)"
)
ROW_RULES = (
    ("iin", "'must be exactly 12 digits'", "NOT well_formed"),
    (
        "iin",
        "'no IIN is issued with these first eleven digits'",
        "well_formed AND expected IS NULL",
    ),
    (
        "iin",
        "'check digit is ' || substr(iin, 12, 1) || ', the first eleven digits give ' || expected",
        "expected IS NOT NULL AND n % 10 <> expected",
    ),
    (
        "iin",
        "'7th digit ' || century || ' is not a citizen''s century and sex (1-6)'",
        "well_formed AND century_start IS NULL",
    ),
    (
        "birth_date",
        "'''' || coalesce(birth_date, '') || ''' is not a YYYY-MM-DD date'",
        "born IS NULL",
    ),
    (
        "iin",
        "'digits 1-6 are not a date'",
        "century_start IS NOT NULL AND expected IS NOT NULL AND NOT born_on_iin "
        "AND TRY_CAST(IIN_DATE AS DATE) IS NULL",
    ),
    (
        "birth_date",
        "strftime(born, '%Y-%m-%d') || ' disagrees with IIN ' || iin",
        "born IS NOT NULL AND century_start IS NOT NULL AND expected IS NOT NULL "
        "AND NOT born_on_iin",
    ),
    (
        "sex",
        "'''' || coalesce(sex, '') || ''' disagrees with IIN ' || iin",
        "century_start IS NOT NULL "
        "AND coalesce(sex, '') <> CASE WHEN century % 2 = 1 THEN 'male' ELSE 'female' END",
    ),
    (
        "birth_date",
        "'is ' || age || ' on election day ' || strftime(DAY, '%Y-%m-%d') "
        "|| '; the voting age is ' || MINAGE",
        "age < MINAGE",
    ),
    (
        "exclusion",
        "'exclusion ''' || exclusion || ''' is not one the profile allows'",
        "exclusion IS NOT NULL AND NOT list_contains(REASONS, exclusion)",
    ),
    ("family_name", "'must not be empty'", "coalesce(family_name, '') = ''"),
    ("given_names", "'must not be empty'", "coalesce(given_names, '') = ''"),
    ("address", "'must not be empty'", "coalesce(address, '') = ''"),
)
"""(field, message, condition) of every rule that needs nothing but the row itself."""

SET_RULES = """
  SELECT src.row_no, 'iin', src.iin || ' is already on row ' || twice.first_row
    FROM src JOIN (
      SELECT iin, min(row_no) AS first_row FROM src GROUP BY iin HAVING count(*) > 1
    ) AS twice ON twice.iin = src.iin
    WHERE src.row_no > twice.first_row
  UNION ALL
  SELECT src.row_no, 'pec', 'no PEC ''' || coalesce(src.pec, '') || ''' in ELECTION'
    FROM src LEFT JOIN pecs ON pecs.code = src.pec WHERE pecs.id IS NULL
"""
"""The rules that compare a row with the others or with the election's PECs: a hash aggregate
and an anti-join, rather than a window partitioned over every row."""

KEYS = """
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
              pg_get_constraintdef(oid)),
       1 AS step, conname AS name
  FROM pg_constraint
  WHERE contype = 'f' AND 'voter'::regclass IN (conrelid, confrelid)
UNION ALL
SELECT format('DROP INDEX %s', indexrelid::regclass), pg_get_indexdef(indexrelid), 2,
       indexrelid::regclass::text
  FROM pg_index
  WHERE indrelid = 'voter'::regclass AND NOT EXISTS (
    SELECT 1 FROM pg_constraint WHERE conindid = indexrelid AND contype IN ('p', 'u', 'x'))
UNION ALL
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
              pg_get_constraintdef(oid)),
       3, conname
  FROM pg_constraint
  WHERE contype IN ('p', 'u', 'x') AND conrelid = 'voter'::regclass
ORDER BY step, name
"""
"""How to drop, and how to rebuild exactly as they were, voter's foreign keys (and those that
point at it), its plain indexes, then its primary and unique keys: read from the catalog, so a
later migration's index is set aside and rebuilt too."""

LOCKED_TOGETHER = """
SELECT DISTINCT t::regclass::text FROM pg_constraint,
  LATERAL (VALUES (conrelid), (confrelid)) AS ends(t)
  WHERE contype = 'f' AND 'voter'::regclass IN (conrelid, confrelid)
UNION
SELECT 'voter'::regclass::text
ORDER BY 1
"""
"""voter and every table at the other end of a foreign key from or to it: what a first load
locks (in name order, as every first load does)."""
FIRST_LOAD_LOCK_WAIT = "200ms"
FIRST_LOAD_LOCK_TRIES = 300

FIRST_LOAD = """
SELECT NOT EXISTS (SELECT 1 FROM voter WHERE election_id = %(election)s)
   AND (SELECT count(*) FROM (SELECT 1 FROM voter LIMIT %(rows)s) AS present) < %(rows)s
"""
"""The election has no voters, and the table holds fewer rows than the load adds: rebuilding
the indexes over the whole table then costs less than twice building them for the new rows."""


def _filled(sql: str, election: Election, rules: VoterRules) -> str:
    day = election.election_date
    reasons = "[" + ", ".join(_literal(r) for r in rules.exclusions) + "]::VARCHAR[]"
    return (
        sql.replace("ANY_RULE", " OR ".join(f"coalesce({c}, false)" for _, _, c in ROW_RULES))
        .replace("IIN_DATE", IIN_DATE)
        .replace("FIRST", _weighted(list(range(1, 12))))
        .replace("SECOND", _weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]))
        .replace("DAY", f"DATE '{day.isoformat()}'")
        .replace("MMDD", str(day.month * 100 + day.day))
        .replace("MINAGE", str(rules.minimum_age))
        .replace("REASONS", reasons)
        .replace("ELECTION", election.code.replace("'", "''"))
    )


def _rules() -> str:
    """Every problem by row and field, in row order: the row rules over `e`, then SET_RULES."""
    per_row = " UNION ALL ".join(
        f"SELECT row_no, '{field}' AS field, {message} AS rule FROM e WHERE {condition}"
        for field, message, condition in ROW_RULES
    )
    return (
        f"SELECT row_no, field, rule FROM ({per_row} UNION ALL {SET_RULES}) ORDER BY row_no, field"
    )


def import_extract(
    session: Session, election: Election, path: Path, progress: Progress | None = None
) -> int:
    """Check every row of `path` and add them all to the register; returns the rows added."""
    progress = progress or (lambda _s, _d, _t: None)
    rules = profile_of(election).require_voters()
    pecs = session.execute(
        select(Unit.code, Unit.id).where(Unit.election_id == election.id, Unit.kind == "pec")
    ).all()
    connection = duckdb.connect()
    try:
        progress("read", 0, 1)
        rows = _read(connection, path)
        progress("read", 1, 1)
        progress("check", 0, rows)
        connection.execute(
            "CREATE TABLE pecs AS SELECT unnest(?::VARCHAR[]) AS code, unnest(?::INTEGER[]) AS id",
            [[code for code, _ in pecs], [pec for _, pec in pecs]],
        )
        connection.execute(_filled(CHECKED, election, rules))
        problems = connection.execute(_filled(_rules(), election, rules)).fetchall()
        progress("check", rows, rows)
        if problems:
            raise RegisterRejected(
                [f"row {r}, field {f}: {rule}" for r, f, rule in problems],
                len({r for r, _, _ in problems}),
                rows,
            )
        taken = _already_registered(session, election, connection)
        if taken:
            raise RegisterRejected(taken, len(taken), rows)
        progress("write", 0, rows)
        if session.get_bind().dialect.name == "postgresql":
            _write_postgresql(session, connection, election, rows, progress)
        else:
            _write_sqlite(session, connection, election, rows, progress)
        return rows
    finally:
        connection.close()


def _read(connection: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Load the extract into DuckDB as `src` (row_no counts data rows from 1); returns its rows.

    The rows are stored in file order, so a row's number is its rowid + 1: no window over twelve
    million rows to number them."""
    header = _header(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RegisterRejected(
            [f"{path.name}: missing column(s) {', '.join(missing)}; needs {COLUMNS}"], 0, 0
        )
    types = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
    exclusion = "nullif(trim(exclusion), '')" if "exclusion" in header else "NULL"
    connection.execute("SET preserve_insertion_order = true")
    connection.execute(
        f"CREATE TABLE extract AS SELECT "
        f"trim(iin) AS iin, trim(family_name) AS family_name, "
        f"trim(given_names) AS given_names, trim(birth_date) AS birth_date, trim(sex) AS sex, "
        f"trim(address) AS address, trim(pec) AS pec, CAST({exclusion} AS VARCHAR) AS exclusion "
        f"FROM read_csv({_literal(str(path))}, columns={types}, header=true, "
        f"auto_detect=false, quote='\"', escape='\"')"
    )
    connection.execute("CREATE VIEW src AS SELECT rowid + 1 AS row_no, * FROM extract")
    counted = connection.execute("SELECT count(*) FROM extract").fetchone()
    assert counted is not None, "an aggregate without GROUP BY always answers one row"
    return int(counted[0])


def _already_registered(
    session: Session, election: Election, connection: duckdb.DuckDBPyConnection
) -> list[str]:
    """Rows whose IIN is on the register already (asked only when the register is not empty:
    a first load of twelve million rows does not pay for it)."""
    if session.scalar(select(Voter.id).where(Voter.election_id == election.id).limit(1)) is None:
        return []
    problems = []
    result = connection.execute("SELECT row_no, iin FROM src ORDER BY row_no")
    while batch := result.fetchmany(CHECK_BATCH):
        rows = dict((iin, row) for row, iin in batch)
        for iin in session.scalars(
            select(Voter.iin).where(Voter.election_id == election.id, Voter.iin.in_(list(rows)))
        ):
            problems.append(f"row {rows[iin]}, field iin: {iin} is already on the register")
    return sorted(problems, key=lambda p: int(p.split(",")[0].removeprefix("row ")))


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except OSError as exc:
        raise RegisterRejected([f"cannot read {path}: {exc.strerror}"], 0, 0) from exc
    except UnicodeDecodeError as exc:
        raise RegisterRejected(
            [f"{path.name}: is not UTF-8 text (byte {exc.start})"], 0, 0
        ) from exc


def _accepted(election: Election) -> str:
    """The rows to store, in voter's column order and in IIN order: the unique index on
    (election, IIN) is then built from, or grown by, rows already in its order."""
    status = "CASE WHEN exclusion IS NULL THEN 'active' ELSE 'excluded' END"
    return (
        f"SELECT {int(election.id)}, iin, family_name, given_names, birth_date, sex, address, "
        f"pecs.id, {status}, exclusion FROM src JOIN pecs ON pecs.code = src.pec ORDER BY iin"
    )


def _write_postgresql(
    session: Session,
    connection: duckdb.DuckDBPyConnection,
    election: Election,
    rows: int,
    progress: Progress,
) -> None:
    """COPY the accepted rows into voter; on a first load, with its keys set aside meanwhile."""
    raw = driver_connection(session)
    columns = ", ".join(VOTER_COLUMNS)
    with raw.cursor() as cursor:
        rebuild = _set_keys_aside(cursor, int(election.id), rows)
        with (
            cursor.copy(f"COPY voter ({columns}) FROM STDIN (FORMAT csv)") as copy,
            closing(_csv_stream(connection, _accepted(election))) as blocks,
        ):
            done = 0
            for block in blocks:
                copy.write(block)
                done += block.count(b"\n")
                progress("write", min(done, rows), rows)
        progress("write", rows, rows)
        if rebuild:
            _rebuild_keys(cursor, rebuild, progress)


def _csv_stream(connection: duckdb.DuckDBPyConnection, query: str) -> Generator[bytes, None, None]:
    """The rows of `query` as CSV, in blocks, while DuckDB is still writing them.

    DuckDB writes into a named pipe from a thread (it releases the GIL), so it formats the CSV
    on one core while PostgreSQL parses it on the other, instead of one after the other through
    a staged file. If the reader stops early, closing its end makes DuckDB's next write fail, so
    the thread ends either way; DuckDB's own error is raised here. Without named pipes
    (Windows), the staged file is written first and then read."""
    failed: list[BaseException] = []
    reader_gone = threading.Event()
    with tempfile.TemporaryDirectory() as folder:
        pipe = Path(folder) / "voters.csv"
        if not hasattr(os, "mkfifo"):
            connection.execute(_csv_to(query, pipe))
            with pipe.open("rb") as handle:
                while block := handle.read(1 << 20):
                    yield block
            return
        os.mkfifo(pipe)
        writer = threading.Thread(
            target=_produce, args=(connection, query, pipe, failed, reader_gone), daemon=True
        )
        writer.start()
        try:
            with pipe.open("rb") as handle:
                while block := handle.read(1 << 20):
                    yield block
        finally:
            reader_gone.set()
            writer.join()
    if failed:
        raise failed[0]


def _produce(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    pipe: Path,
    failed: list[BaseException],
    reader_gone: threading.Event,
) -> None:
    """DuckDB's side of the pipe: on failure, the error is kept for the reader, and the pipe is
    opened and closed once more, so a reader still waiting for DuckDB to open it sees its end."""
    try:
        connection.execute(_csv_to(query, pipe))
    except BaseException as exc:  # handed to the reader, which raises it
        failed.append(exc)
        while not reader_gone.is_set():
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:  # no reader has the pipe open yet
                reader_gone.wait(0.01)


def _csv_to(query: str, path: Path) -> str:
    """DuckDB's statement writing `query` to `path` as headerless CSV, directly (a named pipe
    cannot be renamed into place)."""
    return f"COPY ({query}) TO {_literal(str(path))} (FORMAT csv, HEADER false, USE_TMP_FILE false)"


def _set_keys_aside(cursor: Any, election: int, rows: int) -> list[str]:
    """On a first load, lock voter, drop its keys and indexes; returns how to rebuild them
    (nothing on any other load, which keeps them and their ordinary row locks)."""
    bounds = {"election": election, "rows": rows}
    if not cursor.execute(FIRST_LOAD, bounds).fetchone()[0]:
        return []
    _lock_all_at_once(cursor)
    if not cursor.execute(FIRST_LOAD, bounds).fetchone()[0]:  # another load came first
        return []
    keys = cursor.execute(KEYS).fetchall()
    for drop, *_ in keys:
        cursor.execute(drop)
    return [rebuild for _, rebuild, *_ in reversed(keys)]


def _lock_all_at_once(cursor: Any) -> None:
    """ACCESS EXCLUSIVE on voter and on every table a foreign key joins to it (dropping a
    foreign key locks both its ends), taken together or not at all.

    Taken one by one, as the drops would take them, a first load holding voter and waiting
    for ballot_issue deadlocks with a reader holding ballot_issue and waiting for voter. Here
    each try waits at most FIRST_LOAD_LOCK_WAIT (shorter than PostgreSQL's deadlock check),
    then lets go of whatever it got and tries again, so the load waits for readers and never
    takes one down; after FIRST_LOAD_LOCK_TRIES tries the load is refused, naming the tables."""
    tables = [name for (name,) in cursor.execute(LOCKED_TOGETHER).fetchall()]
    statement = f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"
    previous = cursor.execute("SHOW lock_timeout").fetchone()[0]
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", (FIRST_LOAD_LOCK_WAIT,))
    try:
        for attempt in range(FIRST_LOAD_LOCK_TRIES):
            cursor.execute("SAVEPOINT first_load_locks")
            try:
                cursor.execute(statement)
            except psycopg.errors.LockNotAvailable:
                cursor.execute("ROLLBACK TO SAVEPOINT first_load_locks")
                time.sleep(min(0.05 * (attempt + 1), 1.0))
                continue
            cursor.execute("RELEASE SAVEPOINT first_load_locks")
            return
    finally:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", (previous,))
    raise Conflict(
        f"a first load needs {', '.join(tables)} to itself, and other sessions kept using "
        f"them through {FIRST_LOAD_LOCK_TRIES} tries; nothing was written: load again when "
        "they are done"
    )


def _rebuild_keys(cursor: Any, statements: list[str], progress: Progress) -> None:
    """Rebuild voter's keys over the loaded rows: each unique key fails the whole transaction on
    a duplicate, and each foreign key on a row without its election or PEC, as row by row."""
    previous = cursor.execute("SHOW maintenance_work_mem").fetchone()[0]
    cursor.execute(
        "SELECT set_config('maintenance_work_mem', %s, true) "
        "WHERE pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes(%s)",
        (SORT_MEMORY, SORT_MEMORY),
    )
    for done, statement in enumerate(statements):
        progress("keys", done, len(statements))
        cursor.execute(statement)
    progress("keys", len(statements), len(statements))
    cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", (previous,))


def _write_sqlite(
    session: Session,
    connection: duckdb.DuckDBPyConnection,
    election: Election,
    rows: int,
    progress: Progress,
) -> None:
    raw = driver_connection(session)
    columns = ", ".join(VOTER_COLUMNS)
    result = connection.execute(_accepted(election))
    cursor = raw.cursor()
    placeholders = ", ".join("?" for _ in VOTER_COLUMNS)
    done = 0
    while batch := result.fetchmany(CHUNK):
        cursor.executemany(f"INSERT INTO voter ({columns}) VALUES ({placeholders})", batch)
        done += len(batch)
        progress("write", done, rows)
    progress("write", rows, rows)
