"""Plain-language readings of each integrity test, computed from its numbers.

Every sentence that judges a result is written here from that result, never fixed in the
template, so each reading is tested in Python against the numbers it reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from saylau.analytics.report_format import (
    SOME_P,
    _capped,
    _nan,
    evidence,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_pct_range,
    fmt_points_range,
    p_correlation_positive,
    p_from_interval,
    strength,
    too_few,
    with_interval,
)
from saylau.domain.integrity.digits import MIN_COUNTS_FOR_TEST, DigitTest
from saylau.domain.integrity.fingerprint import Fingerprint
from saylau.domain.integrity.integer_percent import Excess
from saylau.domain.integrity.subgroups import Difference, SubgroupResult
from saylau.domain.integrity.turnout_share import Relation

# -- verdicts, one per test ----------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One line of the summary: the test, its key figure, its p or interval, and the reading."""

    test: str
    anchor: str
    figure: str
    p: str
    reading: str
    strength: str


def integer_reading(excess: Excess, repetitions: int) -> str:
    """Read an excess: "412 more ... stations than chance gives (p < 0.001)" or "No excess".

    The count is the observed minus the null mean; an excess is only read as one when its
    p-value is below 0.05, otherwise the difference is the null's own spread.
    """
    p = fmt_p(excess.p_value, repetitions)
    if too_few(excess.p_value, repetitions):
        return (
            f"Cannot tell: {fmt_int(excess.excess)} more than chance gives and no redraw reached "
            f"it, but {fmt_int(repetitions)} redraws cannot show p below 0.05 (run more)"
        )
    if excess.quantity == COMBINED:
        return combined_reading(excess, repetitions)
    what = {
        "turnout": "turnout",
        "leader share": "leader's share",
        "turnout and leader share": "turnout and leader's share both",
    }.get(excess.quantity, "turnout or leader's share")
    if strength(excess.p_value) in ("strong", "some"):
        return (
            f"{evidence(excess.p_value)}: {fmt_int(excess.excess)} more stations with a "
            f"whole-percent {what} than chance gives ({p}{_capped(excess.p_value, repetitions)})"
        )
    if excess.excess < -0.5:
        return (
            f"No excess of stations with a whole-percent {what}: {fmt_int(-excess.excess)} "
            f"fewer than chance gives ({p})"
        )
    return f"No excess of stations with a whole-percent {what} ({p})"


COMBINED = "turnout and leader share, weighted"
"""The `quantity` of the integer test's combined score (a weighted count, not stations)."""


def combined_reading(excess: Excess, repetitions: int) -> str:
    """Read the combined score: stations on whole percentages of both figures, each weighted
    by how unlikely luck makes that (a big station counts for more than a small one)."""
    p = fmt_p(excess.p_value, repetitions)
    figures = (
        f"the stations on whole percentages of both turnout and the leader's share weigh "
        f"{fmt_num(excess.observed, 1)} where chance gives {fmt_num(excess.null_mean, 1)} "
        f"± {fmt_num(excess.null_sd, 1)} (each weighted by how unlikely luck makes it)"
    )
    if strength(excess.p_value) in ("strong", "some"):
        return f"{evidence(excess.p_value)}: {figures} ({p}{_capped(excess.p_value, repetitions)})"
    return f"No excess: {figures} ({p})"


def fingerprint_reading(f: Fingerprint, kind: str) -> str:
    """The fitted share of stations hit by one kind of fraud, read against the null fit."""
    estimate, interval, p = (
        (f.fraud_incremental, f.incremental_interval, f.incremental_p)
        if kind == "incremental"
        else (f.fraud_extreme, f.extreme_interval, f.extreme_p)
    )
    if _nan(estimate) or f.bootstrap == 0:
        return f"Not testable: the model needs at least 30 stations ({fmt_int(f.stations)} here)"
    what = "incremental fraud (stuffing)" if kind == "incremental" else "extreme fraud"
    fitted = (
        f"fitted {what} at {fmt_pct(estimate)} of stations "
        f"(95% interval {fmt_pct_range(*interval)}; {fmt_p(p, f.bootstrap)})"
    )
    if estimate > 0 and too_few(p, f.bootstrap):
        return (
            f"Cannot tell: {fitted}; no clean simulation fitted as much, but "
            f"{fmt_int(f.bootstrap)} of them cannot show p below 0.05 (run more)"
        )
    if strength(p) in ("strong", "some"):
        return f"{evidence(p)}: {fitted}{_capped(p, f.bootstrap, 'clean simulations')}"
    if estimate > 0:
        return f"No evidence: {fitted}; simulated clean elections of this shape often fit as much"
    return f"No evidence of {what}: the model fits none ({fmt_p(p, f.bootstrap)})"


def digit_reading(tests: tuple[DigitTest, ...], expected: str) -> tuple[str, str, str]:
    """(key figure, p, reading) over every contestant's test, on Holm-adjusted p-values.

    Holm's adjustment, because testing five contestants gives five chances of a false alarm.
    """
    testable = [t for t in tests if t.testable and not _nan(t.p_adjusted)]
    untested = [t.contestant for t in tests if not t.testable]
    short = (
        f"; {', '.join(untested)} not testable (fewer than {MIN_COUNTS_FOR_TEST} counts large "
        "enough)"
        if untested
        else ""
    )
    if not testable:
        return "no contestant has enough counts", "not testable", f"Not testable{short}"
    worst = min(testable, key=lambda t: t.p_adjusted)
    holm_p = f"Holm {fmt_p(worst.p_adjusted)}"
    figure = f"{len(testable)} of {len(tests)} contestants tested"
    off = sorted((t for t in testable if t.p_adjusted < SOME_P), key=lambda t: t.p_adjusted)
    if off:
        names = ", ".join(t.contestant for t in off)
        verb = "departs" if len(off) == 1 else "depart"
        reading = f"{evidence(worst.p_adjusted)}: {names} {verb} from {expected} ({holm_p}){short}"
    else:
        reading = f"No contestant departs from {expected} (smallest {holm_p}){short}"
    return figure, f"smallest {holm_p}", reading


def relation_reading(relation: Relation, leader: str) -> tuple[str, float]:
    """The Sobyanin-Sukhovolsky reading of one area, and its one-sided p for slope > 1."""
    s = relation.leader_slope
    p_slope = p_from_interval(s.slope, s.low, s.high, 1.0)
    p_corr = p_correlation_positive(
        relation.correlation, relation.correlation_low, relation.correlation_high
    )
    value, interval = with_interval(s.slope, s.low, s.high)
    slope = f"{leader}'s slope {value} (95% interval {interval})"
    if _nan(s.slope):
        return "Not testable: too few stations or no spread in turnout", float("nan")
    if strength(p_slope) in ("strong", "some"):
        return (
            f"{evidence(p_slope)}: {slope} is above 1 ({fmt_p(p_slope)}): stations with higher "
            f"turnout gained more {leader} votes than voters, votes that came from the others "
            "or from nowhere",
            p_slope,
        )
    corr = f"r = {fmt_num(relation.correlation)}"
    if strength(p_corr) in ("strong", "some"):
        return (
            f"Turnout and {leader}'s share rise together ({corr}, {evidence(p_corr).lower()}), "
            f"but {slope} is not above 1: consistent with stuffing and with honest "
            "differences between places alike",
            p_slope,
        )
    return (
        f"No evidence: {leader}'s share does not rise with turnout ({corr}); {slope}",
        p_slope,
    )


def difference_reading(attribute: str, value: str, what: str, d: Difference) -> str:
    """Read a difference as "turnout 5.4 points higher than the rest", with its interval."""
    direction = "higher than" if d.value >= 0 else "lower than"
    return (
        f"stations with {attribute} = {value}: {what} {fmt_num(abs(100 * d.value), 1)} points "
        f"{direction} the rest (95% interval {fmt_points_range(d.low, d.high)}; "
        f"{fmt_p(d.p_value)})"
    )


def subgroup_reading(result: SubgroupResult) -> tuple[str, float]:
    """The largest difference (smallest p) in one attribute, with the caveat on causes."""
    best: tuple[float, str] | None = None
    # With two groups both rows say the same thing; the smaller group is the one that stands
    # out (special stations against regular ones), so it speaks first on a tie.
    for g in sorted(result.groups, key=lambda g: g.stations):
        for what, d in (
            ("turnout", g.turnout_difference),
            (f"{result.leader}'s share", g.share_difference),
        ):
            if _nan(d.p_value):
                continue
            if best is None or d.p_value < best[0]:
                best = (d.p_value, difference_reading(result.attribute, g.value, what, d))
    if best is None:
        return f"Not testable: too few stations in the groups of {result.attribute}", float("nan")
    p, text = best
    comparisons = 2 * len(result.groups)
    if strength(p) in ("strong", "some"):
        return (
            f"{evidence(p)} the groups differ: {text}. One of {comparisons} comparisons; "
            "the groups were not randomly assigned, so this says they differ, not why",
            p,
        )
    return (
        f"No evidence that turnout or {result.leader}'s share differ by {result.attribute} "
        f"(smallest {fmt_p(p)} of {comparisons} comparisons)",
        p,
    )
