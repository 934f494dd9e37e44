"""Quick count (parallel vote tabulation) statistics, as pure functions.

A citizen observation mission cannot watch every polling station, but it can watch a random
sample of them and learn the national result from it, with a stated margin of error, hours
before (or independently of) the official tabulation. This module holds the arithmetic of that
method as the NDI handbook lays it out: M. Estok, N. Nevitte and G. Cowan, *The Quick Count and
Election Observation*, NDI, 2002 ("the handbook" below).

- How many voters and stations to sample: chapter five, "Constructing the Sample" (the margin
  of error, the sample-size formula and the worked Peruvian example, pp. 65-77).
- How to draw them: chapter five, "Types of samples" (a stratified random sample of polling
  stations from the official list, the sampling frame).
- How to estimate from what has arrived, and how to judge whether the arrived part can be
  trusted yet: chapter seven, "Statistical Analysis of Quick Count Data" (pp. 112 ff.: regular
  "takes" of the accumulating data until a "point of stability", p. 114; weighting the
  stabilised results by stratum for the data still missing, pp. 118-119).

The handbook explains the ideas without the variance algebra; the estimator and its variance
below are the textbook ones for a stratified sample of clusters (W. G. Cochran, *Sampling
Techniques*, 3rd ed., 1977: chapter 5 on stratified sampling, chapter 6 on ratio estimators
and their "separate" and "combined" forms in stratified samples, chapter 9A on clusters of
unequal size).

Everything here is NumPy/SciPy on values passed in: no database, no web, no files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

TURNOUT = "turnout"
"""The name of the turnout quantity in `Estimate.quantities` and in `compare`'s `official`."""

DEFAULT_ALPHA = 0.01
"""Significance level at which `Representativeness.flagged` calls the arrived part skewed."""


# --- How many to sample ---------------------------------------------------------------------


def sample_size_voters(
    population_voters: int, p: float = 0.5, *, margin: float, z: float = 2.58
) -> int:
    """Voters a simple random sample needs for `margin` at confidence `z`, rounded up.

    The handbook (chapter five, "Constructing the Sample", the Peruvian example on p. 73)
    writes the formula as

        n = p(1 - p) / (margin² / z² + p(1 - p) / N)

    which is algebraically the same as N·z²·p(1 - p) / (N·margin² + z²·p(1 - p)). Why this
    shape: a sample proportion has standard error sqrt(p(1 - p) / n); asking z of them to
    equal `margin` gives the infinite-population size n₀ = z²·p(1 - p) / margin², and the
    `p(1 - p) / N` term is the finite population correction (1/n = 1/n₀ + 1/N): sampling
    without replacement from N voters needs a little less than n₀. `p` is the handbook's
    "homogeneity"; 0.5 is the most conservative (largest) value, used when the race may be
    close. The default z = 2.58 is the handbook's 99% level, its standard for quick counts.

    The worked example (N = 14,570,774, p = 0.5, margin = 0.0032, z = 2.58) evaluates exactly
    to 160,717.26, so 160,718 voters. The handbook prints 163,185 because it rounds its
    intermediate values (0.0032² shown as .000010, the denominator as .000001532, and
    0.25 / .000001532 = 163,185); that figure is 1.5% above what the formula gives.
    """
    if population_voters <= 0:
        raise ValueError(f"population_voters must be positive, not {population_voters}")
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie strictly between 0 and 1, not {p}")
    if margin <= 0.0 or z <= 0.0:
        raise ValueError("margin and z must be positive")
    pq = p * (1.0 - p)
    return math.ceil(pq / (margin**2 / z**2 + pq / population_voters))


def sample_size_stations(voters_needed: int, voters_per_station: float) -> int:
    """Polling stations holding `voters_needed` voters at `voters_per_station` each, rounded up.

    The unit a quick count samples is the polling station, not the voter (chapter five, "The
    Unit of Analysis"), so the voter count is turned into stations (handbook Figure 5-5:
    163,185 voters at 160 per station is 1,020 stations). This is a planning figure only:
    stations are clusters whose voters resemble each other, so the margin for the station
    sample is wider than the voter formula promises (the handbook's own point under Figure
    5-5); `estimate` measures the real one from the data.
    """
    if voters_needed < 0:
        raise ValueError(f"voters_needed must not be negative, not {voters_needed}")
    if voters_per_station <= 0:
        raise ValueError(f"voters_per_station must be positive, not {voters_per_station}")
    return math.ceil(voters_needed / voters_per_station)


# --- Drawing the sample ---------------------------------------------------------------------


@dataclass(frozen=True)
class Station:
    """One polling station of the sampling frame: its code, stratum (region) and register."""

    code: str
    stratum: str
    registered: int


def _by_stratum(stations: Sequence[Station]) -> dict[str, list[Station]]:
    """The frame grouped by stratum, strata in name order, stations in code order.

    Sorting first makes the draw depend only on the *set* of stations, not on the order in
    which a file or a database happened to list them: the published-seed promise needs that.
    """
    codes = [s.code for s in stations]
    if len(set(codes)) != len(codes):
        raise ValueError("station codes must be unique")
    groups: dict[str, list[Station]] = {}
    for station in sorted(stations, key=lambda s: s.code):
        groups.setdefault(station.stratum, []).append(station)
    return {name: groups[name] for name in sorted(groups)}


def _bounded_quota(voters: np.ndarray, caps: np.ndarray, size: int) -> np.ndarray:
    """Each stratum's exact share of `size` by voters, held between 1 and its station count.

    A stratum whose share is below one station gets one, a stratum whose share exceeds its
    stations gets them all, and the rest of the sample is shared again over the others in
    proportion to their voters, until no bound is crossed: what the bounds take from (or give
    to) one stratum is spread over the others by their voters, not dumped on one of them.
    """
    quota = np.zeros(len(voters))
    fixed = np.zeros(len(voters), dtype=bool)
    while not fixed.all():
        free = ~fixed
        pool = voters[free].sum()
        rest = size - quota[fixed].sum()
        quota[free] = rest * voters[free] / pool if pool > 0 else rest / free.sum()
        low, high = free & (quota < 1), free & (quota > caps)
        if not (low.any() or high.any()):
            break
        quota[low], quota[high] = 1.0, caps[high]
        fixed |= low | high
    return quota


def _largest_remainder(quota: np.ndarray, caps: np.ndarray, size: int) -> np.ndarray:
    """Integers within one of `quota`, between 1 and the caps, summing to `size` (Hamilton).

    Start from the floors (at least 1), then give one station at a time to the stratum with
    the largest remainder quota - count that still has stations; ties go to the earlier name.
    Should the floors overshoot (every quota fixed at a bound), take back from the smallest.
    """
    counts = np.clip(np.floor(quota), 1, caps).astype(np.int64)
    while (gap := size - int(counts.sum())) != 0:
        if gap > 0:
            counts[np.argmax(np.where(counts < caps, quota - counts, -np.inf))] += 1
        else:
            counts[np.argmin(np.where(counts > 1, quota - counts, np.inf))] -= 1
    return counts


def _allocate(groups: Mapping[str, Sequence[Station]], size: int) -> dict[str, int]:
    names = list(groups)
    caps = np.array([len(groups[name]) for name in names], dtype=np.int64)
    if not len(names) <= size <= int(caps.sum()):
        raise ValueError(
            f"a sample of {size} cannot give each of {len(names)} strata a station "
            f"out of {int(caps.sum())} stations"
        )
    voters = np.array([sum(s.registered for s in groups[name]) for name in names], dtype=float)
    if np.any(voters < 0) or voters.sum() <= 0:
        raise ValueError("registered voters must be non-negative with a positive total")
    quota = _bounded_quota(voters, caps.astype(float), size)
    counts = _largest_remainder(quota, caps, size)
    return dict(zip(names, counts.tolist(), strict=True))


def allocation(stations: Sequence[Station], size: int) -> dict[str, int]:
    """Stations to sample per stratum, in stratum-name order, summing to exactly `size`.

    Proportional to each stratum's registered voters, not to its number of stations: the
    quick count estimates shares of *voters*, and regions of big urban stations would be
    under-represented by a count of stations (chapter five, "Types of samples", on stratified
    samples). Every stratum that
    has stations gets at least one, so no region is absent from the estimate by design, and
    none gets more than it has (what these bounds move is shared over the other strata by
    their voters). Rounding is by largest remainder, so where no bound binds each count is
    within one station of its exact quota size · voters_h / voters.
    """
    return _allocate(_by_stratum(stations), size)


def strata_sizes(stations: Sequence[Station]) -> dict[str, int]:
    """Stations per stratum in the frame, in stratum-name order: `estimate`'s N_h."""
    return {name: len(members) for name, members in _by_stratum(stations).items()}


def draw_sample(stations: Sequence[Station], size: int, seed: int) -> list[str]:
    """A stratified simple random sample of `size` station codes, sorted, reproducible by seed.

    The procedure, so anyone holding the official station list and the published seed draws
    the identical sample:

    1. group the stations by stratum; take strata in name order and, within each, stations
       in code order (Python string order);
    2. allocate `size` over the strata with `allocation`;
    3. create one `numpy.random.default_rng(seed)` (PCG64) and, for each stratum in name
       order, take `rng.permutation(number of its stations)`; its first k entries (k the
       stratum's allocation) index the chosen stations in code order;
    4. return all chosen codes sorted.

    Within a stratum this is simple random sampling without replacement, so every station of a
    stratum has the same chance k/N_h: the property the estimator's variance relies on
    (chapter five, "Randomness").
    """
    groups = _by_stratum(stations)
    counts = _allocate(groups, size)
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    for name, members in groups.items():
        picks = rng.permutation(len(members))[: counts[name]]
        chosen.extend(members[i].code for i in picks)
    return sorted(chosen)


# --- Estimating from the reports ------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What observers report from one sampled station: its register, turnout and the count.

    `votes` maps contestant codes (including "against_all" where the ballot has it) to votes;
    a contestant missing from a report had no votes there.
    """

    code: str
    stratum: str
    registered: int
    voters: int
    valid: int
    votes: Mapping[str, int]


@dataclass(frozen=True)
class Quantity:
    """One estimated proportion: point, standard error, margin = z·se and the interval."""

    name: str
    point: float
    se: float
    margin: float
    low: float
    high: float

    @property
    def interval(self) -> tuple[float, float]:
        return (self.low, self.high)

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class StratumArrival:
    """How much of one stratum's sample has reported, and its weight in each part.

    `sample_composition` is the stratum's share of the registered voters of the whole sample,
    `reported_composition` its share of those of the stations reported so far.
    """

    stratum: str
    sampled: int
    reported: int
    reported_share: float
    sample_composition: float
    reported_composition: float

    @property
    def composition_difference(self) -> float:
        return self.reported_composition - self.sample_composition


@dataclass(frozen=True)
class Representativeness:
    """Whether the reports that have arrived look like the sample that was drawn.

    Reports do not arrive at random: towns near the data centre call in first, remote
    villages last, and the two vote differently. A running estimate from an early, skewed part
    moves as the rest arrives: chapter seven has the analysts take the data at intervals
    until the results stop moving (the "point of stability", p. 114) and weight by stratum
    for what is still missing (pp. 118-119). These figures say whether the arrived part is
    still skewed across strata, so that an early take is not read as the result.

    - `chi2`, `dof`, `p_value`: Pearson's test of independence between "has reported" and
      stratum over the sampled stations (`scipy.stats.chi2_contingency` on the 2 x strata table
      of reported / pending counts, no continuity correction). Under random arrival the
      reported stations are a random subset of the sample, and each stratum reports in
      proportion to its sampled stations; a small p-value says arrival depends on the region.
      The two-row table, rather than a goodness-of-fit test of the reported row alone, is used
      because the reported stations are drawn without replacement from a fixed sample: the
      goodness-of-fit statistic would be too small by the factor (n - m)/n. It is 0, 0 and 1
      when nothing or everything has arrived, or there is one stratum.
    - `composition_distance`: half the sum of absolute `composition_difference` (total
      variation distance) between the registered-voter composition of the reported part and
      of the full sample: the share of the electorate that sits in the wrong stratum. It is
      descriptive (it is about 0.07 under random arrival of half of a 600-station sample in 20
      strata, and tends to 0 as reports complete).
    - `missing`: strata with sampled stations and no report yet. A stratified estimate leaves
      them out (see `estimate`), which biases it if they vote differently.

    What it cannot see: a skew *within* strata (e.g. urban stations of every region first).
    Finer strata (region x urban/rural) move that skew into the test's reach.
    """

    strata: tuple[StratumArrival, ...]
    chi2: float
    dof: int
    p_value: float
    composition_distance: float
    missing: tuple[str, ...]

    def flagged(self, alpha: float = DEFAULT_ALPHA) -> bool:
        """True when arrival depends on the stratum at significance `alpha`."""
        return self.p_value < alpha


@dataclass(frozen=True)
class Estimate:
    """The running quick count: turnout and each contestant's share, with the arrival check."""

    turnout: Quantity
    shares: Mapping[str, Quantity]
    stations_reported: int
    stations_sampled: int
    stratified: bool
    representativeness: Representativeness

    @property
    def quantities(self) -> dict[str, Quantity]:
        """Every estimated quantity by name: "turnout" and the contestant codes."""
        return {TURNOUT: self.turnout, **self.shares}


@dataclass(frozen=True)
class _Design:
    """The reporting stations' stratum indices, and per stratum the number of stations in the
    population (N_h) and the finite population factor 1 - f_h. Unstratified estimates have one
    stratum; its N only scales both totals and cancels unless it also sets f."""

    stratum: np.ndarray
    population: np.ndarray
    fpc: np.ndarray


def _ratio(design: _Design, y: np.ndarray, d: np.ndarray, z: float, name: str) -> Quantity:
    """The combined ratio estimate of ΣY/ΣD over strata, with its linearised standard error.

    Why a ratio: the quantity is a ratio of two population totals (voters / registered,
    votes / valid), and both are estimated from the same stations, so their sampling errors
    largely cancel (Cochran ch. 6). It is the handbook's quick count result: the sampled
    stations' votes summed and divided by their summed valid votes, made national.

    Why stratified and "combined": each stratum's totals are expanded by N_h / n_h (stations
    in the stratum / stations reported from it), the inverse of a station's chance of being
    in the sample, and R = Σ_h N_h ȳ_h / Σ_h N_h d̄_h: one ratio of two stratified totals
    (Cochran ch. 6, the combined ratio estimate). The expansion undoes the allocation
    proportional to voters, under which a station's chance n_h / N_h differs between regions
    (regions of big stations are sampled more densely), and it is the handbook's weighting
    by stratum (chapter seven, pp. 118-119) done once for all strata.

    The separate ratio estimator, Σ_h W_h (ŷ_h / d̂_h) with W_h the stratum's share of the
    denominator, was rejected. (1) Its bias is a sum of per-stratum ratio biases of order
    1/n_h, which early in the evening (two or three reports in a region) is not small; the
    combined estimator's bias is of order 1/n for the whole sample. On the test suite's
    synthetic population (30 stations a stratum, turnout falling with station size) the
    separate estimator of turnout (each stratum's ratio weighted by its share of registered
    voters) was biased by a quarter of its standard error and its 95% intervals covered 92%
    of 1,000 samples; the combined one covered 95%. (2) For shares it needs each stratum's
    total of valid votes, which nobody knows before the count. The price is that the known
    registered voters per stratum go unused, which a separate ratio to the register would
    exploit for a somewhat smaller variance.

    Why this variance: R is a smooth function of stratum means, so to first order (Taylor
    linearisation) its error is that of Σ_h N_h ū_h / D̂ with residuals u_i = y_i - R d_i,
    and within a stratum the stations are a simple random sample of clusters, so

        Var(R) = Σ_h N_h² (1 - f_h) s²_u,h / n_h / D̂²,   D̂ = Σ_h N_h d̄_h

    (Cochran ch. 6 for the combined ratio, ch. 5 per stratum, ch. 9A for treating each
    station as one unit whatever its size). The station, not the voter, is the sampling unit:
    stations whose voters vote alike make s²_u large, which is the design effect the
    handbook warns of under Figure 5-5, and a voter-level binomial variance would miss it.
    A stratum with one report has no within-stratum variance; its residual is taken about
    the national mean residual (zero by construction), which collapses it with the others
    and errs wide.
    """
    h = design.stratum
    strata = len(design.population)
    n_h = np.bincount(h, minlength=strata)
    per = np.maximum(n_h, 1)
    expand = np.where(n_h > 0, design.population / per, 0.0)
    total_y = float(expand @ np.bincount(h, weights=y, minlength=strata))
    total_d = float(expand @ np.bincount(h, weights=d, minlength=strata))
    if total_d <= 0.0:
        raise ValueError(f"no denominator for {name}: the reports have none")
    point = total_y / total_d
    u = y - point * d
    mean_u = np.bincount(h, weights=u, minlength=strata) / per
    centred = np.where(n_h[h] > 1, u - mean_u[h], u)
    s2 = np.bincount(h, weights=centred**2, minlength=strata) / np.maximum(n_h - 1, 1)
    variance = float(np.sum(design.population**2 * design.fpc * s2 / per)) / total_d**2
    se = math.sqrt(variance)
    margin = z * se
    return Quantity(name, point, se, margin, max(point - margin, 0.0), min(point + margin, 1.0))


def _check_reports(reports: Sequence[Report], sample: Sequence[Station]) -> None:
    """Every report comes from a sampled station, once, in the stratum it was sampled in."""
    drawn = {s.code: s for s in sample}
    if len(drawn) != len(sample):
        raise ValueError("sample station codes must be unique")
    seen: set[str] = set()
    for report in reports:
        station = drawn.get(report.code)
        if station is None:
            raise ValueError(f"station {report.code} reported but was not sampled")
        if report.code in seen:
            raise ValueError(f"station {report.code} reported twice")
        if report.stratum != station.stratum:
            raise ValueError(f"station {report.code} reported in the wrong stratum")
        seen.add(report.code)


def _design(
    reports: Sequence[Report],
    strata_stations: Mapping[str, int] | None,
    population_stations: int | None,
) -> _Design:
    """Arrays for `_ratio`, with the finite population correction 1 - f_h.

    The correction: a sample of 1,000 out of 10,000 stations has seen a tenth of them, and
    its variance is a tenth smaller than sampling with replacement would give (Cochran ch. 2).
    With strata the N_h are known and it is always applied; without, only when
    `population_stations` is given (leaving it out errs wide by 1/sqrt(1 - f)).
    """
    if strata_stations is None:
        n = len(reports)
        if population_stations is not None and population_stations < n:
            raise ValueError(f"{n} reports from a population of {population_stations} stations")
        fpc = 1.0 if population_stations is None else 1.0 - n / population_stations
        return _Design(np.zeros(n, dtype=np.int64), np.array([float(n)]), np.array([fpc]))
    names = sorted(strata_stations)
    population = np.array([float(strata_stations[name]) for name in names])
    if population_stations is not None and population_stations != population.sum():
        raise ValueError("population_stations disagrees with the sum of strata_stations")
    position = {name: i for i, name in enumerate(names)}
    unknown = sorted({r.stratum for r in reports} - position.keys())
    if unknown:
        raise ValueError(f"no station count given for strata {unknown}")
    index = np.array([position[r.stratum] for r in reports], dtype=np.int64)
    n_h = np.bincount(index, minlength=len(names))
    if np.any(n_h > population):
        raise ValueError("more reports than stations in a stratum: strata_stations are counts")
    return _Design(index, population, 1.0 - n_h / np.maximum(population, 1.0))


def _representativeness(reports: Sequence[Report], sample: Sequence[Station]) -> Representativeness:
    """Compare the reported part of the sample with the whole sample, stratum by stratum."""
    arrived = {r.code for r in reports}
    names = sorted({s.stratum for s in sample})
    position = {name: i for i, name in enumerate(names)}
    h = np.array([position[s.stratum] for s in sample], dtype=np.int64)
    done = np.array([s.code in arrived for s in sample])
    x = np.array([s.registered for s in sample], dtype=float)
    sampled = np.bincount(h, minlength=len(names))
    reported = np.bincount(h, weights=done, minlength=len(names)).astype(np.int64)
    x_all = np.bincount(h, weights=x, minlength=len(names))
    x_done = np.bincount(h, weights=x * done, minlength=len(names))
    sample_mix = x_all / x_all.sum() if x_all.sum() > 0 else x_all
    done_mix = x_done / x_done.sum() if x_done.sum() > 0 else x_done
    chi2, dof, p_value = 0.0, 0, 1.0
    if 0 < reported.sum() < sampled.sum() and len(names) > 1:
        result = stats.chi2_contingency(np.vstack([reported, sampled - reported]), correction=False)
        chi2, dof, p_value = float(result.statistic), int(result.dof), float(result.pvalue)
    rows = tuple(
        StratumArrival(
            name,
            int(sampled[i]),
            int(reported[i]),
            float(reported[i] / sampled[i]),
            float(sample_mix[i]),
            float(done_mix[i]),
        )
        for i, name in enumerate(names)
    )
    distance = 0.5 * float(np.abs(done_mix - sample_mix).sum()) if x_done.sum() > 0 else 1.0
    missing = tuple(name for i, name in enumerate(names) if reported[i] == 0)
    return Representativeness(rows, chi2, dof, p_value, distance, missing)


def estimate(
    reports: Sequence[Report],
    sample: Sequence[Station],
    strata_stations: Mapping[str, int] | None = None,
    z: float = 1.96,
    population_stations: int | None = None,
) -> Estimate:
    """The quick count from the reports that have arrived out of the drawn `sample`.

    - turnout = voters / registered and each contestant's share = votes / valid, each a ratio
      estimator over the reporting stations (see `_ratio` for the formula and its variance);
    - `strata_stations`: the number of polling stations of each stratum in the population
      (the official list the sample was drawn from; `strata_sizes(frame)`). With them the
      estimate is the stratified combined ratio estimator, with the finite population
      correction per stratum; strata with no report yet are left out, which
      `representativeness.missing` reports. Counts rather than shares of registered voters:
      the expansion N_h / n_h that undoes the unequal chances of a voter-proportional
      allocation needs them, and the correction needs them absolute (see `_ratio`).
      Without them all reports are pooled, turnout = Σ voters / Σ registered and
      share_c = Σ votes_c / Σ valid, with the variance of an unstratified cluster sample:
      right for an equal-probability sample only;
    - `z`: the normal quantile of the interval (1.96 for 95%, 2.58 for 99%); margin = z·se
      and the interval is point ± margin, clipped to [0, 1];
    - `population_stations`: the national number of stations, for the finite population
      correction of an unstratified estimate (optional; must match `strata_stations`).

    `sample` is the drawn sample as `Station`s (the frame rows of `draw_sample`'s codes):
    the arrival check needs the stratum and register of the stations still missing, which the
    codes alone do not give. Reports must come from sampled stations, once each.
    """
    if not reports:
        raise ValueError("no reports yet: nothing to estimate")
    _check_reports(reports, sample)
    design = _design(reports, strata_stations, population_stations)
    registered = np.array([r.registered for r in reports], dtype=float)
    voters = np.array([r.voters for r in reports], dtype=float)
    valid = np.array([r.valid for r in reports], dtype=float)
    contestants = sorted({code for r in reports for code in r.votes})
    if TURNOUT in contestants:
        raise ValueError(f"a contestant may not be called {TURNOUT!r}")
    shares = {
        code: _ratio(
            design, np.array([r.votes.get(code, 0) for r in reports], dtype=float), valid, z, code
        )
        for code in contestants
    }
    return Estimate(
        turnout=_ratio(design, voters, registered, z, TURNOUT),
        shares=shares,
        stations_reported=len(reports),
        stations_sampled=len(sample),
        stratified=strata_stations is not None,
        representativeness=_representativeness(reports, sample),
    )


# --- Comparing with the official result -----------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One official figure against the quick count's interval for it.

    `difference` = official - estimate; `outside` when the official figure lies outside the
    interval, i.e. the official result and the sample disagree by more than sampling error.
    """

    name: str
    official: float
    estimate: float
    difference: float
    margin: float
    low: float
    high: float
    outside: bool


def compare(estimate: Estimate, official: Mapping[str, float]) -> list[Comparison]:
    """Check each official figure (as a proportion, 0-1) against the quick count's interval.

    The purpose of the quick count (the handbook's "validate official vote counts"): if the
    official figure lies inside the interval, the sample is consistent with it;
    outside, either the sample is the rare one in twenty (at 95%) or the official count
    differs from what was counted at the stations. Keys are "turnout" and contestant codes;
    results keep the order of `official`.
    """
    quantities = estimate.quantities
    unknown = [name for name in official if name not in quantities]
    if unknown:
        raise ValueError(f"the quick count has no estimate for {unknown}")
    return [
        Comparison(
            name=name,
            official=float(value),
            estimate=quantities[name].point,
            difference=float(value) - quantities[name].point,
            margin=quantities[name].margin,
            low=quantities[name].low,
            high=quantities[name].high,
            outside=not quantities[name].covers(float(value)),
        )
        for name, value in official.items()
    ]
