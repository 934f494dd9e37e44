"""A first draft of a mapping, guessed from a results file's columns.

Writing a mapping by hand means reading a header of 50 columns in a language one may not read.
`saylau import draft-mapping FILE` does the first pass: it profiles every column (whole,
non-negative numbers or not; unique or not) and matches the names against the words commissions
use for each protocol line, in English, Russian and Kazakh ("registered", "в списке", "тізім";
"invalid", "недействительн", "жарамсыз"...). Whole-number columns it cannot place become
contestants, and the draft says whether they add up to the valid votes. Every guess is marked
in a comment, so the person reviewing the draft knows what to check; a required key it cannot
guess is left as a placeholder that the import refuses with its name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from saylau.analytics.importer import PARQUET_SUFFIXES, FileRefused, csv_header

PLACEHOLDER = "NAME THE COLUMN"

# Words (lower case, matched inside the column name) for each key, most specific first.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "station": ("station", "precinct", "division_id", "polling", "уик", "участ", "учаске", "pec"),
    "district": ("district", "тик", "округ", "район", "аудан", "tec", "constituency"),
    "region": ("region", "oblast", "област", "регион", "облыс", "province"),
    "registered": (
        "registered", "electorate", "eligible", "в списке", "в список", "включенных",
        "тізім", "voters_on_list", "on the list",
    ),
    "invalid": ("invalid", "недейств", "жарамсыз", "spoilt", "null_votes"),
    "valid": ("valid", "действител", "жарамды", "total_votes"),
    "found": ("found", "обнаруж", "в урн", "ящик", "табылған", "in boxes", "ballot box"),
    "voters": (
        "participated", "issued", "выдан", "voted", "ballots cast", "берілген", "проголос",
        "turnout_count", "voters",
    ),
}  # fmt: skip
ORDER = ("invalid", "valid", "registered", "found", "voters")
"""Count keys in the order they claim columns: "invalid" before "valid" (its word contains
"valid"), "registered" before "voters" (a column of registered voters says "voters" too)."""
NOT_CONTESTANTS = (
    "men", "women", "male", "female", "confidence", "ocr", "lat", "lng", "lon", "_id", "id_",
    "numeric", "number", "code", "received", "cancel", "погаш", "получен", "spoiled",
    "испорч", "lost", "утрач", "absentee", "открепит", "mobile", "досрочн",
)  # fmt: skip
"""Words of numeric columns that are figures of the protocol or of the file, not votes."""
NOT_A_FIGURE = ("men", "women", "male", "female", "confidence", "ocr")
"""Words of columns that hold a part or a reading of a figure, never the figure itself."""
SPLIT_WORDS = ("issued", "выдан", "берілген", "обнаруж", "в урн", "табылған", "found")
"""Words of protocol figures that layouts split over several lines (by place, by box): every
column with the word is a part, and the figure is their sum."""


@dataclass(frozen=True)
class Column:
    """What the draft needs to know of one column."""

    name: str
    whole: bool
    """Every non-empty value is a non-negative whole number."""
    unique: bool
    """No value repeats and none is empty."""
    total: float = 0.0
    """The column's sum over all rows (whole-number columns only)."""


def profile(path: Path, delimiter: str | None = None) -> tuple[list[Column], str, int]:
    """(columns, delimiter, data rows) of a CSV or Parquet file, read by DuckDB."""
    connection = duckdb.connect()
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            source, used = f"read_parquet('{_escape(str(path))}')", ","
        else:
            used = delimiter or _sniff(path)
            header = csv_header(path, used)
            types = "{" + ", ".join(f"'{_escape(c)}': 'VARCHAR'" for c in header) + "}"
            source = (
                f"read_csv('{_escape(str(path))}', columns={types}, header=true, "
                f"auto_detect=false, delim='{_escape(used)}', quote='\"', escape='\"')"
            )
        try:
            connection.execute(f"CREATE TABLE src AS SELECT * FROM {source}")
        except duckdb.Error as exc:
            raise FileRefused(f"{path.name} cannot be read: {str(exc).splitlines()[0]}") from exc
        names = [row[0] for row in connection.execute("DESCRIBE src").fetchall()]
        counted = connection.execute("SELECT count(*) FROM src").fetchone()
        assert counted is not None, "an aggregate without GROUP BY always answers one row"
        rows = int(counted[0])
        columns = []
        for name in names:
            q = '"' + name.replace('"', '""') + '"'
            text = f"nullif(trim(CAST({q} AS VARCHAR)), '')"
            described = connection.execute(
                f"SELECT coalesce(bool_and(regexp_full_match({text}, '[0-9]{{1,15}}(\\.0*)?')) "
                f"FILTER (WHERE {text} IS NOT NULL), false), count(DISTINCT {text}), "
                f"count({text}), sum(TRY_CAST({text} AS DOUBLE)) FROM src"
            ).fetchone()
            assert described is not None, "an aggregate without GROUP BY always answers one row"
            whole, distinct, present, total = described
            columns.append(
                Column(name, bool(whole), distinct == rows and present == rows, float(total or 0))
            )
        return columns, used, rows
    finally:
        connection.close()


def _escape(text: str) -> str:
    return text.replace("'", "''")


def _sniff(path: Path) -> str:
    """The delimiter of the header line: the most frequent of , ; tab and |."""
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        first = handle.readline()
    return max((",", ";", "\t", "|"), key=first.count)


def _matches(name: str, words: Sequence[str]) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in words)


@dataclass(frozen=True)
class Draft:
    """The guessed mapping as YAML text, and what was guessed for each key."""

    text: str
    guesses: dict[str, str | list[str]]
    contestants: tuple[str, ...]
    missing: tuple[str, ...]


def draft_mapping(
    columns: Sequence[Column], *, name: str, delimiter: str = ",", file_name: str = ""
) -> Draft:
    """Guess every key of a mapping from `columns` (pure: names and profiles in, YAML out)."""
    taken: set[str] = set()
    guesses: dict[str, str | list[str]] = {}

    def claim(key: str, candidates: Sequence[Column]) -> None:
        # The most telling word first ("participated" before "voters"), then file order;
        # never a column of a part of the figure (men, women) or of a reading's confidence.
        for word in KEYWORDS[key]:
            for column in candidates:
                if (
                    column.name not in taken
                    and word in column.name.lower()
                    and not _matches(column.name, NOT_A_FIGURE)
                ):
                    if word in SPLIT_WORDS:
                        # Ballots issued in the station and outside it, found in the fixed and
                        # the mobile boxes: one protocol figure split over several lines.
                        parts = [
                            c.name
                            for c in candidates
                            if c.name not in taken
                            and word in c.name.lower()
                            and not _matches(c.name, NOT_A_FIGURE)
                        ]
                        guesses[key] = parts if len(parts) > 1 else parts[0]
                        taken.update(parts)
                    else:
                        guesses[key] = column.name
                        taken.add(column.name)
                    return

    unique = [c for c in columns if c.unique]
    claim("station", unique)
    if "station" not in guesses and unique:
        guesses["station"] = unique[0].name
        taken.add(unique[0].name)
    whole = [c for c in columns if c.whole]
    for key in ORDER:
        claim(key, whole)
    for key in ("district", "region"):
        claim(key, columns)
    totals = {c.name: c.total for c in columns}

    def total_of(key: str) -> float:
        named = guesses.get(key, [])
        return sum(totals.get(n, 0.0) for n in ([named] if isinstance(named, str) else named))

    # A contestant cannot have more votes than all valid votes together: such a column is a
    # total (participants, ballots) the keywords missed.
    ceiling = total_of("valid") or max(total_of("voters"), total_of("registered"))
    contestants = tuple(
        c.name
        for c in whole
        if c.name not in taken
        and not _matches(c.name, NOT_CONTESTANTS)
        and not (ceiling > 0 and c.total >= ceiling)
    )
    missing = tuple(k for k in ("station", "registered", "voters") if k not in guesses)
    return Draft(
        text=_yaml(name, guesses, contestants, delimiter, file_name),
        guesses=guesses,
        contestants=contestants,
        missing=missing + (("contestants",) if not contestants else ()),
    )


def _quote(text: str) -> str:
    """A YAML double-quoted scalar: safe for any column name (digits, colons, Cyrillic)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(guess: str | list[str]) -> str:
    return _quote(guess) if isinstance(guess, str) else "[" + ", ".join(map(_quote, guess)) + "]"


def _yaml(
    name: str,
    guesses: dict[str, str | list[str]],
    contestants: Sequence[str],
    delimiter: str,
    file_name: str,
) -> str:
    lines = [
        f"# Draft mapping guessed by `saylau import draft-mapping` from {file_name or 'a file'}.",
        "# Every value marked 'guessed' is a guess from the column's name: check each one, fill",
        f"# in any {PLACEHOLDER!r}, and name the contestants as the ballot does.",
        f"name: {name}",
        f"title: {_quote('TITLE: the election, its date and round')}",
        f"source: {_quote('SOURCE: who published the file, where, when')}",
    ]
    if delimiter != ",":
        lines.append(f"delimiter: {_quote(delimiter)}")
    for key in ("station", "district", "region", "registered", "voters", "valid", "invalid"):
        if key in guesses:
            lines.append(f"{key}: {_value(guesses[key])}  # guessed")
        elif key in ("station", "registered", "voters"):
            lines.append(f"{key}: {_quote(PLACEHOLDER)}  # required: no column looked like it")
    if "found" in guesses:
        lines.append(f"found: {_value(guesses['found'])}  # guessed")
    lines.append("# allow_missing: [voters, invalid]   # keys that may be empty in some rows")
    lines.append("contestants:  # whole-number columns not placed above; name each one")
    for column in contestants:
        label = re.sub(r"\s+", " ", column).strip()
        lines.append(f"  - {{column: {_quote(column)}, name: {_quote(label)}}}")
    if not contestants:
        lines.append(f"  - {{column: {_quote(PLACEHOLDER)}, name: {_quote('NAME')}}}")
    lines.append("# attributes: {counting: COLUMN}   # text columns to compare subgroups by")
    return "\n".join(lines) + "\n"


def rows_adding_up(
    path: Path, delimiter: str, contestants: Sequence[str], valid: str
) -> tuple[int, int]:
    """(rows where the contestants' columns add up to the valid column, rows compared): the
    draft's best evidence that it found the right contestants."""
    if not contestants:
        return 0, 0
    connection = duckdb.connect()
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            source = f"read_parquet('{_escape(str(path))}')"
        else:
            header = csv_header(path, delimiter)
            types = "{" + ", ".join(f"'{_escape(c)}': 'VARCHAR'" for c in header) + "}"
            source = (
                f"read_csv('{_escape(str(path))}', columns={types}, header=true, "
                f"auto_detect=false, delim='{_escape(delimiter)}', quote='\"', escape='\"')"
            )

        def number(column: str) -> str:
            q = '"' + column.replace('"', '""') + '"'
            return f"TRY_CAST(nullif(trim(CAST({q} AS VARCHAR)), '') AS DOUBLE)"

        total = " + ".join(f"coalesce({number(c)}, 0)" for c in contestants)
        row = connection.execute(
            f"SELECT count(*) FILTER (WHERE {total} = {number(valid)}), "
            f"count({number(valid)}) FROM {source}"
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)
    finally:
        connection.close()
