"""Numbers and verdict words for the integrity report: formats and thresholds, in one place.

A p-value from a Monte Carlo test cannot be smaller than 1/(repetitions + 1); these helpers
say so ("< 0.01 (the smallest 100 redraws can show)") instead of printing a zero, and turn a
p-value into the report's three words: strong evidence below 0.01, some below 0.05, none above.
"""

from __future__ import annotations

import math
import re
from typing import TypeGuard

STRONG_P = 0.01
SOME_P = 0.05
FLAGGED_SHOWN = 200
"""Rows of the flagged-stations table: enough to start reporting, few enough that the page
stays light at a million stations; the CSV holds them all."""
Z95 = 1.959963984540054
MISSING = "\N{EN DASH}"
"""What a missing or untestable figure shows: a dash, never a made-up zero."""

REASONS = {
    "stuffing_pattern": (
        "Stuffing pattern",
        "The leader's votes per registered voter far above what comparable stations and the "
        "station's own votes for the others predict: added ballots raise that figure and leave "
        "the others' as they were.",
    ),
    "joint_outlier": (
        "Turnout and leader's share both high",
        "Turnout and the leader's share together far above the station's comparison group: "
        "the direction ballot stuffing pushes a station.",
    ),
    "turnout_outlier": (
        "Turnout far above neighbours",
        "Turnout far above the median of comparable stations in the same district (or region).",
    ),
    "share_outlier": (
        "Leader's share far above neighbours",
        "The leader's share far above the median of comparable stations nearby.",
    ),
    "extreme_turnout": (
        "Turnout 99% or more",
        "At least 99% of registered voters took a ballot, at a station with 100 voters or more.",
    ),
    "extreme_share": (
        "Leader's share 99% or more",
        "The leader took at least 99% of valid votes, at a station with 100 voters or more.",
    ),
    "integer_percent": (
        "Both figures whole percentages",
        "Turnout and the leader's share are both whole percentages, which stations of that "
        "size rarely show by chance: the mark of a protocol written to a target.",
    ),
    "boxes_above_voters": (
        "More ballots in boxes than voters",
        "More ballots were found in the boxes than voters were given ballots.",
    ),
    "voters_above_list": (
        "More voters than registered",
        "More voters took a ballot than are on the station's list.",
    ),
}
"""Plain words for each flag reason: a short label and what it means."""


def reason_words(code: str) -> tuple[str, str]:
    """(label, meaning) of a flag reason; a reason added to the flags later still reads."""
    return REASONS.get(code, (code.replace("_", " ").capitalize(), "See each station's line."))


# -- numbers as a reader sees them ---------------------------------------------------------


def _nan(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _known(x: float | None) -> TypeGuard[float]:
    """A value to print: present and not NaN (the narrowing `_nan` cannot give its callers)."""
    return not _nan(x)


def fmt_int(n: float | None) -> str:
    """3581866 -> "3,581,866"; a missing value is a dash, never a made-up zero."""
    return f"{round(n):,}" if _known(n) else MISSING


def fmt_num(x: float | None, digits: int = 2) -> str:
    return f"{x:,.{digits}f}" if _known(x) else MISSING


def fmt_pct(fraction: float | None, digits: int | None = None) -> str:
    """A fraction as a percentage: 1 decimal, 2 when below one percent (0.03%, not 0.0%)."""
    if not _known(fraction):
        return MISSING
    value = 100 * fraction
    if digits is None:
        digits = 2 if 0 < abs(value) < 1 else 1
    return f"{value:,.{digits}f}%"


def fmt_pct_range(low: float | None, high: float | None, digits: int | None = None) -> str:
    if not _known(low) or not _known(high):
        return MISSING
    if digits is None:
        small = any(0 < abs(100 * v) < 1 for v in (low, high))
        digits = decimals(100 * low, 100 * high, 2 if small else 1, 3)
    return f"{fmt_pct(low, digits)} to {fmt_pct(high, digits)}"


def fmt_points(fraction: float | None, digits: int = 1) -> str:
    """A difference of two fractions in percentage points, signed: "+1.2 points"."""
    if not _known(fraction):
        return MISSING
    return f"{100 * fraction:+,.{digits}f} points"


def fmt_points_range(low: float | None, high: float | None, digits: int = 1) -> str:
    if not _known(low) or not _known(high):
        return MISSING
    return f"{100 * low:+,.{digits}f} to {100 * high:+,.{digits}f}"


def fmt_p(p: float | None, repetitions: int | None = None) -> str:
    """A p-value as a reader quotes it: "p = 0.41", "p = 0.003", "p < 0.001".

    Three decimals below 0.1 so a value just under a threshold is not rounded onto it. A
    Monte Carlo p-value at its floor, 1/(1 + repetitions), means no redraw reached the
    observed value, so the true p is at most that: "p ≤ 0.005".
    """
    if _nan(p):
        return "not testable"
    assert p is not None
    if repetitions and p <= 1 / (1 + repetitions) + 1e-12:
        floor = 1 / (1 + repetitions)
        return "p < 0.001" if floor < 0.001 else f"p ≤ {floor:.3f}"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.1:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def at_floor(p: float | None, repetitions: int) -> bool:
    """Whether a Monte Carlo p-value is the smallest its repetitions can give."""
    return _known(p) and repetitions > 0 and p <= 1 / (1 + repetitions) + 1e-12


def too_few(p: float | None, repetitions: int) -> bool:
    """Too few repetitions to tell: none reached the observed value, yet p cannot go below 0.05.

    Saying "no evidence" then would blame the data for what the options could not show.
    """
    return at_floor(p, repetitions) and 1 / (1 + repetitions) >= SOME_P


def _capped(p: float | None, repetitions: int, what: str = "redraws") -> str:
    """A note when a p-value sits at a floor above 0.01: the evidence may be stronger."""
    floor = 1 / (1 + repetitions) if repetitions > 0 else 0.0
    if at_floor(p, repetitions) and floor >= STRONG_P:
        return f"; {fmt_int(repetitions)} {what} cannot show p below {floor:.3f}"
    return ""


def strength(p: float | None, repetitions: int | None = None) -> str:
    """The report's words for a p-value: "strong", "some" or "no evidence".

    With `repetitions` (a Monte Carlo p-value), "cannot tell" when they were too few to reach
    below 0.05 at all.
    """
    if _nan(p):
        return "not testable"
    assert p is not None
    if repetitions is not None and too_few(p, repetitions):
        return "cannot tell"
    if p < STRONG_P:
        return "strong"
    if p < SOME_P:
        return "some"
    return "no evidence"


def evidence(p: float | None) -> str:
    """The opening words of a verdict: "Strong evidence", "Some evidence", "No evidence"."""
    word = strength(p)
    if word == "not testable":
        return "Not testable"
    return "No evidence" if word == "no evidence" else f"{word.capitalize()} evidence"


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def p_from_interval(estimate: float, low: float, high: float, null: float) -> float:
    """One-sided p for "estimate above `null`" from a symmetric normal 95% interval.

    The turnout-share results carry intervals, not p-values; the interval's half-width is
    1.96 standard errors, so the same three words can be used as for every other test.
    """
    if any(_nan(v) for v in (estimate, low, high)) or high <= low:
        return float("nan")
    se = (high - low) / (2 * Z95)
    return _normal_sf((estimate - null) / se)


def p_correlation_positive(r: float, low: float, high: float) -> float:
    """One-sided p for a positive correlation, from its Fisher-z interval (symmetric in z)."""
    if any(_nan(v) for v in (r, low, high)) or not (-1 < low < high < 1):
        return float("nan")
    se = (math.atanh(high) - math.atanh(low)) / (2 * Z95)
    return _normal_sf(math.atanh(r) / se)


def decimals(low: float | None, high: float | None, base: int = 2, most: int = 4) -> int:
    """Enough decimals that an interval's ends differ: "0.742 to 0.746", not "0.74 to 0.74".

    With 100,000 stations an interval can be narrower than the second decimal; printing both
    ends alike would read as no uncertainty at all.
    """
    if _nan(low) or _nan(high):
        return base
    digits = base
    while digits < most and f"{low:.{digits}f}" == f"{high:.{digits}f}":
        digits += 1
    return digits


def _range(low: float, high: float, digits: int | None = None) -> str:
    if _nan(low) or _nan(high):
        return MISSING
    digits = decimals(low, high) if digits is None else digits
    return f"{fmt_num(low, digits)} to {fmt_num(high, digits)}"


def with_interval(estimate: float, low: float, high: float) -> tuple[str, str]:
    """(estimate, interval) printed with the same, sufficient, decimals."""
    digits = decimals(low, high)
    return fmt_num(estimate, digits), _range(low, high, digits)


def anchor(attribute: str) -> str:
    """An id for a subgroup's heading: attribute names come from data and may hold spaces."""
    return "subgroup-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", attribute).strip("-") or "attribute")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{fmt_int(n)} {word if n == 1 else plural or word + 's'}"
