"""The election simulator: honest tables with the documented spreads, and plants that alter
only the stations they report, keeping every protocol balance true."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import numpy as np
import pytest

from saylau.domain.integrity.simulate import (
    CleanModel,
    Planted,
    SimulationError,
    plant_rounding,
    plant_stuffing,
    plant_transfer,
    simulate_clean,
)
from saylau.domain.integrity.stations import StationTable

LARGE = CleanModel(stations=100_000, regions=200, districts_per_region=10)


@pytest.fixture(scope="module")
def clean() -> StationTable:
    return simulate_clean(CleanModel(), seed=11)


@pytest.fixture(scope="module")
def large() -> StationTable:
    return simulate_clean(LARGE, seed=5)


def assert_balanced(table: StationTable) -> None:
    """Every count a non-negative integer and every protocol balance true."""
    for name in ("registered", "voters", "valid", "invalid", "votes"):
        values = getattr(table, name)
        assert values.dtype == np.int64, name
        assert (values >= 0).all(), name
    assert (table.votes.sum(axis=1) == table.valid).all()
    assert (table.valid + table.invalid == table.voters).all()
    assert (table.voters <= table.registered).all()


def snapshot(table: StationTable) -> dict[str, np.ndarray]:
    names = ("codes", "region", "district", "registered", "voters", "valid", "invalid", "votes")
    copies = {name: getattr(table, name).copy() for name in names}
    copies.update({f"attr:{k}": v.copy() for k, v in table.attributes.items()})
    return copies


def assert_unchanged(table: StationTable, before: dict[str, np.ndarray]) -> None:
    for name, values in before.items():
        now = table.attributes[name[5:]] if name.startswith("attr:") else getattr(table, name)
        assert np.array_equal(now, values), name


def turnout(table: StationTable) -> np.ndarray:
    return table.voters / table.registered


# -- clean elections ---------------------------------------------------------------------------


def test_clean_is_deterministic_per_seed() -> None:
    a, b = simulate_clean(seed=3), simulate_clean(seed=3)
    for name in ("codes", "region", "district", "registered", "voters", "valid", "invalid"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(a.votes, b.votes)
    assert all(np.array_equal(a.attributes[k], b.attributes[k]) for k in a.attributes)
    assert not np.array_equal(a.voters, simulate_clean(seed=4).voters)


def test_clean_shapes_codes_and_attributes(clean: StationTable) -> None:
    n = CleanModel().stations
    assert len(clean) == n
    assert clean.votes.shape == (n, 5)
    assert clean.contestants == ("C1", "C2", "C3", "C4", "C5")
    assert clean.found is None
    assert all(a.dtype == object for a in (clean.codes, clean.region, clean.district))
    assert len(set(clean.codes)) == n
    assert all(re.fullmatch(r"R\d\d-D\d\d-\d{4}", c) for c in clean.codes)
    assert all(c.startswith(d + "-") for c, d in zip(clean.codes, clean.district, strict=True))
    assert all(d.startswith(r + "-") for d, r in zip(clean.district, clean.region, strict=True))
    assert len(set(clean.region)) == 10
    assert len(set(clean.district)) == 80
    assert set(clean.attributes["urban"]) == {"yes", "no"}
    assert set(clean.attributes["kind"]) == {"regular", "special"}
    # Urban is a district's property.
    for district in set(clean.district):
        assert len(set(clean.attributes["urban"][clean.district == district])) == 1


def test_clean_balances_and_list_sizes(clean: StationTable) -> None:
    assert_balanced(clean)
    assert clean.registered.min() >= 50
    assert clean.registered.max() <= 4000
    regular = clean.attributes["kind"] == "regular"
    assert 900 < np.median(clean.registered[regular]) < 1500
    assert (clean.registered[regular] < 400).mean() > 0.05  # village stations exist


def test_clean_leader_and_turnout_levels(large: StationTable) -> None:
    assert large.leader_index() == 0
    shares = large.votes.sum(axis=0) / large.valid.sum()
    assert 0.50 < shares[0] < 0.60
    assert (np.diff(shares[1:]) < 0).all()  # the others decay in size
    assert 0.58 < large.voters.sum() / large.registered.sum() < 0.66
    assert 0.013 < large.invalid.sum() / large.voters.sum() < 0.017
    urban = large.attributes["urban"] == "yes"
    assert turnout(large)[urban].mean() < turnout(large)[~urban].mean() - 0.02
    lead = large.votes[:, 0] / large.valid
    assert lead[urban].mean() < lead[~urban].mean() - 0.03


def test_special_stations_are_small_with_high_turnout(large: StationTable) -> None:
    special = large.attributes["kind"] == "special"
    assert 0.035 < special.mean() < 0.045
    assert np.median(large.registered[special]) < 250
    assert 0.88 < turnout(large)[special].mean() < 0.92
    assert turnout(large)[special].min() > 0.6


def spreads(table: StationTable, num: np.ndarray, den: np.ndarray) -> tuple[float, float, float]:
    """Points of sd between region means, between district means within a region, and between
    regular stations within a district net of the counts' binomial noise."""
    regular = table.attributes["kind"] == "regular"
    pct = 100 * num[regular] / den[regular]
    _, d = np.unique(table.district[regular], return_inverse=True)
    _, r = np.unique(table.region[regular], return_inverse=True)
    district_mean = np.bincount(d, pct) / np.bincount(d)
    region_of = np.zeros(len(district_mean), dtype=int)
    region_of[d] = r
    region_mean = np.bincount(r, pct) / np.bincount(r)
    mean_of_districts = np.bincount(region_of, district_mean) / np.bincount(region_of)
    dev = district_mean - mean_of_districts[region_of]
    between_districts = np.sqrt((dev**2).sum() / (len(district_mean) - len(region_mean)))
    resid = pct - district_mean[d]
    observed = (resid**2).sum() / (len(pct) - len(district_mean))
    p = num[regular] / den[regular]
    binomial = np.mean(1e4 * p * (1 - p) / den[regular])
    return region_mean.std(ddof=1), between_districts, np.sqrt(observed - binomial)


def test_turnout_spreads_as_documented(large: StationTable) -> None:
    regions, districts, stations = spreads(large, large.voters, large.registered)
    assert 7.5 < regions < 10.5
    assert 4.3 < districts < 5.7
    assert 1.7 < stations < 2.3


def test_leader_spreads_as_documented(large: StationTable) -> None:
    regions, districts, stations = spreads(large, large.votes[:, 0], large.valid)
    assert 7.5 < regions < 10.5
    assert 4.3 < districts < 5.7
    assert 1.7 < stations < 2.3


def test_no_turnout_leader_link_within_districts(large: StationTable) -> None:
    _, d = np.unique(large.district, return_inverse=True)
    t, s = turnout(large), large.votes[:, 0] / large.valid
    count = np.bincount(d)
    t_dev = t - (np.bincount(d, t) / count)[d]
    s_dev = s - (np.bincount(d, s) / count)[d]
    assert abs(np.corrcoef(t_dev, s_dev)[0, 1]) < 0.03


def test_hundred_thousand_stations_are_fast() -> None:
    start = time.perf_counter()
    table = simulate_clean(CleanModel(stations=100_000), seed=1)
    assert time.perf_counter() - start < 2.0
    assert len(table) == 100_000
    assert all(re.fullmatch(r"R\d\d-D\d\d-\d{4,}", c) for c in table.codes[::997])


def test_small_and_odd_models() -> None:
    tiny = simulate_clean(CleanModel(stations=5, regions=2, districts_per_region=4), seed=0)
    assert len(tiny) == 5
    assert_balanced(tiny)
    two = simulate_clean(CleanModel(stations=200, contestants=2, special_share=0.0), seed=0)
    assert two.votes.shape == (200, 2)
    assert set(two.attributes["kind"]) == {"regular"}
    assert_balanced(two)


@pytest.mark.parametrize(
    "change",
    [
        {"stations": 0},
        {"contestants": 1},
        {"turnout_mean": 1.0},
        {"invalid_rate": -0.1},
        {"turnout_station_sd": -1.0},
        {"registered_min": 500, "registered_max": 100},
        {"special_turnout_low": 0.97},
    ],
)
def test_impossible_models_are_refused(change: dict[str, float]) -> None:
    with pytest.raises(SimulationError):
        replace(CleanModel(), **change)


# -- planted fraud -----------------------------------------------------------------------------


def test_stuffing_adds_points_to_the_leader_in_planted_stations_only(clean: StationTable) -> None:
    before = snapshot(clean)
    planted = plant_stuffing(clean, share=0.1, points=0.1, seed=2)
    assert_unchanged(clean, before)
    assert isinstance(planted, Planted)
    assert (planted.kind, planted.share, planted.size) == ("stuffing", 0.1, 0.1)
    table, mask = planted.table, planted.mask
    assert mask.dtype == bool and mask.sum() == round(0.1 * len(clean))
    assert_balanced(table)

    expected = np.minimum(np.rint(0.1 * clean.registered), clean.registered - clean.voters)
    added = table.voters - clean.voters
    assert np.array_equal(added[mask], expected[mask])
    assert (added[~mask] == 0).all()
    rise = turnout(table) - turnout(clean)
    uncapped = mask & (expected == np.rint(0.1 * clean.registered))
    assert np.allclose(rise[uncapped], 0.1, atol=0.5 / clean.registered[uncapped])
    assert np.array_equal(table.votes[:, 0] - clean.votes[:, 0], added)
    assert np.array_equal(table.votes[:, 1:], clean.votes[:, 1:])
    assert np.array_equal(table.invalid, clean.invalid)


def test_stuffing_is_capped_at_the_list(clean: StationTable) -> None:
    planted = plant_stuffing(clean, share=1.0, points=0.5, seed=0)
    assert_balanced(planted.table)
    assert (planted.table.voters[planted.mask] == clean.registered[planted.mask]).any()


def test_plants_are_deterministic_per_seed(clean: StationTable) -> None:
    a = plant_stuffing(clean, share=0.2, points=0.1, seed=9)
    b = plant_stuffing(clean, share=0.2, points=0.1, seed=9)
    c = plant_stuffing(clean, share=0.2, points=0.1, seed=10)
    assert np.array_equal(a.mask, b.mask) and np.array_equal(a.table.votes, b.table.votes)
    assert not np.array_equal(a.mask, c.mask)
    r1 = plant_rounding(clean, share=0.2, seed=9)
    r2 = plant_rounding(clean, share=0.2, seed=9)
    assert np.array_equal(r1.table.votes, r2.table.votes)


def test_transfer_moves_votes_without_touching_turnout(clean: StationTable) -> None:
    before = snapshot(clean)
    planted = plant_transfer(clean, share=0.2, fraction=0.3, seed=4)
    assert_unchanged(clean, before)
    table, mask = planted.table, planted.mask
    assert (planted.kind, planted.size) == ("transfer", 0.3)
    assert mask.sum() == round(0.2 * len(clean))
    assert_balanced(table)
    for name in ("registered", "voters", "valid", "invalid"):
        assert np.array_equal(getattr(table, name), getattr(clean, name))
    moved = np.rint(0.3 * clean.votes[mask, 1:]).astype(np.int64)
    assert np.array_equal(table.votes[mask, 1:], clean.votes[mask, 1:] - moved)
    assert np.array_equal(table.votes[mask, 0], clean.votes[mask, 0] + moved.sum(axis=1))
    assert np.array_equal(table.votes[~mask], clean.votes[~mask])


def near_integer_percent(num: np.ndarray, den: np.ndarray, step: int = 1) -> np.ndarray:
    """Whether 100 * num / den is within 50 / den points of a multiple of `step` percent."""
    pct = 100 * num / den
    return np.abs(pct - step * np.round(pct / step)) <= 50 / den + 1e-9


def test_rounding_writes_integer_percents(clean: StationTable) -> None:
    before = snapshot(clean)
    planted = plant_rounding(clean, share=0.05, seed=6)
    assert_unchanged(clean, before)
    table, mask = planted.table, planted.mask
    assert planted.kind == "rounding" and mask.sum() == round(0.05 * len(clean))
    assert_balanced(table)
    assert near_integer_percent(table.voters, table.registered)[mask].all()
    assert near_integer_percent(table.votes[:, 0], table.valid)[mask].all()
    assert (table.voters >= clean.voters).all()
    assert (table.votes[mask, 0] >= clean.votes[mask, 0]).all()
    assert 0 < planted.size < 0.05
    for name in ("voters", "valid", "invalid", "votes"):
        assert np.array_equal(getattr(table, name)[~mask], getattr(clean, name)[~mask]), name
    # Only a small share of clean stations happen to sit that close to an integer percent.
    assert near_integer_percent(clean.voters, clean.registered)[mask].mean() < 0.2


def test_rounding_to_fives(clean: StationTable) -> None:
    planted = plant_rounding(clean, share=0.3, seed=1, to_five=1.0)
    table, mask = planted.table, planted.mask
    assert_balanced(table)
    assert near_integer_percent(table.voters, table.registered, step=5)[mask].all()
    assert near_integer_percent(table.votes[:, 0], table.valid, step=5)[mask].all()


def with_gaps() -> StationTable:
    """A small table with unpublished voters, an empty list and a found column."""
    base = simulate_clean(CleanModel(stations=40, regions=2, districts_per_region=2), seed=8)
    voters, registered = base.voters.copy(), base.registered.copy()
    invalid, valid, votes = base.invalid.copy(), base.valid.copy(), base.votes.copy()
    voters[:5] = -1
    invalid[:5] = -1
    registered[5:8] = 0
    voters[5:8], valid[5:8], invalid[5:8], votes[5:8] = 0, 0, 0, 0
    return replace(
        base,
        voters=voters,
        registered=registered,
        invalid=invalid,
        valid=valid,
        votes=votes,
        found=valid + np.where(invalid >= 0, invalid, 0),
    )


@pytest.mark.parametrize(
    "plant",
    [
        lambda t: plant_stuffing(t, share=1.0, points=0.1, seed=0),
        lambda t: plant_transfer(t, share=1.0, fraction=0.5, seed=0),
        lambda t: plant_rounding(t, share=1.0, seed=0),
    ],
)
def test_stations_with_missing_figures_are_never_chosen(plant) -> None:
    table = with_gaps()
    before = snapshot(table)
    found_before = table.found.copy()
    planted = plant(table)
    assert_unchanged(table, before)
    assert np.array_equal(table.found, found_before)
    assert not planted.mask[:8].any()
    assert planted.mask[8:].all()
    for name in ("voters", "registered", "valid", "invalid", "votes", "found"):
        assert np.array_equal(getattr(planted.table, name)[:8], getattr(table, name)[:8]), name
    ok = planted.table.subset(np.arange(8, len(table)))
    assert_balanced(ok)
    assert np.array_equal(ok.found, ok.valid + ok.invalid)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: plant_stuffing(t, share=1.5, points=0.1, seed=0),
        lambda t: plant_stuffing(t, share=0.1, points=10, seed=0),
        lambda t: plant_transfer(t, share=0.1, fraction=-0.1, seed=0),
        lambda t: plant_rounding(t, share=-0.1, seed=0),
    ],
)
def test_impossible_plants_are_refused(clean: StationTable, call) -> None:
    with pytest.raises(SimulationError):
        call(clean)


def test_zero_share_changes_nothing(clean: StationTable) -> None:
    for planted in (
        plant_stuffing(clean, share=0.0, points=0.2, seed=0),
        plant_transfer(clean, share=0.0, fraction=0.2, seed=0),
        plant_rounding(clean, share=0.0, seed=0),
    ):
        assert not planted.mask.any()
        assert np.array_equal(planted.table.votes, clean.votes)
        assert np.array_equal(planted.table.voters, clean.voters)
