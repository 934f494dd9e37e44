"""`saylau register transfer | avc | mobile-request | sites | changes`: before election day.

Each command records one application inside the profile's window, or refuses it naming the
rule; the `sites` command designates the PECs where election-day registration is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from saylau.administration.service import get_election
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    open_db,
    out,
    print_json,
    read_text,
    reported,
)
from saylau.domain.register_changes import SITE_SCOPES
from saylau.register.changes import (
    Recorded,
    changes_by_kind,
    designate_sites,
    issue_certificate,
    request_mobile,
    transfer,
)
from saylau.store.db import session_scope


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from exc


AppliedOn = Annotated[
    str, typer.Option("--applied-on", help="The date the application bears (YYYY-MM-DD).")
]
By = Annotated[str, typer.Option("--by", help="Who records it (the commission's operator).")]


def _show(recorded: Recorded, as_json: bool) -> None:
    if as_json:
        print_json({**recorded.__dict__, "applied_on": recorded.applied_on.isoformat()})
        return
    parts = [recorded.kind, f"IIN {recorded.iin}"]
    if recorded.from_pec:
        parts.append(f"from PEC {recorded.from_pec}")
    if recorded.to_pec:
        parts.append(f"to PEC {recorded.to_pec}")
    if recorded.reference:
        parts.append(f"({recorded.reference})")
    out.print(" ".join(parts), highlight=False)


def _record(db: str, election: str | None, act: Callable[[Any, Any], Recorded]) -> Recorded:
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        return act(session, get_election(session, election))


def transfer_command(
    iin: Annotated[str, typer.Argument(help="The voter's IIN.")],
    to_pec: Annotated[str, typer.Argument(help="The PEC whose list the voter moves to.")],
    applied_on: AppliedOn,
    by: By,
    reference: Annotated[
        str | None, typer.Option("--reference", help="The application's number.")
    ] = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Move a voter to the list where they will vote (within the profile's deadline)."""
    day = _day(applied_on)
    recorded = _record(
        db,
        election,
        lambda s, e: transfer(s, e, iin, to_pec, applied_on=day, by=by, reference=reference),
    )
    _show(recorded, as_json)


def avc_command(
    iin: Annotated[str, typer.Argument(help="The voter's IIN.")],
    applied_on: AppliedOn,
    by: By,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Issue an absentee voting certificate: prints its number; the voter leaves the list."""
    day = _day(applied_on)
    recorded = _record(
        db, election, lambda s, e: issue_certificate(s, e, iin, applied_on=day, by=by)
    )
    _show(recorded, as_json)


def mobile_request_command(
    iin: Annotated[str, typer.Argument(help="The voter's IIN.")],
    reason: Annotated[str, typer.Option("--reason", help="One of the profile's reasons.")],
    applied_on: AppliedOn,
    by: By,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record a written application to vote at home, at the voter's PEC."""
    day = _day(applied_on)
    recorded = _record(
        db,
        election,
        lambda s, e: request_mobile(s, e, iin, reason=reason, applied_on=day, by=by),
    )
    _show(recorded, as_json)


def sites_command(
    codes_file: Annotated[Path, typer.Argument(help="A text file of PEC codes, one per line.")],
    scope: Annotated[
        str, typer.Option("--scope", help=f"One of {', '.join(SITE_SCOPES)}.")
    ] = "residents",
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Designate PECs for election-day registration (all in the file, or none)."""
    codes = [line.strip() for line in read_text(codes_file).splitlines() if line.strip()]
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        new = designate_sites(session, get_election(session, election), codes, scope)
    out.print(f"{len(codes):,} PECs designated ({scope}); {new:,} new", highlight=False)


def changes_command(
    election: ElectionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """How many changes of each kind the register recorded (report section IX's figures)."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        counts = changes_by_kind(session, get_election(session, election))
    if as_json:
        print_json(counts)
        return
    for kind, count in sorted(counts.items()):
        out.print(f"{kind}: {count:,}", highlight=False)


COMMANDS: dict[str, Callable[..., None]] = {
    "transfer": transfer_command,
    "avc": avc_command,
    "mobile-request": mobile_request_command,
    "sites": sites_command,
    "changes": changes_command,
}
