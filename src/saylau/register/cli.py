"""`saylau register ...`: load the voter register, record changes, check voters in, count."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
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
from saylau.register.bulk import COLUMNS, import_extract
from saylau.register.changes_cli import COMMANDS as CHANGE_COMMANDS
from saylau.register.checkin import ISSUE, NewPerson, check_in
from saylau.register.duplicates_cli import app as duplicates_app
from saylau.register.list_reads import CLI_ROLE, DEFAULT_LIMIT, cli_reader, list_reads, record_read
from saylau.register.offline_cli import conflicts, devices, offline
from saylau.register.turnout import hourly_turnout, reconcile
from saylau.register.voters import exclusions_by_reason
from saylau.store.db import session_scope

app = typer.Typer(help="The voter register and election-day check-in.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV extract: " + ", ".join(COLUMNS) + ".")],
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add a civil-registry extract to the register: every row checked, all or nothing."""
    engine = open_db(db)
    with reported(), progress_bar() as update, session_scope(engine, write=True) as session:
        added = import_extract(session, get_election(session, election), file, update)
    out.print(f"added {added:,} voters from {file.name}", highlight=False)


@app.command("checkin")
def checkin_command(
    pec: Annotated[str, typer.Argument(help="The PEC's code.")],
    iin: Annotated[str, typer.Argument(help="The voter's IIN.")],
    by: Annotated[str, typer.Option("--by", help="The operator checking the voter in.")],
    client_id: Annotated[
        str | None,
        typer.Option("--client-id", help="This check-in's key; a retry with it is answered alike."),
    ] = None,
    mobile: Annotated[bool, typer.Option("--mobile", help="A ballot for mobile voting.")] = False,
    supplementary: Annotated[
        bool,
        typer.Option("--supplementary", help="Add a voter on another PEC's list to this one."),
    ] = False,
    avc: Annotated[
        str | None, typer.Option("--avc", help="The absentee voting certificate shown.")
    ] = None,
    new_person: Annotated[
        str | None,
        typer.Option(
            "--new-person",
            help="A person on no list: 'family|given names|YYYY-MM-DD|female or male|address'.",
        ),
    ] = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Issue a ballot or refuse it, with the reason (exit 2 on a refusal)."""
    person = _new_person(new_person) if new_person else None
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        answer = check_in(
            session,
            get_election(session, election),
            pec,
            iin,
            operator=by,
            client_id=client_id or secrets.token_hex(16),
            mobile=mobile,
            supplementary=supplementary,
            avc=avc,
            person=person,
        )
    if as_json:
        print_json(answer.as_dict())
    if answer.outcome != ISSUE:
        raise fail(f"refused ({answer.reason}): {answer.message}")
    if not as_json:
        out.print(f"ISSUE: {answer.message} ({answer.kind}, {answer.issued_at})", highlight=False)


def _new_person(text: str) -> NewPerson:
    parts = [part.strip() for part in text.split("|")]
    if len(parts) != 5:
        raise typer.BadParameter(
            f"--new-person needs 5 fields separated by '|', got {len(parts)}",
            param_hint="--new-person",
        )
    family, given, born, sex, address = parts
    try:
        birth = date.fromisoformat(born)
    except ValueError as exc:
        raise typer.BadParameter(f"birth date {born!r} is not YYYY-MM-DD") from exc
    return NewPerson(family, given, birth, sex, address)


@app.command("list-pdf")
def list_pdf_command(
    pec: Annotated[str, typer.Argument(help="The PEC's code.")],
    out_file: Annotated[Path, typer.Option("--out", help="Write the PDF here.")],
    lang: Annotated[str, typer.Option("--lang", help="kk, ru or en.")] = "kk",
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Print a PEC's voter list for signing on election day (personal data: keep it safe).

    The read is recorded as "cli:" and your operating-system user (see `list-reads`); the file
    is written only once that record is committed, so no list leaves unrecorded."""
    if lang not in ("kk", "ru", "en"):
        raise fail(f"--lang {lang!r}: one of kk, ru, en")
    from saylau.register.lists import find_pec, printable_list  # the PDF library, only when asked

    engine = open_db(db)
    with reported():
        with session_scope(engine, write=True) as session:
            chosen = get_election(session, election)
            printable = printable_list(session, chosen, pec, lang)
            record_read(session, chosen, find_pec(session, chosen, pec), cli_reader(), CLI_ROLE,
                        "pdf", 0, printable.rows, lang)  # fmt: skip
        try:
            out_file.write_bytes(printable.pdf)
        except OSError as exc:
            raise fail(
                f"--out {out_file}: {exc.strerror}; the read is recorded all the same"
            ) from exc
    out.print(
        f"wrote the list of PEC {pec} ({printable.rows:,} voters) to {out_file}", highlight=False
    )


@app.command("list-reads")
def list_reads_command(
    pec: Annotated[str | None, typer.Option("--pec", help="Only this PEC's list.")] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Show at most this many reads, newest first.")
    ] = DEFAULT_LIMIT,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Who read or printed which PEC's voter list (API and command line), newest first."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        found = list_reads(session, get_election(session, election), pec_code=pec, limit=limit)
    if as_json:
        print_json([r.as_dict() for r in found])
        return
    where = f"PEC {pec}" if pec else "all PECs"
    table = Table(title=f"{len(found):,} read(s) of the voter lists of {where}, newest first")
    for column in ("when (UTC)", "who", "role", "PEC", "form", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for r in found:
        form = f"{r.form} {r.lang}" if r.lang else r.form
        entries = f"{r.rows:,}" if r.first == 0 else f"{r.rows:,} from {r.first + 1:,}"
        table.add_row(r.read_at[:19].replace("T", " "), r.reader, r.role, r.pec, form, entries)
    out.print(table)


@app.command("exclusions")
def exclusions_command(
    election: ElectionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """How many people are excluded from the register for each of the profile's reasons."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        counts = exclusions_by_reason(session, get_election(session, election))
    if as_json:
        print_json(counts)
        return
    for reason, count in counts.items():
        out.print(f"{reason}: {count:,}", highlight=False)


@app.command("turnout")
def turnout_command(
    unit: Annotated[
        str | None, typer.Option("--unit", help="Unit code or name; the nation if left out.")
    ] = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Ballots issued at check-in, hour by hour (local time), with the running turnout."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        result = hourly_turnout(session, get_election(session, election), unit)
    rows = result.cumulative()
    if as_json:
        print_json(
            {
                "unit": result.unit,
                "registered": result.registered,
                "hours": [
                    {"hour": h, "ballots": n, "turnout": round(share, 6)} for h, n, share in rows
                ],
            }
        )
        return
    out.print(f"{result.unit}: {result.registered:,} voters on the lists", highlight=False)
    for hour, ballots, share in rows:
        out.print(f"by {hour + 1:02d}:00  {ballots:,}  ({100 * share:.2f}%)", highlight=False)


@app.command("reconcile")
def reconcile_command(
    election: ElectionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """PECs whose protocol's ballots issued differ from the ballots issued at check-in."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        found = reconcile(session, get_election(session, election))
    if as_json:
        print_json(
            [
                {
                    "pec": r.pec,
                    "checked_in": r.checked_in,
                    "protocol_issued": r.protocol_issued,
                    "difference": r.difference,
                }
                for r in found
            ]
        )
        return
    out.print(f"{len(found):,} PECs differ", highlight=False)
    for r in found[:50]:
        out.print(
            f"{r.pec}: protocol {r.protocol_issued:,}, check-ins {r.checked_in:,} "
            f"({r.difference:+,})",
            highlight=False,
        )


# Changes before election day live in their own module; they are commands of this group.
for _name, _command in CHANGE_COMMANDS.items():
    app.command(_name)(_command)
app.add_typer(duplicates_app, name="duplicates")
app.add_typer(devices, name="device")
app.add_typer(offline, name="offline")
app.add_typer(conflicts, name="conflicts")
