"""Reading a per-station results file (CSV or Parquet) and checking every row, in bulk.

DuckDB reads the file and every rule runs as one vectorised SQL statement over all rows, so a
million stations take seconds and no Python loop looks at a row. Every value is read as text
and parsed here by one rule for both formats: an empty cell is missing (allowed only where the
mapping says so, and then stored as missing, never as 0); a count is a non-negative whole number,
where "1511.0" (a float column written by pandas) is accepted and "1511.5" is not.

Hard rules reject a row: a required value empty, a count that is not a non-negative integer, a
station code seen twice, valid votes that are not the contestants' sum, a region the lookup does
not know. Facts that are merely suspicious (more ballots found than voters, more voters than
registered) are not rejections: they are the integrity analytics' findings.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from saylau.analytics.mapping import COUNT_LABELS, MappingError, StationMapping
from saylau.domain.errors import NotFound, Rejected
from saylau.domain.errors import Problem as ErrorProblem

Progress = Callable[[str, int, int], None]
REPO_MAPPINGS = Path(__file__).resolve().parents[3] / "mappings"
PARQUET_SUFFIXES = (".parquet", ".pq")
# Counts up to 10^15 fit int64 and a double exactly: the same value from CSV text or Parquet.
COUNT_PATTERN = r"[0-9]{1,15}(\.0*)?"
SHOWN_PROBLEMS = 20


class FileRefused(Rejected):
    """The file cannot be read as a table at all (missing, not UTF-8, a malformed record)."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: data row (1-based), the file's line (CSV only), column, rule, value."""

    row: int
    line: int | None
    column: str
    rule: str
    value: str | None

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (line {self.line})" if self.line is not None else "")
        return f"{where}, column {self.column}: {self.rule}"


class RowsRejected(Rejected):
    """Rows broke the hard rules; nothing was written (unless `--skip-bad` was asked for)."""

    def __init__(self, file: str, rows: int, bad_rows: int, problems: list[Problem], count: int):
        self.file = file
        self.rows = rows
        self.bad_rows = bad_rows
        self.row_problems = problems
        self.count = count
        shown = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
        more = f"\n  ... and {count - SHOWN_PROBLEMS:,} more" if count > SHOWN_PROBLEMS else ""
        listed = [ErrorProblem(f"row {p.row}, column {p.column}", p.rule) for p in problems]
        super().__init__(
            file,
            listed,
            detail=f"{file}: {count:,} problem(s) in {bad_rows:,} of {rows:,} rows; "
            f"nothing imported\n{shown}{more}\n"
            "(--skip-bad imports the other rows and writes these to a rejects CSV; a figure the "
            "source leaves blank can be allowed with the mapping's allow_missing)",
        )


def shipped_mapping_path(name: str) -> Path:
    """The file of a mapping that ships with saylau (wheel data or the source tree)."""
    packaged = resources.files("saylau").joinpath("_mappings", f"{name}.yaml")
    if packaged.is_file():
        return Path(str(packaged))
    candidate = REPO_MAPPINGS / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    raise NotFound(f"no mapping file {name!r}, and no shipped mapping of that name")


def resolve_mapping(reference: str) -> Path:
    """A path to a mapping file, or the name of a shipped one (`georgia-2024`)."""
    path = Path(reference)
    if path.is_file():
        return path
    if path.suffix or "/" in reference:
        raise NotFound(f"no mapping file {reference}")
    return shipped_mapping_path(reference)


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file's bytes: what `sha256sum` prints, so anyone can compare."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class StationRows:
    """A checked file held in DuckDB: how many rows, which broke rules, and the accepted ones.

    The accepted rows sit in DuckDB table `ok`, numbered by `station_index` in file order; the
    writers stream them out from there (tuples for SQLite, CSV for PostgreSQL's COPY).
    """

    connection: duckdb.DuckDBPyConnection
    mapping: StationMapping
    path: Path
    is_csv: bool
    rows: int
    accepted: int
    problem_count: int
    bad_rows: int

    def problems(self, limit: int | None = None) -> list[Problem]:
        """The broken rules in file order, with the CSV line of each row (the error path only)."""
        sql = "SELECT row_no, col, rule, value FROM problems ORDER BY row_no, ord"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        found = self.connection.execute(sql).fetchall()
        lines = record_lines(self.path, self.mapping.delimiter, self.rows) if self.is_csv else None
        return [
            Problem(row, None if lines is None else int(lines[row - 1]), column, rule, value)
            for row, column, rule, value in found
        ]

    def rejected(self) -> RowsRejected:
        return RowsRejected(
            self.path.name,
            self.rows,
            self.bad_rows,
            self.problems(SHOWN_PROBLEMS),
            self.problem_count,
        )

    def station_batches(self, election_id: int, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """Rows of imported_station (in STATION_COLUMNS order), `size` at a time."""
        yield from self._batches(self._station_sql(election_id), size)

    def vote_batches(self, election_id: int, size: int) -> Iterator[list[tuple[Any, ...]]]:
        """Rows of imported_vote (in VOTE_COLUMNS order), `size` at a time."""
        yield from self._batches(self._vote_sql(election_id), size)

    def write_csv(self, what: str, election_id: int, path: Path) -> None:
        """Accepted stations or votes as CSV for COPY: no header, NULL as \\N."""
        sql = self._station_sql(election_id) if what == "stations" else self._vote_sql(election_id)
        self.connection.execute(
            f"COPY ({sql}) TO {_literal(str(path))} (HEADER false, NULLSTR '\\N', DELIMITER ',')"
        )

    def _batches(self, sql: str, size: int) -> Iterator[list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql)
        while batch := cursor.fetchmany(size):
            yield batch

    def _station_sql(self, election_id: int) -> str:
        m = self.mapping
        count = {k: f"n_{k}" if getattr(m, k) is not None else "NULL" for k in COUNT_COLUMNS}
        valid = "n_valid" if m.valid is not None else _contestant_sum(m)
        attributes = (
            "json_object("
            + ", ".join(f"{_literal(name)}, a{i}" for i, (name, _) in enumerate(m.attributes))
            + ")"
            if m.attributes
            else "'{}'"
        )
        return (
            f"SELECT {int(election_id)}, station_index, row_no, t_station, region_name, "
            f"t_district, t_district_name, {count['registered']}, {count['voters']}, "
            f"{count['invalid']}, {count['found']}, {valid}, {attributes} "
            "FROM ok ORDER BY station_index"
        )

    def _vote_sql(self, election_id: int) -> str:
        n = len(self.mapping.contestants)
        votes = ", ".join(f"n_c{i}" for i in range(n))
        return (
            f"SELECT {int(election_id)}, station_index, unnest(range({n})) AS c, "
            f"unnest([{votes}]) FROM ok ORDER BY station_index, c"
        )


COUNT_COLUMNS = ("registered", "voters", "invalid", "found")
STATION_COLUMNS = (
    "election_id",
    "station_index",
    "row_number",
    "code",
    "region",
    "district",
    "district_name",
    "registered",
    "voters",
    "invalid",
    "found",
    "valid",
    "attributes",
)
VOTE_COLUMNS = ("election_id", "station_index", "contestant_index", "votes")


@contextmanager
def read_stations(
    path: Path, mapping: StationMapping, progress: Progress | None = None
) -> Iterator[StationRows]:
    """Read `path` through `mapping` and check every row; the DuckDB copy lives in the block."""
    progress = progress or (lambda _stage, _done, _total: None)
    if not path.is_file():
        raise NotFound(f"no file {path}")
    connection = duckdb.connect()
    try:
        progress("read", 0, 1)
        is_csv = path.suffix.lower() not in PARQUET_SUFFIXES
        _load(connection, path, mapping, is_csv)
        rows = _scalar(connection, "SELECT count(*) FROM src")
        if rows == 0:
            raise FileRefused(f"{path.name} has no data rows")
        progress("read", rows, rows)
        progress("check", 0, rows)
        _check(connection, mapping)
        progress("check", rows, rows)
        yield StationRows(
            connection,
            mapping,
            path,
            is_csv,
            rows,
            _scalar(connection, "SELECT count(*) FROM ok"),
            _scalar(connection, "SELECT count(*) FROM problems"),
            _scalar(connection, "SELECT count(DISTINCT row_no) FROM problems"),
        )
    finally:
        connection.close()


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _load(
    connection: duckdb.DuckDBPyConnection, path: Path, mapping: StationMapping, is_csv: bool
) -> None:
    """Copy the mapped columns of the file into table `src`, in file order.

    A CSV's header is read here rather than sniffed: DuckDB's sniffer, given a file with one
    malformed record, may settle on one big column instead of reporting the record's line.
    """
    if is_csv:
        header = csv_header(path, mapping.delimiter)
        _check_columns(path, mapping, header)
        types = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
        source = (
            f"read_csv({_literal(str(path))}, columns={types}, auto_detect=false, header=true, "
            f"delim={_literal(mapping.delimiter)}, quote='\"', escape='\"')"
        )
    else:
        source = f"read_parquet({_literal(str(path))})"
        try:
            described = connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        except duckdb.Error as exc:
            raise FileRefused(f"{path.name} cannot be read as Parquet: {_first(exc)}") from exc
        header = [row[0] for row in described]
        _check_columns(path, mapping, header)
    needed = list(dict.fromkeys(column for _, column in mapping.columns()))
    try:
        connection.execute(
            f"CREATE TABLE src AS SELECT {', '.join(map(_ident, needed))} FROM {source}"
        )
    except duckdb.Error as exc:
        raise FileRefused(f"{path.name} cannot be read: {_first(exc)}") from exc


def _first(exc: Exception) -> str:
    """DuckDB's message up to its list of possible fixes (the line and the record it names)."""
    text = str(exc).split("Possible fixes:")[0].strip()
    return " ".join(text.split("\n")[:3])


def csv_header(path: Path, delimiter: str) -> list[str]:
    """The CSV's column names (the first record; a UTF-8 byte-order mark is dropped)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), [])
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}); convert it first, "
            "e.g. iconv -f cp1251 -t utf-8"
        ) from exc
    if not header:
        raise FileRefused(f"{path.name} has no header line")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise FileRefused(f"{path.name}: column {name!r} appears twice in the header")
        seen.add(name)
    return header


def _check_columns(path: Path, mapping: StationMapping, header: list[str]) -> None:
    present = set(header)
    for key, column in mapping.columns():
        if column not in present:
            raise MappingError(
                key,
                f"names column {column!r}, which {path.name} does not have; "
                f"its columns are: {', '.join(header)}",
            )


def record_lines(path: Path, delimiter: str, rows: int) -> np.ndarray | None:
    """The file line on which each data record starts, or None if it cannot be told.

    Only asked for when there are problems to report. Records may span lines (a quoted
    newline) and DuckDB skips blank lines, so lines are counted with a real CSV parser; if its
    record count disagrees with DuckDB's, no line numbers are given rather than wrong ones.
    """
    starts = np.zeros(rows, dtype=np.int64)
    count = 0
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header_seen = False
        previous = 0
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not record:
                continue
            if not header_seen:
                header_seen = True
                continue
            if count >= rows:
                return None
            starts[count] = start
            count += 1
    return starts if count == rows else None


def _text(column: str) -> str:
    return f"nullif(trim(CAST(src.{_ident(column)} AS VARCHAR)), '')"


def _quoted(expression: str) -> str:
    """SQL for the text of `expression` in single quotes, as messages show values."""
    return f"'''' || {expression} || ''''"


@dataclass(frozen=True)
class _Part:
    """One column holding a count: its key (or "" for a contestant), label, and SQL names."""

    key: str
    column: str
    label: str
    alias: str

    @property
    def text(self) -> str:
        return "t_" + self.alias[2:]


def _count_parts(m: StationMapping) -> list[_Part]:
    parts = [
        _Part(key, column, COUNT_LABELS[key], f"n_{key}_{j}")
        for key, columns in m.counts()
        for j, column in enumerate(columns)
    ]
    parts += [
        _Part("", c.column, f"votes for {c.name}", f"n_c{i}") for i, c in enumerate(m.contestants)
    ]
    return parts


def _contestant_sum(mapping: StationMapping) -> str:
    return " + ".join(f"n_c{i}" for i in range(len(mapping.contestants)))


def _check(connection: duckdb.DuckDBPyConnection, m: StationMapping) -> None:
    """Build `p` (every row parsed), `problems` (every broken rule) and `ok` (accepted rows)."""
    texts = ["src.rowid + 1 AS row_no", f"{_text(m.station)} AS t_station"]
    texts += [
        f"{_text(c) if (c := getattr(m, k)) else 'NULL'} AS t_{k}"
        for k in ("district", "district_name")
    ]
    join = ""
    if m.region is None:
        texts += ["NULL AS t_region", "NULL AS region_name"]
    elif m.region.values is None:
        texts += [f"{_text(m.region.column)} AS t_region", "t_region AS region_name"]
    else:
        connection.execute("CREATE TABLE region_lookup (code VARCHAR PRIMARY KEY, name VARCHAR)")
        connection.executemany(
            "INSERT INTO region_lookup VALUES (?, ?)", list(m.region.values.items())
        )
        texts += [f"{_text(m.region.column)} AS t_region", "region_lookup.name AS region_name"]
        join = f"LEFT JOIN region_lookup ON region_lookup.code = {_text(m.region.column)}"
    parts = _count_parts(m)
    texts += [f"{_text(part.column)} AS {part.text}" for part in parts]
    texts += [
        f"coalesce(CAST(src.{_ident(c)} AS VARCHAR), '') AS a{i}"
        for i, (_, c) in enumerate(m.attributes)
    ]
    parsed = [
        f"CASE WHEN regexp_full_match({part.text}, '{COUNT_PATTERN}') "
        f"THEN CAST(split_part({part.text}, '.', 1) AS BIGINT) END AS {part.alias}"
        for part in parts
    ]
    # A protocol line of several columns is their sum (NULL, i.e. missing, if any is missing).
    totals = [
        f"{' + '.join(f'n_{key}_{j}' for j in range(len(columns)))} AS n_{key}"
        for key, columns in m.counts()
    ]
    connection.execute(
        f"CREATE TABLE p AS SELECT *, {', '.join(totals)} FROM (SELECT *, {', '.join(parsed)} "
        f"FROM (SELECT {', '.join(texts)} FROM src {join}))"
    )
    connection.execute("CREATE TABLE problems AS " + " UNION ALL ".join(_rules(m)))
    if _scalar(connection, "SELECT count(*) FROM problems") == 0:
        # The usual case, and a whole copy of the table saved: every row is accepted.
        connection.execute("CREATE VIEW ok AS SELECT row_no - 1 AS station_index, * FROM p")
        return
    connection.execute(
        "CREATE TABLE ok AS SELECT row_number() OVER (ORDER BY row_no) - 1 AS station_index, * "
        "FROM p ANTI JOIN (SELECT DISTINCT row_no FROM problems) AS bad USING (row_no)"
    )


def _rules(m: StationMapping) -> list[str]:
    """One SELECT per rule and column: (row_no, ord, col, rule, value), ord = report order."""
    rules: list[str] = []

    def add(order: int, column: str, rule: str, value: str, where: str) -> None:
        rules.append(
            f"SELECT row_no, {order} AS ord, {_literal(column)} AS col, "
            f"CAST({rule} AS VARCHAR) AS rule, CAST({value} AS VARCHAR) AS value "
            f"FROM p WHERE {where}"
        )

    add(0, m.station, "'station code must not be empty'", "NULL", "t_station IS NULL")
    rules.append(
        f"SELECT row_no, 1, {_literal(m.station)}, 'station code ' || t_station || "
        "' is not unique: it is on rows ' || array_to_string(list_slice(seen, 1, 5), ', ') || "
        "CASE WHEN len(seen) > 5 THEN ' and ' || (len(seen) - 5) || ' more' ELSE '' END, "
        "t_station FROM (SELECT row_no, t_station, "
        "list(row_no ORDER BY row_no) OVER (PARTITION BY t_station) AS seen "
        "FROM p WHERE t_station IS NOT NULL) WHERE len(seen) > 1"
    )
    for order, key in ((2, "district"), (3, "district_name")):
        column = getattr(m, key)
        if column is not None and key not in m.allow_missing:
            add(order, column, f"'{key} must not be empty'", "NULL", f"t_{key} IS NULL")
    if m.region is not None:
        if "region" not in m.allow_missing:
            add(4, m.region.column, "'region must not be empty'", "NULL", "t_region IS NULL")
        if m.region.values is not None:
            add(
                4,
                m.region.column,
                f"'region.values has no entry for ' || {_quoted('t_region')}",
                "t_region",
                "t_region IS NOT NULL AND region_name IS NULL",
            )
    for order, part in enumerate(_count_parts(m), 10):
        text, label = part.text, part.label
        if part.key not in m.allow_missing:
            add(
                order,
                part.column,
                _literal(f"{label} must not be empty"),
                "NULL",
                f"{text} IS NULL",
            )
        add(
            order,
            part.column,
            f"{_literal(label + ' must be a non-negative integer, not ')} || {_quoted(text)}",
            text,
            f"{text} IS NOT NULL AND {part.alias} IS NULL",
        )
    if m.valid is not None:
        total = _contestant_sum(m)
        shown = " || '+' || ".join(f"t_valid_{j}" for j in range(len(m.valid)))
        add(
            9,
            " + ".join(m.valid),
            f"'valid ' || n_valid || ' must equal the contestants'' sum ' || ({total})",
            shown,
            f"n_valid <> ({total})",
        )
    return rules


REJECT_COLUMNS = ("row", "line", "column", "rule", "value")


def write_rejects(path: Path, problems: list[Problem]) -> None:
    """The rejected rows' problems as CSV (row, line, column, rule, value), one per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REJECT_COLUMNS)
    writer.writerows(
        (p.row, "" if p.line is None else p.line, p.column, p.rule, p.value or "") for p in problems
    )
    path.write_text(buffer.getvalue(), encoding="utf-8")
