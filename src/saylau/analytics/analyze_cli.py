"""`saylau analyze`: every integrity test on one election, as a table, JSON, HTML and CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from saylau.console import (
    DEFAULT_DB,
    DbOption,
    ElectionOption,
    JsonOption,
    open_db,
    out,
    print_json,
    progress_bar,
    reported,
)
from saylau.domain.errors import Rejected
from saylau.domain.integrity.fingerprint import DEFAULT_BOOTSTRAP
from saylau.domain.integrity.flags import DEFAULT_Z
from saylau.domain.integrity.integer_percent import DEFAULT_MIN_VOTERS, DEFAULT_REPETITIONS
from saylau.store.db import session_scope

if TYPE_CHECKING:
    from saylau.domain.integrity.analysis import Analysis, Options


class AnalysisOptionError(Rejected):
    """An option the tests cannot run with (named, with the rule it breaks)."""


def analyze_command(
    election: ElectionOption = None,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write the self-contained HTML report here.")
    ] = None,
    flags_csv: Annotated[
        Path | None, typer.Option("--flags-csv", help="Write every flagged station to this CSV.")
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option("--compare", help="Station attribute to split by (repeatable; default all)."),
    ] = None,
    repetitions: Annotated[
        int, typer.Option("--repetitions", help="Monte Carlo redraws for the integer test.")
    ] = DEFAULT_REPETITIONS,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap and null fits for the fingerprint.")
    ] = DEFAULT_BOOTSTRAP,
    min_voters: Annotated[
        int, typer.Option("--min-voters", help="Smallest station (voters) in the integer test.")
    ] = DEFAULT_MIN_VOTERS,
    tolerance: Annotated[
        float | None,
        typer.Option(
            "--tolerance",
            help="Integer-percent window in points (default: to the nearest vote).",
        ),
    ] = None,
    z_threshold: Annotated[
        float, typer.Option("--z", help="Robust z above which a station is an outlier.")
    ] = DEFAULT_Z,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random draw.")] = 2022,
    as_json: JsonOption = False,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Integrity tests on per-station results: distributions, integer percentages, the
    fingerprint, digits, turnout and share, station flags and subgroups."""
    # Loaded here, not with the command line: every other command starts faster without it.
    from saylau.analytics.analyze import load_subject, run, write_flags_csv
    from saylau.domain.integrity.analysis import STEPS

    engine = open_db(db)
    with reported():
        options = _options(
            compare, repetitions, bootstrap, min_voters, tolerance, z_threshold, seed
        )
        with session_scope(engine) as session:
            subject = load_subject(session, election)
        with progress_bar() as update:
            total = len(STEPS)
            done = {"n": 0}

            def on_step(name: str) -> None:
                update("analysis", done["n"], total)
                done["n"] += 1

            analysis = run(subject, options, on_step)
            update("analysis", total, total)
        if html is not None:
            from saylau.analytics.report import write_report  # matplotlib loads only when asked

            write_report(analysis, html, flags_csv=flags_csv)
        if flags_csv is not None:
            write_flags_csv(analysis, flags_csv)
    if as_json:
        print_json(analysis.to_dict())
        return
    _render(analysis, html, flags_csv)


def _options(
    compare: list[str] | None,
    repetitions: int,
    bootstrap: int,
    min_voters: int,
    tolerance: float | None,
    z_threshold: float,
    seed: int,
) -> Options:
    problems = []
    if repetitions < 1:
        problems.append(f"--repetitions {repetitions}: must be at least 1")
    if bootstrap < 0:
        problems.append(f"--bootstrap {bootstrap}: must not be negative")
    if min_voters < 1:
        problems.append(f"--min-voters {min_voters}: must be at least 1")
    if tolerance is not None and not 0 < tolerance < 0.5:
        problems.append(f"--tolerance {tolerance}: must lie between 0 and 0.5 points")
    if z_threshold <= 0:
        problems.append(f"--z {z_threshold}: must be positive")
    if problems:
        raise AnalysisOptionError("; ".join(problems))
    from saylau.domain.integrity.analysis import Options

    return Options(
        repetitions=repetitions,
        bootstrap=bootstrap,
        min_voters=min_voters,
        tolerance_pp=tolerance,
        z_threshold=z_threshold,
        compare=tuple(compare or ()),
        seed=seed,
    )


def _p(p: float) -> str:
    return "n/a" if p != p else ("< 0.001" if p < 0.001 else f"{p:.3f}")


def _points(fraction: float) -> str:
    """A difference of two shares in percentage points; n/a where a group has no figure (a
    group of stations abroad that publish no list has no turnout)."""
    return "n/a" if fraction != fraction else f"{100 * fraction:+.2f} pts"


def _render(analysis: Analysis, html: Path | None, flags_csv: Path | None) -> None:
    d = analysis.distributions
    out.print(
        f"[bold]{analysis.title}[/] ({analysis.name}): {analysis.stations:,} stations, "
        f"leader {analysis.leader}",
        highlight=False,
    )
    if d.turnout is not None:
        out.print(
            f"turnout {100 * d.turnout:.2f}%, {analysis.leader} "
            f"{100 * d.shares[analysis.leader]:.2f}% of valid votes",
            highlight=False,
        )
    table = Table("test", "figure", "null / interval", "p")
    ip = analysis.integer_percent
    for excess in (ip.turnout, ip.leader_share, ip.either):
        table.add_row(
            f"integer percent: {excess.quantity}",
            f"{excess.observed:,} stations",
            f"{excess.null_mean:,.1f} ± {excess.null_sd:,.1f}",
            _p(excess.p_value),
        )
    fp = analysis.fingerprint
    table.add_row(
        "fingerprint: incremental fraud",
        f"{fp.fraud_incremental:.3f}",
        f"{fp.incremental_interval[0]:.3f} to {fp.incremental_interval[1]:.3f}",
        _p(fp.incremental_p),
    )
    table.add_row(
        "fingerprint: extreme fraud",
        f"{fp.fraud_extreme:.3f}",
        f"{fp.extreme_interval[0]:.3f} to {fp.extreme_interval[1]:.3f}",
        _p(fp.extreme_p),
    )
    for test in analysis.digits.last_digit + analysis.digits.second_digit:
        table.add_row(
            f"{test.digit} digit: {test.contestant}",
            f"mean {test.mean:.3f} of {test.counts_used:,}" if test.testable else "not testable",
            f"expected {test.expected_mean:.3f}",
            _p(test.p_adjusted),
        )
    rel = analysis.turnout_share.national
    table.add_row(
        "turnout-share correlation",
        f"{rel.correlation:.3f}",
        f"{rel.correlation_low:.3f} to {rel.correlation_high:.3f}",
        "",
    )
    table.add_row(
        "leader slope on turnout",
        f"{rel.leader_slope.slope:.3f}",
        f"{rel.leader_slope.low:.3f} to {rel.leader_slope.high:.3f}",
        "above 1" if rel.leader_gains_beyond_voters else "",
    )
    for result in analysis.subgroups:
        for group in result.groups:
            for what, diff in (
                ("turnout", group.turnout_difference),
                (analysis.leader, group.share_difference),
            ):
                table.add_row(
                    f"{result.attribute} = {group.value}: {what} vs rest",
                    _points(diff.value) + f" ({group.stations:,} stations)",
                    f"{_points(diff.low)} to {_points(diff.high)}",
                    _p(diff.p_value),
                )
    out.print(table)
    reasons = ", ".join(f"{k} {v:,}" for k, v in analysis.flags.by_reason.items() if v)
    out.print(
        f"flagged stations: {len(analysis.flags.flagged):,}" + (f" ({reasons})" if reasons else ""),
        highlight=False,
    )
    for path, what in ((html, "report"), (flags_csv, "flags")):
        if path is not None:
            out.print(f"{what}: {path}", highlight=False)
