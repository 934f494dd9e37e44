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
from saylau.scenarios.register_build import build_register, describe_register
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
    register_scale: Annotated[
        float,
        typer.Option(
            "--register-scale",
            min=0.0,
            max=1.0,
            help="Also load a synthetic voter register of this share of each PEC's registered "
            "voters (1 = 11,953,465 for the full election), with the changes and check-ins of "
            "election day; 0 = none.",
        ),
    ] = 0.0,
    election_day: Annotated[
        bool,
        typer.Option(
            "--election-day/--no-election-day",
            help="With --register-scale: also check the voters in on election day.",
        ),
    ] = True,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Build a scenario in one transaction (an interrupted build leaves nothing behind); a
    register, when asked for, is then loaded in its own transactions."""
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
            register = (
                build_register(
                    engine,
                    built.code,
                    register_scale,
                    seed=seed,
                    election_day=election_day,
                    progress=progress,
                )
                if register_scale > 0
                else None
            )
    if as_json:
        extra = {"register": register.__dict__} if register else {}
        print_json(built.__dict__ | extra | {"db": describe_url(db)})
        return
    out.print(
        f"built election {built.code}: {built.units:,} units, {built.members:,} members, "
        f"{built.protocols:,} protocols in {describe_url(db)}",
        highlight=False,
    )
    if register is not None:
        out.print(describe_register(register), highlight=False)
