"""`saylau observe quickcount ...`: draw a mission's quick-count sample and estimate from it.

Both commands take the sample's size and seed on every call rather than storing a drawn sample:
the sample is a function of the published frame, size and seed, so anyone can run the same
command and get the same stations, which is the point of publishing the seed.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from saylau.administration.models import Election
from saylau.administration.service import get_election
from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    open_db,
    out,
    print_json,
    reported,
)
from saylau.observation.missions import get_mission
from saylau.store.db import session_scope

app = typer.Typer(
    help="Quick count: a random sample of polling stations, and the result estimated from it.",
    no_args_is_help=True,
)

SizeOption = Annotated[
    int, typer.Option("--size", min=1, help="Polling stations in the sample (e.g. 1000).")
]
SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help="The published seed the sample is drawn with.")
]
MissionOption = Annotated[
    str | None, typer.Option("--mission", help="Mission code; may be left out when there is one.")
]


@app.command("sample")
def sample_command(
    size: SizeOption,
    seed: SeedOption,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Draw the sample: stations per region and the frame's SHA-256 (--json adds the codes)."""
    from saylau.observation.quickcount import draw  # SciPy loads only for the quick count

    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        document = draw(session, get_election(session, election), size, seed).as_dict()
    if as_json:
        print_json(document)
        return
    render_sample(document)


def render_sample(document: dict[str, Any]) -> None:
    table = Table(
        "region", "name", "stations", "registered", "sampled",
        title=f"{document['election']}: {document['size']:,} of {document['frame_stations']:,} "
        f"stations at home, seed {document['seed']}",
    )  # fmt: skip
    for row in document["allocation"]:
        table.add_row(
            row["region"],
            row["name"],
            f"{row['stations']:,}",
            f"{row['registered']:,}",
            f"{row['sampled']:,}",
        )
    out.print(table)
    out.print(f"frame sha256 {document['frame_sha256']}", highlight=False)


@app.command("estimate")
def estimate_command(
    size: SizeOption,
    seed: SeedOption,
    mission: MissionOption = None,
    election: ElectionOption = None,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """The running estimate with 95% margins, and each official figure against its interval.

    Exits 0 whether or not an official figure lies outside: a difference is a finding to
    report, not a failure of the command.
    """
    from saylau.observation.quickcount import running_estimate  # SciPy only when asked

    engine = open_db(db)
    with reported(), session_scope(engine) as session:
        found = get_mission(session, mission)
        observed = (
            get_election(session, election)
            if election is not None
            else session.get(Election, found.election_id)
        )
        assert observed is not None  # the mission's foreign key
        document = running_estimate(session, found, observed, size, seed)
    if as_json:
        print_json(document)
        return
    render_estimate(document)


def _interval(pair: list[float]) -> str:
    return f"{pair[0]:.2f} to {pair[1]:.2f}"


def render_estimate(document: dict[str, Any]) -> None:
    sample = document["sample"]
    out.print(
        f"mission {document['mission']}, election {document['election']}: "
        f"{document['reported']:,} of {sample['size']:,} sampled stations reported "
        f"(seed {sample['seed']}, frame sha256 {sample['frame_sha256'][:16]}…); "
        f"{len(document['conflicts'])} in conflict, {len(document['incomplete'])} incomplete, "
        f"{document['outside_sample']} copies from stations outside the sample",
        highlight=False,
    )
    if not document["quantities"]:
        out.print("no report from a sampled station yet: nothing to estimate", highlight=False)
        return
    official = {row["name"]: row for row in document["comparison"] or []}
    columns = ["", "estimate %", "± margin", f"{document['confidence_pct']}% interval"]
    if official:
        columns += ["official %", "inside?"]
    table = Table(*columns)
    for row in document["quantities"]:
        cells = [
            row["label"],
            f"{row['point_pct']:.2f}",
            f"{row['margin_pct']:.2f}",
            _interval(row["interval_pct"]),
        ]
        if official:
            other = official.get(row["name"])
            cells += (
                [f"{other['official_pct']:.2f}", "no" if other["outside"] else "yes"]
                if other
                else ["", ""]
            )
        table.add_row(*cells)
    out.print(table)
    render_arrival(document["representativeness"])
    if not official:
        out.print("official results are not complete yet: no comparison", highlight=False)


def render_arrival(seen: dict[str, Any]) -> None:
    verdict = (
        "arrival depends on the region: do not read this estimate as the result yet"
        if seen["flagged"]
        else "arrival looks even across regions"
    )
    missing = ", ".join(seen["missing_regions"]) or "none"
    out.print(
        f"representativeness: chi² {seen['chi2']:.1f} on {seen['dof']} df, "
        f"p = {seen['p_value']:.3g} (flagged below {seen['alpha']}): {verdict}; "
        f"regions with no report: {missing}",
        highlight=False,
    )
