"""The `saylau` command: `saylau demo` and one group per context."""

from __future__ import annotations

from typing import Annotated

import typer

from saylau.administration.cli import app as admin_app
from saylau.administration.service import election_exists, get_election
from saylau.analytics.analyze_cli import analyze_command
from saylau.analytics.import_cli import app as import_app
from saylau.cli.audit import app as audit_app
from saylau.cli.db import app as db_app
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    forget_json,
    open_db,
    out,
    progress_bar,
    reported,
)
from saylau.observation.cli import app as observe_app
from saylau.observation.missions import mission_exists
from saylau.register.cli import app as register_app
from saylau.register.voters import register_size
from saylau.results.cli import app as results_app
from saylau.results.cli import render_summary
from saylau.results.tabulation import summary
from saylau.scenarios.build import build_kz2022
from saylau.scenarios.cli import app as scenario_app
from saylau.scenarios.cli import observe_reference_command, register_generate_command
from saylau.scenarios.mission2022 import MISSION_CODE, build_reference_mission
from saylau.scenarios.register_build import build_register, describe_register
from saylau.store.db import describe_url, session_scope
from saylau.store.migrate import upgrade
from saylau.users.cli import app as users_app
from saylau.web.publish_cli import app as publish_app

app = typer.Typer(
    help="saylau: an election's data end to end, every number open to verification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _each_command() -> None:
    """(Runs before every command.) A refusal is printed as JSON only if this command asked."""
    forget_json()


app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(results_app, name="results")
app.add_typer(audit_app, name="audit")
app.add_typer(scenario_app, name="scenario")
app.add_typer(users_app, name="users")
app.add_typer(publish_app, name="publish")
app.add_typer(observe_app, name="observe")
app.add_typer(register_app, name="register")
app.add_typer(import_app, name="import")
observe_app.command("reference")(observe_reference_command)
register_app.command("generate")(register_generate_command)
app.command("analyze")(analyze_command)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]

DEMO_ELECTION = "kz-2022"
# 1% of the register (about 120,000 voters) keeps the demo under a minute while every kind of
# change and check-in is there; `saylau scenario build --register-scale 1` builds all 11.95M.
DEMO_REGISTER_SCALE = 0.01


@app.command("demo")
def demo_command(
    serve_site: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the built election afterwards.")
    ] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Build the Kazakhstan 2022 reference election (once), show its result and serve it."""
    engine = open_db(db, require_schema=False)
    with reported():
        upgrade(engine)
        with session_scope(engine) as session:
            exists = election_exists(session, DEMO_ELECTION)
        if exists:
            out.print(
                f"election {DEMO_ELECTION} is already built in {describe_url(db)}", highlight=False
            )
        else:
            with progress_bar() as progress:
                build_kz2022(engine, progress=progress)
        with session_scope(engine, write=True) as session:
            if not mission_exists(session, MISSION_CODE):
                build_reference_mission(session, get_election(session, DEMO_ELECTION))
        with session_scope(engine) as session:
            has_register = register_size(session, get_election(session, DEMO_ELECTION)) > 0
        if not has_register:
            with progress_bar() as progress:
                built = build_register(engine, DEMO_ELECTION, DEMO_REGISTER_SCALE,
                                       progress=progress)  # fmt: skip
            out.print(describe_register(built), highlight=False)
        with session_scope(engine) as session:
            result = summary(session, get_election(session, DEMO_ELECTION))
    render_summary(result)
    out.print(f"\ndatabase: {describe_url(db)}", highlight=False)
    out.print(
        "try: saylau results summary --unit Almaty --json; saylau audit verify; "
        "saylau analyze --election kz-2022 --html report.html",
        highlight=False,
    )
    if serve_site:
        out.print(
            f"\nserving the public site at http://{host}:{port}/ "
            f"(API: http://{host}:{port}/api/v1/docs; the observation mission's findings: "
            f"http://{host}:{port}/en/observe/{MISSION_CODE}/); Ctrl+C stops",
            highlight=False,
        )
        from saylau.server.serve import serve  # the web stack loads only when a command serves

        serve(db, host, port, log_level="warning")


@app.command("serve")
def serve_command(
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Serve the public site, the open data and the API of a database."""
    open_db(db)
    out.print(
        f"serving {describe_url(db)} at http://{host}:{port}/ (API docs: /api/v1/docs)",
        highlight=False,
    )
    from saylau.server.serve import serve  # the web stack loads only when a command serves

    serve(db, host, port, workers)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
