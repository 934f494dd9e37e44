"""Digit tests on vote counts: last-digit uniformity and the second-digit Benford law.

- Last digit (Beber and Scacco, "What the Numbers Say", Political Analysis 20(2), 2012): when a
  count is large enough that its sampling noise spans many tens, its last digit is uniform on
  0..9; people inventing numbers favour some digits. The test is Pearson's chi-square against
  uniform (9 degrees of freedom) and the mean last digit against 4.5.
- Second digit (Mebane, "Election Forensics: Vote Counts and Benford's Law", 2006): counts from
  a mixture of many processes tend to follow Benford's law for the second digit, whose mean is
  4.187. The test is chi-square against the Benford second-digit probabilities and the mean with
  its interval. Mebane's own later work, and Deckert, Myagkov and Ordeshook (Political Analysis
  19(3), 2011), show clean counts can depart from it: a deviation is a question, not a verdict,
  and the report says so.

Both reference laws are approximations, and on realistic clean elections they fail often
(saylau's own simulations: the second-digit Benford test rejects in about half of clean runs;
docs/analytics.md). So each test is also made against the distribution the counts themselves
imply: every count is redrawn from a binomial with its station's valid votes and share, and the
digits of the redraws give the expected frequencies. Redraws keep each count's size and smooth
away any preference for particular digits, which is what a person writing numbers leaves; the
verdict (`p_value`) uses this null, and the classic comparison with the uniform or Benford
reference is reported beside it (`reference_p`).

Small counts break both laws by arithmetic, not by fraud (a count of 7 has no second digit; a
count around 30 has a last digit pinned by its size), so only counts of at least
`min_count_last` (default 100) or `min_count_second` (default 10) take part, and each result
states how many counts it used. p-values for several contestants are also given Holm-adjusted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from saylau.domain.integrity.stations import StationTable

DEFAULT_MIN_COUNT_LAST = 100
DEFAULT_MIN_COUNT_SECOND = 10
DEFAULT_REDRAWS = 20
"""Binomial redraws of every count for the expected digit frequencies (20 x the counts: the
expectation's own noise is then small beside the counts')."""
MIN_COUNTS_FOR_TEST = 50
"""Below this many usable counts a chi-square on 10 cells has too few per cell to be read."""

UNIFORM = np.full(10, 0.1)
BENFORD_SECOND = np.array(
    [sum(math.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)]
)
"""P(second digit = d) under Benford's law: the sum over first digits k of log10(1 + 1/(10k+d))."""


def last_digits(counts: np.ndarray) -> np.ndarray:
    return counts % 10


def second_digits(counts: np.ndarray) -> np.ndarray:
    """The second significant digit of each count (counts must be >= 10)."""
    magnitude = np.floor(np.log10(counts)).astype(np.int64)
    # Correct float log10 at exact powers of ten (log10(1000) may come out as 2.9999...).
    magnitude += (10 ** (magnitude + 1) <= counts).astype(np.int64)
    magnitude -= (10**magnitude > counts).astype(np.int64)
    return (counts // 10 ** (magnitude - 1)) % 10


@dataclass(frozen=True)
class DigitTest:
    """One digit test on one set of counts."""

    contestant: str
    digit: str
    counts_used: int
    frequencies: tuple[int, ...]
    expected: tuple[float, ...]
    mean: float
    mean_low: float
    mean_high: float
    expected_mean: float
    chi_square: float
    p_value: float
    reference: tuple[float, ...] = ()
    reference_p: float = float("nan")
    p_adjusted: float = float("nan")
    testable: bool = True

    def to_dict(self) -> dict[str, object]:
        def r(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 6)

        return {
            "contestant": self.contestant,
            "digit": self.digit,
            "counts_used": self.counts_used,
            "testable": self.testable,
            "frequencies": list(self.frequencies),
            "expected_probabilities": [round(e, 6) for e in self.expected],
            "mean": r(self.mean),
            "mean_interval_95": [r(self.mean_low), r(self.mean_high)],
            "expected_mean": round(self.expected_mean, 4),
            "chi_square": r(self.chi_square),
            "p_value": r(self.p_value),
            "p_holm": r(self.p_adjusted),
            "reference_probabilities": [round(e, 6) for e in self.reference],
            "reference_p_value": r(self.reference_p),
        }


def digit_test(
    contestant: str, digit: str, digits: np.ndarray, expected: np.ndarray, reference: np.ndarray
) -> DigitTest:
    """Chi-square against `expected` (the redraw null) and against `reference` (the law), and
    the mean digit with a 95% normal interval."""
    n = len(digits)
    frequencies = np.bincount(digits, minlength=10)[:10]
    expected_mean = float((np.arange(10) * expected).sum())
    if n < MIN_COUNTS_FOR_TEST:
        nan = float("nan")
        return DigitTest(
            contestant, digit, n, tuple(frequencies.tolist()), tuple(expected.tolist()),
            float(digits.mean()) if n else nan, nan, nan, expected_mean, nan, nan,
            tuple(reference.tolist()), nan, testable=False,
        )  # fmt: skip
    chi2, p = stats.chisquare(frequencies, expected * n)
    _, reference_p = stats.chisquare(frequencies, reference * n)
    mean = float(digits.mean())
    half = 1.959963984540054 * float(digits.std(ddof=1)) / math.sqrt(n)
    return DigitTest(
        contestant=contestant,
        digit=digit,
        counts_used=n,
        frequencies=tuple(frequencies.tolist()),
        expected=tuple(expected.tolist()),
        mean=mean,
        mean_low=mean - half,
        mean_high=mean + half,
        expected_mean=expected_mean,
        chi_square=float(chi2),
        p_value=float(p),
        reference=tuple(reference.tolist()),
        reference_p=float(reference_p),
    )


def redraw_expectation(
    counts: np.ndarray,
    totals: np.ndarray,
    digit_of: Callable[[np.ndarray], np.ndarray],
    minimum: int,
    redraws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Digit probabilities of binomial redraws of `counts` (each with its total and share).

    Redraws below `minimum` have no digit to read and are left out, as the counts are. Half a
    count is added to every cell so no digit is impossible (a chi-square needs no empty
    expectation); with thousands of redraws it moves nothing else.
    """
    if len(counts) == 0:
        return np.full(10, 0.1)
    share = counts / np.maximum(totals, 1)
    drawn = rng.binomial(totals, share, size=(redraws, len(counts)))
    drawn = drawn[drawn >= minimum]
    frequencies = np.bincount(digit_of(drawn), minlength=10)[:10] + 0.5
    return frequencies / frequencies.sum()


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment, so that testing several contestants does not inflate alarms."""
    present = [(p, i) for i, p in enumerate(p_values) if not math.isnan(p)]
    present.sort()
    adjusted = [float("nan")] * len(p_values)
    running = 0.0
    m = len(present)
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted


@dataclass(frozen=True)
class DigitResults:
    min_count_last: int
    min_count_second: int
    last_digit: tuple[DigitTest, ...]
    second_digit: tuple[DigitTest, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "last digit (Beber and Scacco 2012); second-digit Benford (Mebane 2006)",
            "min_count_last": self.min_count_last,
            "min_count_second": self.min_count_second,
            "last_digit": [t.to_dict() for t in self.last_digit],
            "second_digit": [t.to_dict() for t in self.second_digit],
        }


def _with_holm(tests: list[DigitTest]) -> tuple[DigitTest, ...]:
    adjusted = holm([t.p_value for t in tests])
    return tuple(
        DigitTest(**{**t.__dict__, "p_adjusted": a}) for t, a in zip(tests, adjusted, strict=True)
    )


def digit_tests(
    table: StationTable,
    *,
    min_count_last: int = DEFAULT_MIN_COUNT_LAST,
    min_count_second: int = DEFAULT_MIN_COUNT_SECOND,
    redraws: int = DEFAULT_REDRAWS,
    seed: int = 0,
) -> DigitResults:
    """Both digit tests for every contestant's per-station counts (large enough ones only)."""
    rng = np.random.default_rng(seed)
    last, second = [], []
    valid = table.valid
    for i, name in enumerate(table.contestants):
        counts = table.votes[:, i]
        # Redraw every count, not only those above the cut: counts just below it redraw above
        # it as often as counts just above redraw below, and the cut must treat both alike.
        big = counts >= min_count_last
        expected = redraw_expectation(counts, valid, last_digits, min_count_last, redraws, rng)
        last.append(digit_test(name, "last", last_digits(counts[big]), expected, UNIFORM))
        big = counts >= min_count_second
        expected = redraw_expectation(counts, valid, second_digits, min_count_second, redraws, rng)
        second.append(
            digit_test(name, "second", second_digits(counts[big]), expected, BENFORD_SECOND)
        )
    return DigitResults(
        min_count_last=min_count_last,
        min_count_second=min_count_second,
        last_digit=_with_holm(last),
        second_digit=_with_holm(second),
    )
