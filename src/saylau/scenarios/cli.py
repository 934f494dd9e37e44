"""`saylau scenario ...`: build synthetic elections."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from saylau.register.voters import registered_by_pec
from saylau.scenarios.build import build_kz2022
from saylau.scenarios.kz2022 import MIN_STATIONS, SEED
from saylau.scenarios.mission2022 import build_reference_mission
from saylau.scenarios.register import synthetic_register, write_extract
from saylau.scenarios.register_build import build_register, describe_register
from saylau.store.db import describe_url, session_scope
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


# Commands of other groups that build synthetic data: they live with the scenarios they build,
# so that the observation and register contexts never import the scenarios built on top of them;
# `cli.main` attaches them as `saylau observe reference` and `saylau register generate`.


def observe_reference_command(
    election: ElectionOption = None, as_json: JsonOption = False, db: DbOption = DEFAULT_DB
) -> None:
    """Build the reference ODIHR mission of kz-2022: observers, forms, section XIII submissions."""
    engine = open_db(db)
    with reported(), session_scope(engine, write=True) as session:
        built = build_reference_mission(session, get_election(session, election))
    if as_json:
        print_json(built.__dict__)
        return
    out.print(
        f"mission {built.mission}: {built.observers} observers from Annex II "
        f"({built.unread_paragraphs} paragraphs of the annex unreadable, see docs/observation.md), "
        f"forms {', '.join(f'{k} ({v})' for k, v in built.forms.items())}, "
        f"{built.submissions:,} submissions",
        highlight=False,
    )


def register_generate_command(
    out_file: Annotated[Path, typer.Option("--out", help="Write the CSV extract here.")],
    scale: Annotated[
        float, typer.Option("--scale", help="Share of each PEC's registered voters (1 = all).")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draw.")] = 2022,
    election: ElectionOption = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write a synthetic extract matching each PEC's registered voters in the protocols."""
    engine = open_db(db)
    with reported():
        if not 0 < scale <= 1:
            raise fail(f"--scale {scale}: must be above 0 and at most 1")
        with session_scope(engine) as session:
            chosen = get_election(session, election)
            codes, sizes = registered_by_pec(session, chosen)
            day = chosen.election_date
        columns = synthetic_register(codes, sizes, day, scale=scale, seed=seed)
        written = write_extract(columns, out_file)
    out.print(f"wrote {written:,} voters of {len(codes):,} PECs to {out_file}", highlight=False)
