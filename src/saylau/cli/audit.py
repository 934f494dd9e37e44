"""`saylau audit ...`: recompute and check the hash chain."""

from __future__ import annotations

import typer

from saylau.administration.service import election_mismatches
from saylau.audit.service import read_chain
from saylau.console import DEFAULT_DB, DbOption, JsonOption, open_db, out, print_json, reported
from saylau.results.verification import audit_mismatches
from saylau.store.db import session_scope

app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


@app.command("verify")
def verify_command(as_json: JsonOption = False, db: DbOption = DEFAULT_DB) -> None:
    """Recompute the chain and check every current protocol and decision against it.

    Prints the chain head; exits 0 only when everything checks, 1 when anything does not.
    """
    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        chain = read_chain(session)
        records = election_mismatches(session, chain.latest) + audit_mismatches(
            session, chain.latest
        )
    problems = [f"audit event {b.seq}: {b.problem}" for b in chain.breaks] + records
    if as_json:
        print_json(
            {"head": chain.head, "events": chain.events, "ok": not problems, "problems": problems}
        )
    else:
        out.print(f"chain head {chain.head} ({chain.events:,} events)", highlight=False)
        for problem in problems:
            out.print(f"[red]FAIL[/] {problem}", highlight=False)
        if not problems:
            out.print("[green]OK[/] every event and every current protocol checks")
    if problems:
        raise typer.Exit(1)
