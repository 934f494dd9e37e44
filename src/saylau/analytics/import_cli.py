"""`saylau import ...`: load another election's per-station results for the integrity analytics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from saylau.analytics.draft import draft_mapping, profile, rows_adding_up
from saylau.analytics.importer import Problem, RowsRejected, resolve_mapping, write_rejects
from saylau.analytics.stations import ImportOutcome, import_stations, list_imported
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    err,
    open_db,
    out,
    print_json,
    progress_bar,
    reported,
)
from saylau.domain.errors import Rejected
from saylau.store.db import session_scope

app = typer.Typer(
    help="Import other elections' per-station results (CSV or Parquet) through a YAML mapping.",
    no_args_is_help=True,
)


def default_rejects(file: Path) -> Path:
    """Beside the input: results.csv -> results.rejects.csv."""
    return file.with_name(f"{file.stem}.rejects.csv")


def read_mapping_text(reference: str) -> tuple[Path, str]:
    """The mapping file named by `reference` (a path or a shipped name) and its exact text."""
    path = resolve_mapping(reference)
    try:
        return path, path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(f"mapping {path} is not UTF-8 text") from exc


@app.command("stations")
def stations_command(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file, one row per station.")],
    mapping: Annotated[
        str,
        typer.Option(
            "--mapping", help="Mapping YAML file, or the name of a shipped one (georgia-2024)."
        ),
    ],
    election: Annotated[
        str | None,
        typer.Option("--election", help="Name to store it under (default: the mapping's name)."),
    ] = None,
    skip_bad: Annotated[
        bool,
        typer.Option("--skip-bad", help="Import the rows that pass and write the others out."),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Rejects CSV of --skip-bad (default: FILE.rejects.csv)."),
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Check every row of FILE and store the stations, all or nothing, with an audit event.

    A row breaking a rule refuses the whole file (exit 2, the problems on stderr) unless
    --skip-bad is given. The same file and mapping again is a no-op.
    """
    engine = open_db(db)
    rejects_path = rejects or default_rejects(file)
    with reported():
        mapping_path, text = read_mapping_text(mapping)
        try:
            with progress_bar() as progress, session_scope(engine, write=True) as session:
                outcome = import_stations(
                    session, file, text, name=election, skip_bad=skip_bad, progress=progress
                )
                if outcome.rejected:  # written before the commit: both happen or neither
                    _write_rejects(rejects_path, outcome.rejected)
        except RowsRejected as exc:
            if skip_bad:  # no row passed: the rejects say why
                _write_rejects(rejects_path, exc.row_problems)
            raise
    report = _report(outcome, mapping_path, rejects_path if outcome.rejected else None)
    if as_json:
        print_json(report)
        return
    _render(report)


def _write_rejects(path: Path, problems: list[Problem]) -> None:
    try:
        write_rejects(path, problems)
    except OSError as exc:
        raise Rejected(
            f"cannot write the rejects to {path} ({exc.strerror}); give another --rejects FILE"
        ) from exc


def _report(outcome: ImportOutcome, mapping: Path, rejects: Path | None) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "election": outcome.election.as_dict(),
        "mapping_file": str(mapping),
        "rows_read": outcome.rows,
        "rejected_rows": outcome.election.rejected_rows,
        "problems": outcome.problem_count,
        "rejects_file": None if rejects is None else str(rejects),
    }


def _render(report: dict[str, Any]) -> None:
    election = report["election"]
    if report["status"] == "unchanged":
        out.print(
            f"{election['name']} is already imported from this file with this mapping "
            f"({election['stations']:,} stations, {election['imported_at']}): nothing changed",
            highlight=False,
        )
        return
    out.print(
        f"imported {election['name']}: {election['stations']:,} stations, "
        f"{len(election['contestants'])} contestants from {election['file_name']} "
        f"(sha256 {election['file_sha256']}) through {report['mapping_file']} "
        f"(sha256 {election['mapping_sha256']}); audit event {election['audit_seq']}",
        highlight=False,
    )
    if report["rejects_file"]:
        out.print(
            f"[yellow]skipped {report['rejected_rows']:,} of {report['rows_read']:,} rows[/] "
            f"({report['problems']:,} problems): see {report['rejects_file']}",
            highlight=False,
        )


@app.command("list")
def list_command(as_json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """Imported elections: name, stations, contestants, source file and its SHA-256."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        imported = list_imported(session)
    if as_json:
        print_json([e.as_dict() for e in imported])
        return
    if not imported:
        out.print("no imported elections; try: saylau import stations FILE --mapping MAPPING")
        return
    table = Table("name", "title", "stations", "contestants", "file", "sha256", "imported")
    for e in imported:
        table.add_row(
            e.name,
            e.title,
            f"{e.stations:,}",
            str(len(e.contestants)),
            e.file_name,
            e.file_sha256[:12],
            e.imported_at[:19],
        )
    out.print(table)


@app.command("draft-mapping")
def draft_mapping_command(
    file: Annotated[Path, typer.Argument(help="CSV or Parquet file, one row per station.")],
    name: Annotated[
        str, typer.Option("--name", help="Name of the election in the draft.")
    ] = "my-election",
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the draft here (default: print it).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="CSV separator (default: guessed).")
    ] = None,
) -> None:
    """Guess a mapping from the file's columns: a first draft to check, not a finished one."""
    with reported():
        if output is not None and output.exists():
            raise Rejected(f"{output} exists; name another file or remove it first")
        columns, used, rows = profile(file, delimiter)
        draft = draft_mapping(columns, name=name, delimiter=used, file_name=file.name)
        if output is None:
            out.print(draft.text, end="", highlight=False, markup=False, soft_wrap=True)
        else:
            output.write_text(draft.text, encoding="utf-8")
    notes = [f"{len(columns)} columns, {rows:,} rows; guessed: " + ", ".join(
        f"{key} = {column if isinstance(column, str) else ' + '.join(column)}"
        for key, column in draft.guesses.items()
    )]  # fmt: skip
    valid = draft.guesses.get("valid")
    if isinstance(valid, str) and draft.contestants:
        adding, compared = rows_adding_up(file, used, draft.contestants, valid)
        notes.append(
            f"the {len(draft.contestants)} contestant columns add up to {valid} "
            f"in {adding:,} of {compared:,} rows"
        )
    if draft.missing:
        notes.append("still to name by hand: " + ", ".join(draft.missing))
    if output is not None:
        notes.append(f"draft written to {output}; check it, then: saylau import stations "
                     f"{file} --mapping {output}")  # fmt: skip
    for note in notes:
        err.print(note, highlight=False, markup=False, soft_wrap=True)
