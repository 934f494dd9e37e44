"""Loading a civil-registry extract of millions of rows: checked in bulk, written in one go.

DuckDB reads the CSV and every rule runs as one SQL pass over all rows (the IIN's form, check
digit, birth date and sex; voting age on election day; the profile's exclusions; duplicates;
unknown PECs; empty names). Problems are named by row and field; any problem refuses the whole
extract and nothing is written. Accepted rows are written by DuckDB to a CSV in the exact
column order of the `voter` table, which PostgreSQL ingests with `COPY ... FROM STDIN` and
SQLite with one `executemany`, inside the caller's transaction: a process killed mid-load
leaves the register as it was.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.domain.eligibility import voter_rules
from saylau.register.models import Voter
from saylau.register.voters import RegisterRejected

Progress = Callable[[str, int, int], None]
COLUMNS = ("iin", "family_name", "given_names", "birth_date", "sex", "address", "pec")
VOTER_COLUMNS = (
    "election_id", "iin", "family_name", "given_names", "birth_date", "sex", "address",
    "pec_id", "status", "exclusion",
)  # fmt: skip
CHUNK = 100_000
CHECK_BATCH = 5_000


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _weighted(weights: list[int]) -> str:
    """SQL for the weighted sum of an IIN's first eleven digits."""
    return " + ".join(
        f"{w} * CAST(substr(iin, {i}, 1) AS INTEGER)" for i, w in enumerate(weights, start=1)
    )


CHECKED = """
CREATE TEMP TABLE e AS
WITH d AS (
  SELECT *,
    regexp_full_match(iin, '[0-9]{12}') AS well_formed,
    min(row_no) OVER (PARTITION BY iin) AS first_row
  FROM src
), c AS (
  SELECT *,
    CASE WHEN well_formed THEN (FIRST) % 11 END AS first_pass,
    CASE WHEN well_formed THEN (SECOND) % 11 END AS second_pass,
    CASE WHEN well_formed THEN CAST(substr(iin, 7, 1) AS INTEGER) END AS century,
    TRY_CAST(birth_date AS DATE) AS born
  FROM d
)
SELECT *,
  CASE WHEN first_pass <> 10 THEN first_pass WHEN second_pass <> 10 THEN second_pass END
    AS expected,
  CASE WHEN century IN (1, 2) THEN 1800 WHEN century IN (3, 4) THEN 1900
       WHEN century IN (5, 6) THEN 2000 END AS century_start,
  year(DAY) - year(born) - CASE WHEN strftime(DAY, '%m%d') < strftime(born, '%m%d')
    THEN 1 ELSE 0 END AS age
FROM c
"""
"""Every row with what the rules need, computed in one pass; the rules below only filter it."""

RULES = """
SELECT row_no, field, rule FROM (
  SELECT row_no, 'iin' AS field, 'must be exactly 12 digits' AS rule FROM e WHERE NOT well_formed
  UNION ALL
  SELECT row_no, 'iin', 'no IIN is issued with these first eleven digits' FROM e
    WHERE well_formed AND expected IS NULL
  UNION ALL
  SELECT row_no, 'iin', 'check digit is ' || substr(iin, 12, 1)
    || ', the first eleven digits give ' || expected
    FROM e WHERE expected IS NOT NULL AND CAST(substr(iin, 12, 1) AS INTEGER) <> expected
  UNION ALL
  SELECT row_no, 'iin', '7th digit ' || century || ' is not a citizen''s century and sex (1-6)'
    FROM e WHERE well_formed AND century_start IS NULL
  UNION ALL
  SELECT row_no, 'birth_date', '''' || coalesce(birth_date, '') || ''' is not a YYYY-MM-DD date'
    FROM e WHERE born IS NULL
  UNION ALL
  SELECT row_no, 'iin', 'digits 1-6 are not a date' FROM e
    WHERE century_start IS NOT NULL AND expected IS NOT NULL AND TRY_CAST(
      CAST(century_start + CAST(substr(iin, 1, 2) AS INTEGER) AS VARCHAR) || '-'
      || substr(iin, 3, 2) || '-' || substr(iin, 5, 2) AS DATE) IS NULL
  UNION ALL
  SELECT row_no, 'birth_date', strftime(born, '%Y-%m-%d') || ' disagrees with IIN ' || iin
    FROM e WHERE born IS NOT NULL AND century_start IS NOT NULL AND expected IS NOT NULL
      AND strftime(born, '%Y-%m-%d') <> CAST(century_start + CAST(substr(iin, 1, 2) AS INTEGER)
        AS VARCHAR) || '-' || substr(iin, 3, 2) || '-' || substr(iin, 5, 2)
  UNION ALL
  SELECT row_no, 'sex', '''' || coalesce(sex, '') || ''' disagrees with IIN ' || iin
    FROM e WHERE century_start IS NOT NULL
      AND coalesce(sex, '') <> CASE WHEN century % 2 = 1 THEN 'male' ELSE 'female' END
  UNION ALL
  SELECT row_no, 'birth_date', 'is ' || age || ' on election day '
      || strftime(DAY, '%Y-%m-%d') || '; the voting age is ' || MINAGE
    FROM e WHERE age < MINAGE
  UNION ALL
  SELECT row_no, 'exclusion', 'exclusion ''' || exclusion || ''' is not one the profile allows'
    FROM e WHERE exclusion IS NOT NULL AND exclusion NOT IN (SELECT reason FROM reasons)
  UNION ALL
  SELECT row_no, 'iin', iin || ' is already on row ' || first_row FROM e WHERE row_no > first_row
  UNION ALL
  SELECT e.row_no, 'pec', 'no PEC ''' || coalesce(e.pec, '') || ''' in ELECTION'
    FROM e LEFT JOIN pecs ON pecs.code = e.pec WHERE pecs.id IS NULL
  UNION ALL
  SELECT row_no, 'family_name', 'must not be empty' FROM e WHERE coalesce(family_name, '') = ''
  UNION ALL
  SELECT row_no, 'given_names', 'must not be empty' FROM e WHERE coalesce(given_names, '') = ''
  UNION ALL
  SELECT row_no, 'address', 'must not be empty' FROM e WHERE coalesce(address, '') = ''
) ORDER BY row_no, field
"""


def import_extract(
    session: Session, election: Election, path: Path, progress: Progress | None = None
) -> int:
    """Check every row of `path` and add them all to the register; returns the rows added."""
    progress = progress or (lambda _s, _d, _t: None)
    rules = voter_rules(profile_of(election).raw)
    pecs = session.execute(
        select(Unit.code, Unit.id).where(Unit.election_id == election.id, Unit.kind == "pec")
    ).all()
    connection = duckdb.connect()
    try:
        progress("read", 0, 1)
        header = _header(path)
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise RegisterRejected(
                [f"{path.name}: missing column(s) {', '.join(missing)}; needs {COLUMNS}"],
                0,
                0,
            )
        types = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
        exclusion = "nullif(trim(exclusion), '')" if "exclusion" in header else "NULL"
        connection.execute(
            f"CREATE TABLE src AS SELECT row_number() OVER () AS row_no, "
            f"trim(iin) AS iin, trim(family_name) AS family_name, "
            f"trim(given_names) AS given_names, trim(birth_date) AS birth_date, trim(sex) AS sex, "
            f"trim(address) AS address, trim(pec) AS pec, {exclusion} AS exclusion "
            f"FROM read_csv({_literal(str(path))}, columns={types}, header=true, "
            f"auto_detect=false, quote='\"', escape='\"')"
        )
        rows = int(connection.execute("SELECT count(*) FROM src").fetchone()[0])  # type: ignore[index]
        progress("read", 1, 1)
        progress("check", 0, rows)
        connection.execute("CREATE TABLE pecs (code VARCHAR, id INTEGER)")
        connection.executemany("INSERT INTO pecs VALUES (?, ?)", [tuple(p) for p in pecs])
        connection.execute("CREATE TABLE reasons (reason VARCHAR)")
        if rules.exclusions:
            connection.executemany(
                "INSERT INTO reasons VALUES (?)", [(r,) for r in rules.exclusions]
            )

        def filled(sql: str) -> str:
            return (
                sql.replace("FIRST", _weighted(list(range(1, 12))))
                .replace("SECOND", _weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]))
                .replace("DAY", f"DATE '{election.election_date.isoformat()}'")
                .replace("MINAGE", str(rules.minimum_age))
                .replace("ELECTION", election.code.replace("'", "''"))
            )

        connection.execute(filled(CHECKED))
        problems = connection.execute(filled(RULES)).fetchall()
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
        _write(session, connection, election, rows, progress)
        progress("write", rows, rows)
        return rows
    finally:
        connection.close()


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


def _accepted(election: Election) -> str:
    status = "CASE WHEN exclusion IS NULL THEN 'active' ELSE 'excluded' END"
    return (
        f"SELECT {int(election.id)}, iin, family_name, given_names, birth_date, sex, address, "
        f"pecs.id, {status}, exclusion FROM src JOIN pecs ON pecs.code = src.pec ORDER BY iin"
    )


def _write(
    session: Session,
    connection: duckdb.DuckDBPyConnection,
    election: Election,
    rows: int,
    progress: Progress,
) -> None:
    raw = session.connection().connection.driver_connection
    columns = ", ".join(VOTER_COLUMNS)
    if session.get_bind().dialect.name == "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            staged = Path(folder) / "voters.csv"
            connection.execute(
                f"COPY ({_accepted(election)}) TO {_literal(str(staged))} (HEADER false)"
            )
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY voter ({columns}) FROM STDIN (FORMAT csv)") as copy,
                staged.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
        return
    result = connection.execute(_accepted(election))
    cursor = raw.cursor()
    placeholders = ", ".join("?" for _ in VOTER_COLUMNS)
    done = 0
    while batch := result.fetchmany(CHUNK):
        cursor.executemany(f"INSERT INTO voter ({columns}) VALUES ({placeholders})", batch)
        done += len(batch)
        progress("write", done, rows)
