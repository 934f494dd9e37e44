"""The reference scenario: Kazakhstan's early presidential election of 20 November 2022.

Deterministic synthetic per-PEC data (one seed) whose totals are Annex I of the OSCE/ODIHR final
report exactly, on the real commission structure of section V: 20 regions, 239 TECs, 10,101 PECs
(9,556 regular, 477 special, 68 abroad in 53 missions) and 70,946 commissioners. Regional turnout
follows section XIV (Almaty city 28.7%, Astana 48.7%, higher in rural areas). Everything below
the published totals (which PEC had how many voters, how they voted) is invented: the CEC did
not publish results by polling station, which is the report's point.

The same generator builds a scaled election (`stations=N`) for benchmarks: every Annex figure is
scaled by N / 10,101 and the structure above the PECs stays the same.

Generation is pure (NumPy, no database); `saylau.scenarios.build` writes it through services.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from saylau.administration.service import MemberSpec, UnitSpec
from saylau.results.service import ProtocolInput
from saylau.scenarios.allocation import apportion, fit_margins, integer_table
from saylau.scenarios.commissions import commission_members, commission_units
from saylau.scenarios.geography import District, Region, districts, regions

SEED = 20221120
ELECTION_DATE = date(2022, 11, 20)

# Annex I: final results as published by the CEC.
ANNEX_I = {
    "registered": 11_953_465,
    "voters": 8_300_046,
    "valid": 7_940_477,
    "avc": 13_282,
    "mobile": 112_969,
}
ANNEX_I_VOTES = {
    "abden": 206_206,
    "auesbayev": 176_116,
    "dayrabayev": 271_641,
    "kazhyken": 200_907,
    "tokayev": 6_456_392,
    "tursynbekova": 168_731,
    "against_all": 460_484,
}
# Section V footnote 23 and section VI.
STATIONS = {"regular": 9_556, "special": 477, "abroad": 68}
MIN_STATIONS = 10  # fewer cannot hold the regions' turnout within their registered voters
MEMBERS = 70_946
ADDED_ON_ELECTION_DAY = 2_267  # footnote 42
PECS_WITH_ADDITION = 4_053 + 181  # footnote 41
ABROAD_REGISTERED = 12_527  # footnote 36
FIXED_TURNOUT = {"750000000": 0.287, "710000000": 0.487}  # Almaty city, Astana (section XIV)
# Per region: registered voters (thousands, an approximation from 2022 population figures; scaled
# to the exact national total) and relative turnout (rural and southern regions higher). These
# are the scenario's assumptions, not published figures.
REGION_PROFILE: dict[str, tuple[float, float]] = {
    "100000000": (420, 0.74),  # Abay
    "110000000": (560, 0.75),  # Akmola
    "150000000": (590, 0.76),  # Aktobe
    "190000000": (980, 0.80),  # Almaty Region
    "230000000": (400, 0.77),  # Atyrau
    "270000000": (460, 0.74),  # West Kazakhstan
    "310000000": (700, 0.82),  # Jambyl
    "330000000": (470, 0.80),  # Jetisu
    "350000000": (800, 0.70),  # Karaganda
    "390000000": (600, 0.73),  # Kostanay
    "430000000": (490, 0.84),  # Kyzylorda
    "470000000": (430, 0.72),  # Mangystau
    "550000000": (540, 0.71),  # Pavlodar
    "590000000": (390, 0.76),  # North Kazakhstan
    "610000000": (1250, 0.86),  # Turkistan
    "620000000": (160, 0.78),  # Ulytau
    "630000000": (520, 0.71),  # East Kazakhstan
    "710000000": (800, 0.487),  # Astana
    "750000000": (1300, 0.287),  # Almaty
    "790000000": (690, 0.75),  # Shymkent
}
# Column order of the vote table: the largest (Tokayev) last absorbs rounding.
VOTE_COLUMNS = (
    "abden",
    "auesbayev",
    "dayrabayev",
    "kazhyken",
    "tursynbekova",
    "against_all",
    "tokayev",
)


@dataclass
class Scenario:
    """A generated election: its units, members and one protocol per PEC (as line arrays)."""

    code: str
    name: str
    seed: int
    stations: int
    units: list[UnitSpec]
    members: list[MemberSpec]
    pec_codes: list[str]
    lines: dict[str, np.ndarray]

    def protocols(self, start: int = 0, stop: int | None = None) -> list[ProtocolInput]:
        """Protocols of PECs `start`..`stop` (in code order), ready for the results service."""
        stop = len(self.pec_codes) if stop is None else stop
        columns = {code: values[start:stop].tolist() for code, values in self.lines.items()}
        return [
            ProtocolInput(pec, {code: columns[code][i] for code in columns})
            for i, pec in enumerate(self.pec_codes[start:stop])
        ]

    def batches(self, size: int) -> Iterator[list[ProtocolInput]]:
        for start in range(0, len(self.pec_codes), size):
            yield self.protocols(start, start + size)


def _scaled(value: int, factor: float) -> int:
    return round(value * factor)


def _solve_turnout_scale(reg: np.ndarray, weight: np.ndarray, target: int, cap: float) -> float:
    """k such that sum(reg * min(k * weight, cap)) == target (bisection; monotone in k)."""
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if float(np.sum(reg * np.minimum(mid * weight, cap))) < target:
            lo = mid
        else:
            hi = mid
    return hi


@dataclass(frozen=True)
class Stations:
    """Where each PEC is and what kind it is, as parallel arrays in PEC-code order."""

    region_of: np.ndarray
    district_of: np.ndarray  # -1 for abroad
    kind: np.ndarray  # regular | special | abroad
    urban: np.ndarray

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def regular(self) -> np.ndarray:
        return self.kind == "regular"

    @property
    def special(self) -> np.ndarray:
        return self.kind == "special"

    @property
    def abroad(self) -> np.ndarray:
        return self.kind == "abroad"


def generate(
    stations: int | None = None,
    seed: int = SEED,
    with_members: bool = True,
    code: str | None = None,
) -> Scenario:
    """Generate the reference election, or a scaled one with `stations` PECs."""
    total_stations = sum(STATIONS.values())
    n = total_stations if stations is None else int(stations)
    if n < MIN_STATIONS:
        raise ValueError(
            f"a scenario needs at least {MIN_STATIONS} PECs to reproduce the national totals "
            f"and regional turnout, not {n}"
        )
    f = n / total_stations
    rng = np.random.default_rng(seed)
    regs, dists = regions(), districts()
    where = _place_stations(n, f, regs, dists, rng)
    registered = _registered_voters(where, regs, f, rng)
    voters = _voters(where, regs, registered, f, rng)
    lines = _issued_and_counted(where, registered, voters, f, rng)
    votes = _votes(where, len(regs), lines["valid"], f, rng)
    for j, column in enumerate(VOTE_COLUMNS):
        lines[column] = votes[:, j]
    units, pec_codes = commission_units(
        regs, dists, where.region_of, where.district_of, where.kind, where.urban, rng
    )
    members = (
        commission_members(units, registered, _scaled(MEMBERS, f), rng) if with_members else []
    )
    return Scenario(
        code=code or ("kz-2022" if stations is None else f"kz-2022-scaled-{n}"),
        name="Early presidential election 2022 (reference scenario)"
        if stations is None
        else f"Early presidential election 2022, scaled to {n:,} PECs",
        seed=seed,
        stations=n,
        units=units,
        members=members,
        pec_codes=pec_codes,
        lines=lines,
    )


def _place_stations(
    n: int, f: float, regs: list[Region], dists: list[District], rng: np.random.Generator
) -> Stations:
    """How many PECs of each kind, in which district: more, smaller ones in rural districts."""
    n_special = max(1, _scaled(STATIONS["special"], f))
    n_abroad = max(1, _scaled(STATIONS["abroad"], f))
    n_regular = n - n_special - n_abroad
    region_index = {r.kato: i for i, r in enumerate(regs)}
    region_w = np.array([REGION_PROFILE[r.kato][0] for r in regs], dtype=float)
    district_region = np.array([region_index[d.region] for d in dists])
    urban_district = np.array([d.kind in ("city", "city_district") for d in dists])
    district_share = np.where(
        urban_district,
        rng.lognormal(np.log(2.2), 0.35, len(dists)),
        rng.lognormal(0.0, 0.45, len(dists)),
    )
    for i in range(len(regs)):
        mask = district_region == i
        district_share[mask] /= district_share[mask].sum()
    district_reg = region_w[district_region] * district_share
    typical_size = np.where(urban_district, 1_700.0, 650.0)
    regular_per_district = apportion(n_regular, district_reg / typical_size)
    special_per_region = apportion(n_special, region_w)

    # In code order: by region, then district; specials after a region's regular PECs.
    pec_region: list[int] = []
    pec_district: list[int] = []
    pec_kind: list[str] = []
    for i in range(len(regs)):
        in_region = np.flatnonzero(district_region == i)
        for d in in_region:
            count = int(regular_per_district[d])
            pec_region += [i] * count
            pec_district += [int(d)] * count
            pec_kind += ["regular"] * count
        if special_per_region[i]:
            weights = district_reg[in_region] / district_reg[in_region].sum()
            chosen = rng.choice(in_region, size=int(special_per_region[i]), p=weights)
            for d in sorted(chosen.tolist()):
                pec_region.append(i)
                pec_district.append(int(d))
                pec_kind.append("special")
    pec_region += [region_index["710000000"]] * n_abroad  # abroad PECs count with Astana
    pec_district += [-1] * n_abroad
    pec_kind += ["abroad"] * n_abroad
    district_of = np.array(pec_district)
    kind = np.array(pec_kind)
    in_town = np.where(district_of >= 0, urban_district[np.maximum(district_of, 0)], True)
    urban = in_town | ((kind == "regular") & (rng.random(n) < 0.2))  # district centres
    urban = np.where(kind == "special", rng.random(n) < 0.5, urban)
    return Stations(np.array(pec_region), district_of, kind, urban)


def _registered_voters(
    where: Stations, regs: list[Region], f: float, rng: np.random.Generator
) -> np.ndarray:
    """Registered voters per PEC: regions' shares exact, log-normal sizes within a region."""
    n = where.n
    raw_size = np.where(
        where.urban,
        rng.lognormal(np.log(1_900), 0.35, n),
        rng.lognormal(np.log(600), 0.8, n),
    ).clip(40, 3_200)
    raw_size = np.where(where.special, rng.lognormal(np.log(180), 0.7, n).clip(10, 1_500), raw_size)
    raw_size = np.where(where.abroad, rng.lognormal(np.log(180), 0.6, n).clip(20, 900), raw_size)
    abroad_total = _scaled(ABROAD_REGISTERED, f)
    registered = np.zeros(n, dtype=np.int64)
    registered[where.abroad] = apportion(abroad_total, raw_size[where.abroad])
    region_w = np.array([REGION_PROFILE[r.kato][0] for r in regs], dtype=float)
    domestic = ~where.abroad
    present = np.array([np.any(domestic & (where.region_of == i)) for i in range(len(regs))])
    by_region = apportion(_scaled(ANNEX_I["registered"], f) - abroad_total, region_w * present)
    for i in range(len(regs)):
        mask = domestic & (where.region_of == i)
        if mask.any():
            registered[mask] = apportion(int(by_region[i]), raw_size[mask])
    return registered


def _voters(
    where: Stations,
    regs: list[Region],
    registered: np.ndarray,
    f: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Voters who received ballots: the report's city turnouts fixed, the other regions scaled
    to the national total; within a region rural and special PECs turn out more."""
    region_reg = np.bincount(where.region_of, weights=registered, minlength=len(regs))
    turnout_w = np.array([REGION_PROFILE[r.kato][1] for r in regs])
    fixed = np.array([r.kato in FIXED_TURNOUT for r in regs])
    region_voters = np.zeros(len(regs), dtype=np.int64)
    for i, r in enumerate(regs):
        if fixed[i]:
            region_voters[i] = round(float(region_reg[i]) * FIXED_TURNOUT[r.kato])
    free = ~fixed
    rest = _scaled(ANNEX_I["voters"], f) - int(region_voters.sum())
    k = _solve_turnout_scale(region_reg[free], turnout_w[free], rest, 0.93)
    region_voters[free] = apportion(
        rest,
        region_reg[free] * np.minimum(k * turnout_w[free], 0.93),
        np.floor(region_reg[free] * 0.95).astype(np.int64),
    )
    factor = np.where(where.urban, 0.93, 1.08)
    factor = np.where(where.special, 1.2, factor)
    factor = np.where(where.abroad, 0.8, factor)
    pec_turnout = (factor * rng.lognormal(0.0, 0.08, where.n)).clip(0.05, 3.0)
    voters = np.zeros(where.n, dtype=np.int64)
    room = np.maximum(np.floor(registered * 0.995).astype(np.int64), np.minimum(registered, 1))
    for i in range(len(regs)):
        mask = where.region_of == i
        if mask.any():
            voters[mask] = apportion(
                int(region_voters[i]), registered[mask] * pec_turnout[mask], room[mask]
            )
    return voters


def _issued_and_counted(
    where: Stations,
    registered: np.ndarray,
    voters: np.ndarray,
    f: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Every protocol line but the votes: how ballots were issued (mobile, AVC, added on the
    day), received, spoiled, cancelled and found, and how many of them were valid."""
    n = where.n
    mobile_w = np.where(where.urban, 0.007, 0.035) * np.where(where.special, 3.0, 1.0)
    mobile_w = np.where(where.abroad, 0.0, mobile_w) * rng.lognormal(0.0, 0.5, n)
    mobile = apportion(_scaled(ANNEX_I["mobile"], f), voters * mobile_w, voters // 3)
    station = voters - mobile
    avc_w = np.where(where.urban, 1.5, 0.4) * np.where(where.abroad, 4.0, 1.0)
    avc_w = np.where(where.special, 0.3, avc_w) * rng.lognormal(0.0, 0.6, n)
    avc = apportion(_scaled(ANNEX_I["avc"], f), station * avc_w, station)
    may_add = np.flatnonzero(where.regular & (station > 0))
    n_adding = min(len(may_add), max(1, _scaled(PECS_WITH_ADDITION, f)))
    adding = np.sort(rng.choice(may_add, size=n_adding, replace=False))
    added = np.zeros(n, dtype=np.int64)
    added[adding] = apportion(
        _scaled(ADDED_ON_ELECTION_DAY, f), rng.lognormal(0.0, 0.8, n_adding), station[adding]
    )
    received = registered + np.ceil(registered * rng.uniform(0.0, 0.03, n)).astype(np.int64) + 10
    spoiled = np.minimum(rng.poisson(0.8, n), received - voters)
    taken_away = np.where(rng.random(n) < 0.08, rng.integers(1, 3, n), 0)
    found = np.maximum(voters - taken_away, 0)
    validity = rng.normal(0.957, 0.02, n).clip(0.85, 0.995)
    valid = apportion(_scaled(ANNEX_I["valid"], f), found * validity, found)
    return {
        "voters_on_list": registered - added,
        "voters_added": added,
        "voters_avc": avc,
        "ballots_received": received,
        "ballots_issued_station": station,
        "ballots_issued_mobile": mobile,
        "ballots_cancelled": received - voters - spoiled,
        "ballots_spoiled": spoiled,
        "ballots_found": found,
        "invalid": found - valid,
        "valid": valid,
    }


def _votes(
    where: Stations, n_regions: int, valid: np.ndarray, f: float, rng: np.random.Generator
) -> np.ndarray:
    """The PEC x contestant table: each row sums to the PEC's valid votes, each column to
    Annex I. Regional and per-PEC variation; Tokayev stronger in rural and special PECs,
    "against all" in towns."""
    col_totals = np.array([_scaled(ANNEX_I_VOTES[c], f) for c in VOTE_COLUMNS], dtype=np.int64)
    col_totals[-1] = int(valid.sum()) - int(col_totals[:-1].sum())
    national_share = col_totals / col_totals.sum()
    region_effect = rng.lognormal(0.0, 0.25, (n_regions, len(VOTE_COLUMNS)))
    seed_shares = (
        national_share[None, :]
        * region_effect[where.region_of]
        * rng.lognormal(0.0, 0.35, (where.n, len(VOTE_COLUMNS)))
    )
    tokayev_tilt = np.where(where.urban, 0.95, 1.06) * np.where(where.special, 1.1, 1.0)
    seed_shares[:, -1] *= tokayev_tilt * rng.lognormal(0.0, 0.05, where.n)
    seed_shares[:, -2] *= np.where(where.urban, 1.6, 0.8)
    expected = fit_margins(
        seed_shares / seed_shares.sum(axis=1, keepdims=True) * valid[:, None], valid, col_totals
    )
    return integer_table(expected, valid, col_totals)
