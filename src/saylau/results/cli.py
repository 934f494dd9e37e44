"""`saylau results ...`: enter, amend and read protocols; results of any unit."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from saylau.administration.service import find_unit, get_election
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    open_db,
    out,
    print_json,
    read_json,
    reported,
)
from saylau.results.document import read_amendment, read_protocols
from saylau.results.documents import flagged_protocols, protocol_document, protocol_history
from saylau.results.service import amend_protocol, submit_protocols
from saylau.results.tabulation import summary
from saylau.store.db import session_scope

app = typer.Typer(help="PEC protocols, amendments and results.", no_args_is_help=True)
protocol_app = typer.Typer(help="Read one PEC's protocol.", no_args_is_help=True)
app.add_typer(protocol_app, name="protocol")

UnitOption = Annotated[
    str | None, typer.Option("--unit", help="Unit code or name; the nation if left out.")
]
FileOption = Annotated[
    Path,
    typer.Option("--file", help="A protocol document, JSON (use - for standard input)."),
]


def render_summary(result: dict[str, Any]) -> None:
    """The human form of a unit's result."""
    out.print(f"[bold]{result['unit']}[/] ({result['unit_code']})", highlight=False)
    out.print(
        f"registered {result['registered']:,}   voters {result['voters']:,} "
        f"(turnout {result['turnout_pct']:.2f}%)   valid {result['valid']:,}   "
        f"invalid {result['invalid']:,}   AVC {result['avc']:,}   mobile {result['mobile']:,}",
        highlight=False,
    )
    table = Table(show_edge=False)
    table.add_column("Candidate")
    table.add_column("Votes", justify="right")
    table.add_column("%", justify="right")
    for c in result["candidates"]:
        table.add_row(c["name"], f"{c['votes']:,}", f"{c['pct']:.2f}")
    if result["against_all"] is not None:
        a = result["against_all"]
        table.add_row("Against all", f"{a['votes']:,}", f"{a['pct']:.2f}")
    out.print(table)
    outcome = result["outcome"]
    names = ", ".join(outcome["names"]) or "-"
    out.print(
        f"PECs reported {result['pecs_reported']:,} of {result['pecs_total']:,}   "
        f"outcome: [bold]{outcome['kind']}[/] {names}",
        highlight=False,
    )


@app.command("summary")
def summary_command(
    unit: UnitOption = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Totals, percentages and outcome of the nation or any TEC, region or PEC."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        result = summary(session, get_election(session, election), unit)
    if as_json:
        print_json(result)
    else:
        render_summary(result)


@app.command("flagged")
def flagged_command(
    unit: UnitOption = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Protocols accepted with an explanation for a broken relation (e.g. more ballots in the
    boxes than issued), with the explanation given."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        chosen = get_election(session, election)
        target = find_unit(session, chosen, unit) if unit else None
        rows = flagged_protocols(session, chosen, target.id if target else None)
    if as_json:
        print_json(rows)
        return
    for row in rows:
        for flag in row["flags"]:
            out.print(
                f"PEC {row['pec']} v{row['version']}: {flag['title']} broken "
                f"({flag['left']:,} vs {flag['right']:,}); explanation: {flag['explanation']}",
                highlight=False,
            )
    out.print(f"{len(rows):,} flagged protocol(s)", highlight=False)


@app.command("submit")
def submit_command(
    file: FileOption,
    by: Annotated[str | None, typer.Option("--by", help="Who enters the protocol(s).")] = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Enter new protocol(s): one JSON object, or a list of them (all or none are accepted)."""
    document = read_json(file)
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        chosen = get_election(session, election)
        inputs = read_protocols(document, chosen.code)
        accepted = submit_protocols(session, chosen, inputs, by or f"{getpass.getuser()} (cli)")
    rows = [a.__dict__ | {"flags": list(a.flags)} for a in accepted]
    if as_json:
        print_json(rows)
        return
    for a in accepted:
        flagged = f"  flagged: {', '.join(a.flags)}" if a.flags else ""
        out.print(
            f"PEC {a.pec}: {a.status}, version {a.version}, audit {a.audit_hash}{flagged}",
            highlight=False,
        )


@app.command("amend")
def amend_command(
    pec: Annotated[str, typer.Argument(help="PEC code.")],
    file: FileOption,
    decision: Annotated[str, typer.Option("--decision", help="The deciding body's decision.")],
    by: Annotated[str, typer.Option("--by", help="The person recording the amendment.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the protocol changes.")],
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Amend an accepted protocol by a recorded decision (a new version; history is kept)."""
    document = read_json(file)
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        chosen = get_election(session, election)
        _, item = read_amendment(document, chosen.code, pec)
        accepted = amend_protocol(session, chosen, pec, item, decision, by, reason)
    if as_json:
        print_json(accepted.__dict__ | {"flags": list(accepted.flags)})
    else:
        out.print(
            f"PEC {pec}: amended, now version {accepted.version}, audit {accepted.audit_hash}",
            highlight=False,
        )


@protocol_app.command("show")
def show_command(
    pec: Annotated[str, typer.Argument(help="PEC code.")],
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """A PEC's current protocol, in the form `submit` and `amend` accept."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        document = protocol_document(session, get_election(session, election), pec)
    if as_json:
        print_json(document)
        return
    table = Table(title=f"PEC {pec} protocol, version {document['version']}", show_edge=False)
    table.add_column("Line")
    table.add_column("Value", justify="right")
    for code, value in document["lines"].items():
        table.add_row(code, f"{value:,}")
    out.print(table)
    for flag in document["flags"]:
        out.print(
            f"[yellow]flagged[/] {flag['title']}: {flag['left']} vs {flag['right']}; "
            f"explanation: {flag['explanation']}",
            highlight=False,
        )


@protocol_app.command("history")
def history_command(
    pec: Annotated[str, typer.Argument(help="PEC code.")],
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Every version of a PEC's protocol with decision, person, reason, time and audit hash."""
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        history = protocol_history(session, get_election(session, election), pec)
    if as_json:
        print_json(history)
        return
    table = Table(title=f"PEC {pec} protocol history", show_edge=False)
    for column in ("Version", "Time", "By", "Decision", "Reason", "Audit hash"):
        table.add_column(column)
    for v in history:
        decision = f"{v['decision']['body']}: {v['decision']['text']}" if v["decision"] else "-"
        table.add_row(
            str(v["version"]),
            v["time"],
            v["entered_by"],
            decision,
            v["reason"] or "-",
            v["audit_hash"][:16],
        )
    out.print(table)
