"""`saylau register ...`: load the voter register, check voters in, count exclusions."""

from __future__ import annotations

import csv
import secrets
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from saylau.administration.service import get_election
from saylau.cli.common import (
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
from saylau.register.checkin import ISSUE, check_in
from saylau.register.voters import (
    RegisterRejected,
    VoterRecord,
    add_voters,
    exclusions_by_reason,
)
from saylau.store.db import session_scope

app = typer.Typer(help="The voter register and election-day check-in.", no_args_is_help=True)

COLUMNS = ("iin", "family_name", "given_names", "birth_date", "sex", "address", "pec")
"""The civil-registry extract's columns (and an optional `exclusion`: a profile reason code)."""


def read_extract(path: Path) -> list[VoterRecord]:
    """The extract's rows as records; a missing column or a malformed date names row and field."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise fail(f"{path.name}: missing column(s) {', '.join(missing)}; needs {COLUMNS}")
        records, problems = [], []
        for row, raw in enumerate(reader, start=1):
            try:
                born = date.fromisoformat((raw["birth_date"] or "").strip())
            except ValueError:
                problems.append(
                    f"row {row}, field birth_date: {raw['birth_date']!r} is not a YYYY-MM-DD date"
                )
                continue
            records.append(
                VoterRecord(
                    iin=(raw["iin"] or "").strip(),
                    family_name=(raw["family_name"] or "").strip(),
                    given_names=(raw["given_names"] or "").strip(),
                    birth_date=born,
                    sex=(raw["sex"] or "").strip(),
                    address=(raw["address"] or "").strip(),
                    pec=(raw["pec"] or "").strip(),
                    exclusion=(raw.get("exclusion") or "").strip() or None,
                )
            )
    if problems:
        raise RegisterRejected(problems, len(problems), len(records) + len(problems))
    return records


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV extract: " + ", ".join(COLUMNS) + ".")],
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Add a civil-registry extract to the register: every row checked, all or nothing."""
    engine = open_db(db)
    with reported(), progress_bar() as update:
        update("read", 0, 1)
        records = read_extract(file)
        update("read", 1, 1)
        update("check+write", 0, len(records))
        with session_scope(engine, write=True) as session:
            added = add_voters(session, get_election(session, election), records)
        update("check+write", added, len(records))
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
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Issue a ballot or refuse it, with the reason (exit 2 on a refusal)."""
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
        )
    if as_json:
        print_json(answer.as_dict())
    if answer.outcome != ISSUE:
        raise fail(f"refused ({answer.reason}): {answer.message}")
    if not as_json:
        out.print(f"ISSUE: {answer.message} ({answer.kind}, {answer.issued_at})", highlight=False)


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
