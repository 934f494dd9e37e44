"""Simulated per-station results, clean and with planted fraud, to test the integrity tests.

An integrity test is only worth its p-value if it stays quiet on honest data that looks like a
real election (uneven regions, city and village stations, hospitals with 90% turnout, small
stations with noisy figures) and speaks up when fraud is planted. This module makes both:
`simulate_clean` draws an honest election from a hierarchical model, and the `plant_*`
functions alter a share of stations the way falsifiers do (stuffed ballots, votes moved to the
leader, protocols rewritten to round percentages), remembering which stations they touched.

Everything is vectorised NumPy over stations and seeded by an explicit integer, so a run is
reproducible and 100,000 stations take a fraction of a second.

The model, on the logit scale, for station i in district d of region r:

    logit(turnout_i) = logit(turnout_mean) + a_r + b_d + u_d * urban_turnout + e_i
    logit(leader_i)  = logit(leader_share) + a'_r + b'_d + u_d * urban_leader + e'_i

with a, b (and a', b') normal region and district effects, correlated between turnout and
leader (`unit_correlation`) as in real elections where the leader's strongholds also vote more,
and station effects e, e' independent of each other: within a district, honest stations show no
link between turnout and the leader's share, the link that ballot stuffing creates. u_d is +1-s
in urban districts and -s in rural ones (s = `urban_share`), so the urban effect moves cities
against villages without moving the national centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.domain.errors import SaylauError
from saylau.domain.integrity.stations import StationTable

__all__ = [
    "CleanModel",
    "Planted",
    "SimulationError",
    "plant_rounding",
    "plant_stuffing",
    "plant_transfer",
    "simulate_clean",
]


class SimulationError(SaylauError, ValueError):
    """A simulation asked for with impossible parameters (a negative share, no stations)."""


@dataclass(frozen=True)
class CleanModel:
    """An honest election's shape. Defaults give a mid-sized country with realistic spreads.

    Spreads of turnout are stated in percentage points at the defaults (measured on large runs,
    see the tests): regions differ by ~9 points (sd of region means), districts within a region
    by ~5 (urban/rural included), stations within a district by ~2 before binomial noise of the
    counts. The leader's share has the same structure and similar spreads.
    """

    stations: int = 3000
    """Polling stations in the country (spread unevenly over the districts)."""
    regions: int = 10
    """Top-level units (oblasts). Few of them, so region effects are the largest spread."""
    districts_per_region: int = 8
    """Districts (rayons, city districts) per region: the neighbourhood a station is compared
    with. Each district is wholly urban or rural, as rayons and cities are."""
    contestants: int = 5
    """Contestants on the ballot; the first ("C1") is the national leader."""
    leader_share: float = 0.55
    """The leader's share of valid votes at the national centre: a clear but not absurd win,
    so fraud for the leader is plausible and the others still hold enough votes to move."""

    registered_median: int = 1200
    """Median list size of a regular station: lognormal around it, as list sizes are."""
    registered_sd: float = 0.4
    """Log-scale sd of regular list sizes: most stations between ~800 and ~1800 voters."""
    registered_min: int = 50
    """Smallest list: below this a commission would merge the station with a neighbour."""
    registered_max: int = 4000
    """Largest list: the legal cap on a station's list, so new stations open past it."""
    small_share: float = 0.3
    """Share of rural stations that are village stations with small lists. Small lists give the
    noisiest turnout and shares, which tests must not mistake for anomalies."""
    small_median: int = 250
    """Median list of a village station."""

    turnout_mean: float = 0.62
    """Turnout at the national centre (logit scale), a typical post-Soviet national vote."""
    turnout_region_sd: float = 0.38
    """Logit sd of region effects on turnout: ~9 points between region means."""
    turnout_district_sd: float = 0.19
    """Logit sd of district effects on turnout: with the urban effect, ~5 points between the
    districts of one region."""
    turnout_station_sd: float = 0.087
    """Logit sd of station effects on turnout: ~2 points between stations of one district,
    before the binomial noise of the counts (another ~1.4 points at 1,200 voters)."""

    leader_region_sd: float = 0.37
    """Logit sd of region effects on the leader's share: ~9 points between region means."""
    leader_district_sd: float = 0.16
    """Logit sd of district effects on the leader's share: ~5 points within a region."""
    leader_station_sd: float = 0.085
    """Logit sd of station effects on the leader's share: ~2 points within a district."""
    unit_correlation: float = 0.3
    """Correlation of region and of district effects between turnout and the leader's share:
    honest strongholds vote more. Station effects are independent, so within a district the
    link is absent in clean data; set 0 to remove it everywhere."""

    others_decay: float = 0.6
    """Each further contestant's base share is this times the previous one's (of the votes not
    for the leader): a second, a third and small ones, as on real ballots."""
    others_region_sd: float = 0.3
    """Log-scale sd of region effects on the split among the other contestants: the opposition
    has regional bases."""
    others_district_sd: float = 0.15
    """Log-scale sd of district effects on the others' split."""
    others_station_sd: float = 0.08
    """Log-scale sd of station effects on the others' split."""

    urban_share: float = 0.4
    """Share of districts that are urban (cities, city districts)."""
    urban_turnout: float = -0.2
    """Logit difference in turnout of urban districts against rural: cities vote less
    (~4-5 points)."""
    urban_leader: float = -0.25
    """Logit difference in the leader's share of urban districts against rural: cities vote
    more for the opposition (~6 points)."""
    urban_registered: float = 1.2
    """Factor on the median list of urban regular stations: city stations serve big blocks."""

    special_share: float = 0.04
    """Share of stations that are special (hospitals, sanatoria, military units, pre-trial
    detention): small lists, near-total turnout. Honest data that a naive test would flag."""
    special_median: int = 150
    """Median list of a special station."""
    special_turnout_low: float = 0.85
    """Lowest turnout of a special station (uniform between low and high)."""
    special_turnout_high: float = 0.95
    """Highest turnout of a special station: lists of patients and soldiers vote almost all."""

    invalid_rate: float = 0.015
    """Chance that a ballot is invalid (spoilt, blank, unclear), the same everywhere."""

    def __post_init__(self) -> None:
        problems = []
        for name in ("stations", "regions", "districts_per_region", "registered_min"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if self.contestants < 2:
            problems.append("contestants must be at least 2")
        if not self.registered_min <= self.registered_max:
            problems.append("registered_min must not exceed registered_max")
        for name in ("registered_median", "small_median", "special_median"):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be positive")
        for name in ("turnout_mean", "leader_share", "others_decay"):
            if not 0.0 < getattr(self, name) < 1.0:
                problems.append(f"{name} must lie strictly between 0 and 1")
        for name in ("small_share", "urban_share", "special_share", "invalid_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"{name} must lie between 0 and 1")
        if not 0.0 <= self.special_turnout_low <= self.special_turnout_high <= 1.0:
            problems.append("special turnout needs 0 <= low <= high <= 1")
        if not -1.0 <= self.unit_correlation <= 1.0:
            problems.append("unit_correlation must lie between -1 and 1")
        sds = [n for n in self.__dataclass_fields__ if n.endswith("_sd")]
        problems += [f"{n} must not be negative" for n in sds if getattr(self, n) < 0]
        if self.urban_registered <= 0:
            problems.append("urban_registered must be positive")
        if problems:
            raise SimulationError("clean model: " + "; ".join(problems))

    @property
    def districts(self) -> int:
        return self.regions * self.districts_per_region


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _codes(prefix: str, count: int, width: int = 2) -> np.ndarray:
    """["R01", "R02", ...] as a NumPy string array, width growing with the count."""
    digits = max(width, len(str(count)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, count + 1).astype(str), digits))


def _district_sizes(model: CleanModel, rng: np.random.Generator) -> np.ndarray:
    """Stations per district: uneven (lognormal weights), every district non-empty if it can."""
    n_districts = model.districts
    weights = rng.lognormal(0.0, 0.4, size=n_districts)
    base = 1 if model.stations >= n_districts else 0
    rest = model.stations - base * n_districts
    return base + rng.multinomial(rest, weights / weights.sum())


def _correlated(
    rng: np.random.Generator, size: int, sd_a: float, sd_b: float, rho: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two normal effects with the given sds and correlation rho."""
    z1 = rng.standard_normal(size)
    z2 = rng.standard_normal(size)
    return sd_a * z1, sd_b * (rho * z1 + math.sqrt(1.0 - rho * rho) * z2)


def _lognormal_list(
    rng: np.random.Generator, median: np.ndarray | float, sd: float, model: CleanModel, n: int
) -> np.ndarray:
    """List sizes lognormal around each station's median, clipped to the legal range."""
    sizes = np.rint(median * np.exp(sd * rng.standard_normal(n)))
    return np.clip(sizes, model.registered_min, model.registered_max).astype(np.int64)


def _multinomial_rows(
    rng: np.random.Generator, totals: np.ndarray, probs: np.ndarray
) -> np.ndarray:
    """One multinomial draw per row, as conditional binomials over the columns (vectorised)."""
    n, k = probs.shape
    out = np.zeros((n, k), dtype=np.int64)
    left = totals.astype(np.int64).copy()
    mass_left = np.ones(n)
    for j in range(k - 1):
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(mass_left > 0, probs[:, j] / mass_left, 0.0)
        out[:, j] = rng.binomial(left, np.clip(p, 0.0, 1.0))
        left -= out[:, j]
        mass_left -= probs[:, j]
    out[:, k - 1] = left
    return out


def simulate_clean(model: CleanModel = CleanModel(), *, seed: int) -> StationTable:
    """An honest election drawn from `model`: the same table for the same seed.

    Stations are ordered by district and coded "R03-D05-0123" (region "R03", district
    "R03-D05"). Attributes: "urban" ("yes"/"no", by district) and "kind" ("regular" or
    "special"). Every balance holds: voters = valid + invalid, valid = sum of votes,
    voters <= registered; `found` is left None (ballots found = valid + invalid).
    """
    rng = np.random.default_rng(seed)
    n_regions, n_districts, n = model.regions, model.districts, model.stations
    k = model.contestants

    # Geography: district of each station, region of each district, urban districts.
    sizes = _district_sizes(model, rng)
    district_of = np.repeat(np.arange(n_districts), sizes)
    region_of_district = np.arange(n_districts) // model.districts_per_region
    region_of = region_of_district[district_of]
    urban_district = rng.random(n_districts) < model.urban_share
    urban = urban_district[district_of]
    centred_urban = urban_district.astype(float) - model.urban_share

    region_codes = _codes("R", n_regions)
    district_codes = np.char.add(
        np.char.add(region_codes[region_of_district], "-D"),
        np.char.zfill(
            (np.arange(n_districts) % model.districts_per_region + 1).astype(str),
            max(2, len(str(model.districts_per_region))),
        ),
    )
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    number = np.arange(n) - starts[district_of] + 1
    width = max(4, len(str(int(sizes.max(initial=1)))))
    codes = np.char.add(
        np.char.add(district_codes[district_of], "-"), np.char.zfill(number.astype(str), width)
    )

    # Station kinds and list sizes.
    special = rng.random(n) < model.special_share
    small = ~urban & ~special & (rng.random(n) < model.small_share)
    urban_median = model.registered_median * model.urban_registered
    median = np.where(urban, urban_median, float(model.registered_median))
    median = np.where(special, model.special_median, median)
    median = np.where(small, model.small_median, median)
    registered = _lognormal_list(rng, median, model.registered_sd, model, n)

    # Turnout and the leader's share on the logit scale.
    rho = model.unit_correlation
    t_reg, l_reg = _correlated(rng, n_regions, model.turnout_region_sd, model.leader_region_sd, rho)
    t_dis, l_dis = _correlated(
        rng, n_districts, model.turnout_district_sd, model.leader_district_sd, rho
    )
    t_logit = (
        _logit(model.turnout_mean)
        + t_reg[region_of]
        + (t_dis + centred_urban * model.urban_turnout)[district_of]
        + model.turnout_station_sd * rng.standard_normal(n)
    )
    l_logit = (
        _logit(model.leader_share)
        + l_reg[region_of]
        + (l_dis + centred_urban * model.urban_leader)[district_of]
        + model.leader_station_sd * rng.standard_normal(n)
    )
    turnout = _expit(t_logit)
    special_turnout = rng.uniform(model.special_turnout_low, model.special_turnout_high, n)
    turnout = np.where(special, special_turnout, turnout)
    leader = _expit(l_logit)

    # The others split what the leader did not get: base shares decaying geometrically, with
    # region, district and station effects on the log scale (a logit-normal split).
    base = np.log(model.others_decay) * np.arange(k - 1)
    log_w = (
        base
        + model.others_region_sd * rng.standard_normal((n_regions, k - 1))[region_of]
        + model.others_district_sd * rng.standard_normal((n_districts, k - 1))[district_of]
        + model.others_station_sd * rng.standard_normal((n, k - 1))
    )
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    others = w / w.sum(axis=1, keepdims=True)
    shares = np.column_stack([leader, (1.0 - leader)[:, None] * others])

    # The counts, drawn: who came, which ballots were valid, whom they chose.
    voters = rng.binomial(registered, turnout).astype(np.int64)
    invalid = rng.binomial(voters, model.invalid_rate).astype(np.int64)
    valid = voters - invalid
    votes = _multinomial_rows(rng, valid, shares)

    return StationTable(
        codes=codes.astype(object),
        region=region_codes[region_of].astype(object),
        district=district_codes[district_of].astype(object),
        registered=registered,
        voters=voters,
        valid=valid,
        invalid=invalid,
        votes=votes,
        contestants=tuple(f"C{j + 1}" for j in range(k)),
        attributes={
            "urban": np.where(urban, "yes", "no").astype(object),
            "kind": np.where(special, "special", "regular").astype(object),
        },
    )


@dataclass(frozen=True)
class Planted:
    """An election with fraud planted in some stations, and the truth about where.

    table: the altered election (a new table; the input is untouched). mask: True for each
    station where fraud was planted, the labels a test's flags are scored against. kind:
    "stuffing", "transfer" or "rounding". share: the share of eligible stations altered.
    size: the fraud's magnitude in its own unit: points of the list (as a fraction) added for
    stuffing, the fraction of others' votes moved for transfer, and for rounding the mean
    turnout rise (fraction of the list) it caused in the altered stations.
    """

    table: StationTable
    mask: np.ndarray
    kind: str
    share: float
    size: float = 0.0


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise SimulationError(f"{name} must lie between 0 and 1 (a fraction), not {value}")


def _eligible(table: StationTable) -> np.ndarray:
    """Stations fraud can be planted in: a list, published voters and valid votes."""
    return table.turnout_known & (table.valid >= 0)


def _choose(eligible: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """A mask of round(share * eligible) stations drawn at random among the eligible."""
    candidates = np.flatnonzero(eligible)
    count = round(share * len(candidates))
    mask = np.zeros(len(eligible), dtype=bool)
    mask[rng.choice(candidates, size=count, replace=False)] = True
    return mask


def _altered(
    table: StationTable,
    *,
    voters: np.ndarray | None = None,
    valid: np.ndarray | None = None,
    votes: np.ndarray | None = None,
    added: np.ndarray | None = None,
) -> StationTable:
    """A copy of `table` with new counts; `added` ballots also land in `found` if present."""
    found = table.found
    if found is not None:
        found = found.copy()
        if added is not None:
            found = np.where(found >= 0, found + added, found)
    return StationTable(
        codes=table.codes.copy(),
        region=table.region.copy(),
        district=table.district.copy(),
        registered=table.registered.copy(),
        voters=table.voters.copy() if voters is None else voters,
        valid=table.valid.copy() if valid is None else valid,
        invalid=table.invalid.copy(),
        votes=table.votes.copy() if votes is None else votes,
        contestants=table.contestants,
        found=found,
        attributes={name: values.copy() for name, values in table.attributes.items()},
    )


def plant_stuffing(table: StationTable, *, share: float, points: float, seed: int) -> Planted:
    """Ballot stuffing: extra ballots, all for the leader, in `share` of the stations.

    `points` is the stuffing's size as a fraction of the list (0.10 = 10 percentage points of
    turnout): each chosen station gets round(points * registered) more voters, valid ballots
    and votes for the leader, capped so that voters never exceed the list. The leader is the
    contestant with most votes nationally in `table`.
    """
    _check_fraction("share", share)
    _check_fraction("points", points)
    rng = np.random.default_rng(seed)
    mask = _choose(_eligible(table), share, rng)
    room = np.maximum(table.registered - table.voters, 0)
    added = np.where(mask, np.minimum(np.rint(points * table.registered).astype(np.int64), room), 0)
    votes = table.votes.copy()
    votes[:, table.leader_index()] += added
    altered = _altered(
        table, voters=table.voters + added, valid=table.valid + added, votes=votes, added=added
    )
    return Planted(table=altered, mask=mask, kind="stuffing", share=share, size=points)


def plant_transfer(table: StationTable, *, share: float, fraction: float, seed: int) -> Planted:
    """Vote transfer: `fraction` of every other contestant's votes rewritten to the leader.

    Only the protocol's vote lines change, in `share` of the stations: voters, valid and
    invalid ballots stay, so turnout is untouched and only the shares betray it.
    """
    _check_fraction("share", share)
    _check_fraction("fraction", fraction)
    rng = np.random.default_rng(seed)
    mask = _choose(_eligible(table), share, rng)
    lead = table.leader_index()
    moved = np.where(mask[:, None], np.rint(fraction * table.votes).astype(np.int64), 0)
    moved[:, lead] = 0
    votes = table.votes - moved
    votes[:, lead] += moved.sum(axis=1)
    return Planted(
        table=_altered(table, votes=votes), mask=mask, kind="transfer", share=share, size=fraction
    )


def _round_up_percent(num: np.ndarray, den: np.ndarray, to_five: np.ndarray) -> np.ndarray:
    """100 * num / den rounded up to a whole percent, or to a multiple of 5 where to_five.

    Exact integer arithmetic (den > 0), capped at 100.
    """
    step = np.where(to_five, 5, 1)
    target = step * ((100 * num + step * den - 1) // (step * den))
    return np.minimum(target, 100)


def _nearest_count(percent: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The count out of `total` nearest to `percent` per cent (halves up), in integers."""
    return (2 * percent * total + 100) // 200


def _split(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split each row's integer total in proportion to weights, largest remainders first.

    Rows whose weights sum to zero split evenly. Every part is a non-negative integer and the
    parts sum to the total exactly.
    """
    n, k = weights.shape
    if k == 0:
        return np.zeros((n, 0), dtype=np.int64)
    w = weights.astype(float)
    w_sum = w.sum(axis=1, keepdims=True)
    w = np.where(w_sum > 0, w, 1.0)
    quota = total[:, None] * w / w.sum(axis=1, keepdims=True)
    parts = np.floor(quota).astype(np.int64)
    short = total - parts.sum(axis=1)
    order = np.argsort(-(quota - parts), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(n, axis=0), axis=1)
    return parts + (rank < short[:, None])


def plant_rounding(
    table: StationTable, *, share: float, seed: int, to_five: float = 0.3
) -> Planted:
    """Protocols rewritten to hit integer-percent targets, in `share` of the stations.

    A falsifier given targets writes the count nearest to them. Turnout: the station's turnout
    rounded up to the next whole percent (to the next multiple of 5 with chance `to_five`), the
    new ballots valid. Leader: its share of valid votes rounded up likewise (its own draw of
    the step), the count nearest that percent of the new valid total; the other contestants
    share the rest in proportion to their votes. Balances hold after: valid = sum of votes,
    voters = valid + invalid (where invalid is known), voters <= registered. Stations need
    valid votes to have a leader's share, so stations without any are not chosen.
    """
    _check_fraction("share", share)
    _check_fraction("to_five", to_five)
    rng = np.random.default_rng(seed)
    mask = _choose(_eligible(table) & (table.valid > 0), share, rng)
    n = len(table)
    lead = table.leader_index()
    five_turnout = rng.random(n) < to_five
    five_leader = rng.random(n) < to_five

    registered = np.where(mask, table.registered, 1)
    old_voters = np.where(mask, table.voters, 0)
    target_t = _round_up_percent(old_voters, registered, five_turnout)
    # Never fewer voters than before (only a list already over 100% could ask for fewer).
    new_voters = np.maximum(_nearest_count(target_t, registered), old_voters)
    added = np.where(mask, new_voters - old_voters, 0)
    voters = table.voters + added
    valid = table.valid + added

    old_valid = np.where(mask, table.valid, 1)
    old_lead = np.where(mask, table.votes[:, lead], 0)
    target_l = _round_up_percent(np.minimum(old_lead, old_valid), old_valid, five_leader)
    new_valid = np.where(mask, valid, 0)
    others = np.delete(table.votes, lead, axis=1)
    new_lead = new_valid if others.shape[1] == 0 else _nearest_count(target_l, new_valid)
    new_others = _split(new_valid - new_lead, np.where(mask[:, None], others, 0))
    rewritten = np.insert(new_others, lead, new_lead, axis=1)
    votes = np.where(mask[:, None], rewritten, table.votes)

    size = float((added[mask] / table.registered[mask]).mean()) if mask.any() else 0.0
    altered = _altered(table, voters=voters, valid=valid, votes=votes, added=added)
    return Planted(table=altered, mask=mask, kind="rounding", share=share, size=size)
