"""`saylau scenario ...`: build synthetic elections."""

from __future__ import annotations

from typing import Annotated

import typer

from saylau.cli.common import (
    DEFAULT_DB,
    DbOption,
    JsonOption,
    fail,
    open_db,
    out,
    print_json,
    progress_bar,
    reported,
)
from saylau.scenarios.build import build_kz2022
from saylau.scenarios.kz2022 import MIN_STATIONS, SEED
from saylau.store.db import describe_url
from saylau.store.migrate import upgrade

app = typer.Typer(help="Synthetic elections for demos, tests and benchmarks.", no_args_is_help=True)
SCENARIOS = ("kz-2022",)


@app.command("build")
def build_command(
    name: Annotated[str, typer.Argument(help="Scenario name: kz-2022.")],
    stations: Annotated[
        int | None, typer.Option("--stations", help="Scale to N PECs (default: the real 10,101).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = SEED,
    code: Annotated[
        str | None, typer.Option("--code", help="Election code to build under.")
    ] = None,
    members: Annotated[
        bool, typer.Option("--members/--no-members", help="Generate commission members.")
    ] = True,
    reported_share: Annotated[
        float,
        typer.Option(
            "--reported",
            min=0.0,
            max=1.0,
            help="Share of PECs whose protocols are entered (election night in progress).",
        ),
    ] = 1.0,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Build a scenario in one transaction (an interrupted build leaves nothing behind)."""
    if name not in SCENARIOS:
        raise fail(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    if stations is not None and stations < MIN_STATIONS:
        raise fail(f"--stations {stations}: a scaled election needs at least {MIN_STATIONS} PECs")
    engine = open_db(db, require_schema=False)
    with reported():
        upgrade(engine)
        with progress_bar() as progress:
            built = build_kz2022(
                engine,
                stations=stations,
                seed=seed,
                code=code,
                with_members=members,
                progress=progress,
                reported=reported_share,
            )
    if as_json:
        print_json(built.__dict__ | {"db": describe_url(db)})
        return
    out.print(
        f"built election {built.code}: {built.units:,} units, {built.members:,} members, "
        f"{built.protocols:,} protocols in {describe_url(db)}",
        highlight=False,
    )
