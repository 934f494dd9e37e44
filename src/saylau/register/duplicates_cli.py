"""`saylau register duplicates ...`: find probable duplicate persons, list them, decide them.

Mounted on the register app (`app.add_typer(duplicates_app, name="duplicates")`). `find` only
queues pairs; `decide` is the one place a record is superseded, and only on a person's word.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from saylau.administration.service import get_election
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    fail,
    open_db,
    out,
    print_json,
    progress_bar,
    reported,
)
from saylau.register.duplicates import DEFAULT_THRESHOLD, PENDING, find_duplicates
from saylau.register.review import PairView, RecordView, decide, list_pairs
from saylau.store.db import session_scope

app = typer.Typer(
    help="Probable duplicate persons on the register: found by record linkage, decided by people.",
    no_args_is_help=True,
)


@app.command("find")
def find_command(
    threshold: Annotated[
        float,
        typer.Option("--threshold", help="Queue pairs with at least this match probability."),
    ] = DEFAULT_THRESHOLD,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Link the register (Splink, DuckDB) and queue new probable duplicates as pending."""
    engine = open_db(db)
    with reported(), progress_bar() as update, session_scope(engine, write=True) as session:
        report = find_duplicates(
            session, get_election(session, election), threshold=threshold, progress=update
        )
    if as_json:
        print_json(
            {
                "run": report.run,
                "threshold": report.threshold,
                "records": report.records,
                "found": report.found,
                "queued": report.queued,
                "already_queued": report.already_queued,
                "seconds": {k: round(v, 3) for k, v in report.seconds.items()},
            }
        )
        return
    out.print(
        f"run {report.run}: {report.found:,} pairs at probability >= {report.threshold} among "
        f"{report.records:,} records; {report.queued:,} queued, {report.already_queued:,} "
        "already in the queue",
        highlight=False,
    )


def _side(record: RecordView) -> str:
    ballot = f"\nballot: {record.ballot}" if record.ballot else ""
    status = "" if record.status == "active" else f" [{record.status}]"
    return (
        f"{record.iin}{status}\n{record.family_name} {record.given_names}\n"
        f"{record.birth_date} {record.sex}\n{record.address} (PEC {record.pec}){ballot}"
    )


@app.command("list")
def list_command(
    status: Annotated[
        str,
        typer.Option("--status", help="pending, same_person, different_people, or all."),
    ] = PENDING,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many pairs.")] = 50,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Queued pairs, most probable first, with both records side by side."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        pairs: list[PairView] = list_pairs(
            session, get_election(session, election), None if status == "all" else status, limit
        )
    if as_json:
        print_json([p.as_dict() for p in pairs])
        return
    table = Table(title=f"{len(pairs):,} pair(s), status {status}")
    for column in ("pair", "probability", "record A", "record B", "status"):
        table.add_column(column)
    for pair in pairs:
        decided = f"\nby {pair.decided_by}" if pair.decided_by else ""
        table.add_row(
            str(pair.id), f"{pair.probability:.4f}", _side(pair.a), _side(pair.b),
            pair.status + decided,
        )  # fmt: skip
    out.print(table)


@app.command("decide")
def decide_command(
    pair: Annotated[int, typer.Argument(help="The pair's number (from `list`).")],
    by: Annotated[str, typer.Option("--by", help="The reviewer deciding.")],
    same_person: Annotated[
        bool, typer.Option("--same-person", help="One person: supersede the other record.")
    ] = False,
    different: Annotated[
        bool, typer.Option("--different", help="Two people: nothing else changes.")
    ] = False,
    keep: Annotated[
        str | None,
        typer.Option("--keep", help="With --same-person: the IIN of the record that stays."),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Why, for the record.")] = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Decide one pending pair; a decision is final."""
    if same_person == different:
        raise fail("give exactly one of --same-person (with --keep IIN) and --different")
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        decided = decide(
            session,
            get_election(session, election),
            pair,
            same_person=same_person,
            keep_iin=keep,
            by=by,
            note=note,
        )
    if as_json:
        print_json(decided.as_dict())
        return
    if same_person:
        dropped = decided.b if decided.a.iin == keep else decided.a
        out.print(
            f"pair {pair}: same person; kept {keep}, superseded {dropped.iin}", highlight=False
        )
    else:
        out.print(f"pair {pair}: different people", highlight=False)
