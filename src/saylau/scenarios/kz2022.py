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
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from saylau.administration.service import MemberSpec, UnitSpec
from saylau.results.service import ProtocolInput
from saylau.scenarios import names
from saylau.scenarios.allocation import apportion, fit_margins, integer_table
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
MISSIONS = 53
MIN_STATIONS = 10  # fewer cannot hold the regions' turnout within their registered voters
MEMBERS = 70_946
CEC_MEMBERS, CEC_WOMEN, TEC_MEMBERS = 7, 2, 7
PEC_MEMBERS_MIN, PEC_MEMBERS_MAX = 5, 11
ADDED_ON_ELECTION_DAY = 2_267  # footnote 42
PECS_WITH_ADDITION = 4_053 + 181  # footnote 41
ABROAD_REGISTERED = 12_527  # footnote 36
FIXED_TURNOUT = {"750000000": 0.287, "710000000": 0.487}  # Almaty city, Astana (section XIV)
# Shares of women by role (section V: 34.3/41.3/72.8% of TEC chairs/deputies/secretaries;
# section XIII: 63% of PEC chairpersons observed; 67.7% of TEC and PEC members overall).
WOMEN_SHARE = {
    "tec": {"chair": 0.343, "deputy_chair": 0.413, "secretary": 0.728, "member": 0.68},
    "pec": {"chair": 0.63, "deputy_chair": 0.62, "secretary": 0.85, "member": 0.665},
}

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
ABROAD_MISSIONS = [
    "Moscow, Russia",
    "Saint Petersburg, Russia",
    "Kazan, Russia",
    "Novosibirsk, Russia",
    "Omsk, Russia",
    "Astrakhan, Russia",
    "Yekaterinburg, Russia",
    "Minsk, Belarus",
    "Kyiv, Ukraine",
    "Tashkent, Uzbekistan",
    "Bishkek, Kyrgyzstan",
    "Dushanbe, Tajikistan",
    "Ashgabat, Turkmenistan",
    "Baku, Azerbaijan",
    "Tbilisi, Georgia",
    "Yerevan, Armenia",
    "Chisinau, Moldova",
    "Beijing, China",
    "Shanghai, China",
    "Urumqi, China",
    "Hong Kong, China",
    "Tokyo, Japan",
    "Seoul, Republic of Korea",
    "New Delhi, India",
    "Islamabad, Pakistan",
    "Tehran, Iran",
    "Ankara, Türkiye",
    "Istanbul, Türkiye",
    "Abu Dhabi, UAE",
    "Dubai, UAE",
    "Riyadh, Saudi Arabia",
    "Jeddah, Saudi Arabia",
    "Doha, Qatar",
    "Kuwait City, Kuwait",
    "Cairo, Egypt",
    "Berlin, Germany",
    "Frankfurt, Germany",
    "Paris, France",
    "London, United Kingdom",
    "Rome, Italy",
    "Madrid, Spain",
    "Vienna, Austria",
    "Warsaw, Poland",
    "Prague, Czech Republic",
    "Budapest, Hungary",
    "Brussels, Belgium",
    "The Hague, Netherlands",
    "Stockholm, Sweden",
    "Helsinki, Finland",
    "Washington, United States",
    "New York, United States",
    "Ottawa, Canada",
    "Kuala Lumpur, Malaysia",
]
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
    targets: dict[str, int] = field(default_factory=dict)

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
    regs: list[Region] = regions()
    dists: list[District] = districts()
    region_index = {r.kato: i for i, r in enumerate(regs)}

    # --- how many PECs of each kind ---------------------------------------------------------
    n_special = max(1, _scaled(STATIONS["special"], f))
    n_abroad = max(1, _scaled(STATIONS["abroad"], f))
    n_regular = n - n_special - n_abroad

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

    # --- the PECs, in code order: by region, then district ------------------------------------
    pec_region: list[int] = []
    pec_district: list[int] = []
    pec_type: list[str] = []
    for i, _region in enumerate(regs):
        members_of = np.flatnonzero(district_region == i)
        for d in members_of:
            pec_region += [i] * int(regular_per_district[d])
            pec_district += [int(d)] * int(regular_per_district[d])
            pec_type += ["regular"] * int(regular_per_district[d])
        if special_per_region[i]:
            weights = district_reg[members_of] / district_reg[members_of].sum()
            chosen = rng.choice(members_of, size=int(special_per_region[i]), p=weights)
            for d in sorted(chosen.tolist()):
                pec_region.append(i)
                pec_district.append(int(d))
                pec_type.append("special")
    astana = region_index["710000000"]
    pec_region += [astana] * n_abroad
    pec_district += [-1] * n_abroad
    pec_type += ["abroad"] * n_abroad
    region_of = np.array(pec_region)
    district_of = np.array(pec_district)
    kind = np.array(pec_type)
    is_regular, is_special, is_abroad = kind == "regular", kind == "special", kind == "abroad"
    urban = np.where(district_of >= 0, urban_district[np.maximum(district_of, 0)], True) | (
        is_regular & (rng.random(n) < 0.2)
    )
    urban = np.where(is_special, rng.random(n) < 0.5, urban)

    # --- registered voters ----------------------------------------------------------------------
    raw_size = np.where(
        urban,
        rng.lognormal(np.log(1_900), 0.35, n),
        rng.lognormal(np.log(600), 0.8, n),
    ).clip(40, 3_200)
    raw_size = np.where(is_special, rng.lognormal(np.log(180), 0.7, n).clip(10, 1_500), raw_size)
    raw_size = np.where(is_abroad, rng.lognormal(np.log(180), 0.6, n).clip(20, 900), raw_size)
    registered_total = _scaled(ANNEX_I["registered"], f)
    abroad_total = _scaled(ABROAD_REGISTERED, f)
    registered = np.zeros(n, dtype=np.int64)
    registered[is_abroad] = apportion(abroad_total, raw_size[is_abroad])
    present = np.array([np.any(~is_abroad & (region_of == i)) for i in range(len(regs))])
    domestic_by_region = apportion(registered_total - abroad_total, region_w * present)
    for i in range(len(regs)):
        mask = ~is_abroad & (region_of == i)
        if mask.any():
            registered[mask] = apportion(int(domestic_by_region[i]), raw_size[mask])

    # --- turnout: voters who received ballots ----------------------------------------------------
    voters_total = _scaled(ANNEX_I["voters"], f)
    region_reg = np.bincount(region_of, weights=registered, minlength=len(regs)).astype(np.int64)
    turnout_w = np.array([REGION_PROFILE[r.kato][1] for r in regs])
    fixed = np.array([r.kato in FIXED_TURNOUT for r in regs])
    region_voters = np.zeros(len(regs), dtype=np.int64)
    for i, r in enumerate(regs):
        if fixed[i]:
            region_voters[i] = round(float(region_reg[i]) * FIXED_TURNOUT[r.kato])
    free = ~fixed
    rest = voters_total - int(region_voters.sum())
    k = _solve_turnout_scale(region_reg[free], turnout_w[free], rest, 0.93)
    region_voters[free] = apportion(
        rest,
        region_reg[free] * np.minimum(k * turnout_w[free], 0.93),
        np.floor(region_reg[free] * 0.95).astype(np.int64),
    )
    station_factor = np.where(urban, 0.93, 1.08)
    station_factor = np.where(is_special, 1.2, station_factor)
    station_factor = np.where(is_abroad, 0.8, station_factor)
    pec_turnout = (station_factor * rng.lognormal(0.0, 0.08, n)).clip(0.05, 3.0)
    voters = np.zeros(n, dtype=np.int64)
    room = np.maximum(np.floor(registered * 0.995).astype(np.int64), np.minimum(registered, 1))
    for i in range(len(regs)):
        mask = region_of == i
        if mask.any():
            voters[mask] = apportion(
                int(region_voters[i]), registered[mask] * pec_turnout[mask], room[mask]
            )

    # --- how ballots were issued: mobile, AVC, added on election day -----------------------------
    mobile_w = np.where(urban, 0.007, 0.035) * np.where(is_special, 3.0, 1.0)
    mobile_w = np.where(is_abroad, 0.0, mobile_w) * rng.lognormal(0.0, 0.5, n)
    mobile = apportion(_scaled(ANNEX_I["mobile"], f), voters * mobile_w, voters // 3)
    station = voters - mobile
    avc_w = np.where(urban, 1.5, 0.4) * np.where(is_abroad, 4.0, 1.0)
    avc_w = np.where(is_special, 0.3, avc_w) * rng.lognormal(0.0, 0.6, n)
    avc = apportion(_scaled(ANNEX_I["avc"], f), station * avc_w, station)
    may_add = np.flatnonzero(is_regular & (station > 0))
    n_adding = min(len(may_add), max(1, _scaled(PECS_WITH_ADDITION, f)))
    adding = np.sort(rng.choice(may_add, size=n_adding, replace=False))
    added = np.zeros(n, dtype=np.int64)
    added[adding] = apportion(
        _scaled(ADDED_ON_ELECTION_DAY, f), rng.lognormal(0.0, 0.8, n_adding), station[adding]
    )
    on_list = registered - added

    # --- ballots: received, spoiled, cancelled, found; valid and invalid -------------------------
    received = registered + np.ceil(registered * rng.uniform(0.0, 0.03, n)).astype(np.int64) + 10
    spoiled = np.minimum(rng.poisson(0.8, n), received - voters)
    cancelled = received - voters - spoiled
    taken_away = np.where(rng.random(n) < 0.08, rng.integers(1, 3, n), 0)
    found = np.maximum(voters - taken_away, 0)
    validity = rng.normal(0.957, 0.02, n).clip(0.85, 0.995)
    valid = apportion(_scaled(ANNEX_I["valid"], f), found * validity, found)
    invalid = found - valid

    # --- votes: each row sums to the PEC's valid votes, each column to Annex I -------------------
    col_totals = np.array([_scaled(ANNEX_I_VOTES[c], f) for c in VOTE_COLUMNS], dtype=np.int64)
    col_totals[-1] = int(valid.sum()) - int(col_totals[:-1].sum())
    national_share = col_totals / col_totals.sum()
    region_effect = rng.lognormal(0.0, 0.25, (len(regs), len(VOTE_COLUMNS)))
    seed_shares = (
        national_share[None, :]
        * region_effect[region_of]
        * rng.lognormal(0.0, 0.35, (n, len(VOTE_COLUMNS)))
    )
    tokayev_tilt = np.where(urban, 0.95, 1.06) * np.where(is_special, 1.1, 1.0)
    seed_shares[:, -1] *= tokayev_tilt * rng.lognormal(0.0, 0.05, n)
    seed_shares[:, -2] *= np.where(urban, 1.6, 0.8)
    expected = fit_margins(
        seed_shares / seed_shares.sum(axis=1, keepdims=True) * valid[:, None], valid, col_totals
    )
    votes = integer_table(expected, valid, col_totals)

    lines: dict[str, np.ndarray] = {
        "voters_on_list": on_list,
        "voters_added": added,
        "voters_avc": avc,
        "ballots_received": received,
        "ballots_issued_station": station,
        "ballots_issued_mobile": mobile,
        "ballots_cancelled": cancelled,
        "ballots_spoiled": spoiled,
        "ballots_found": found,
        "invalid": invalid,
        "valid": valid,
    }
    for j, column in enumerate(VOTE_COLUMNS):
        lines[column] = votes[:, j]

    units, pec_codes = _units(regs, dists, region_of, district_of, kind, urban, n_abroad, rng)
    members = _members(units, registered, _scaled(MEMBERS, f), rng) if with_members else []
    default_code = "kz-2022" if stations is None else f"kz-2022-scaled-{n}"
    return Scenario(
        code=code or default_code,
        name="Early presidential election 2022 (reference scenario)"
        if stations is None
        else f"Early presidential election 2022, scaled to {n:,} PECs",
        seed=seed,
        stations=n,
        units=units,
        members=members,
        pec_codes=pec_codes,
        lines=lines,
        targets={
            "registered": registered_total,
            "voters": voters_total,
            **{c: int(t) for c, t in zip(VOTE_COLUMNS, col_totals, strict=True)},
        },
    )


def _units(
    regs: list[Region],
    dists: list[District],
    region_of: np.ndarray,
    district_of: np.ndarray,
    kind: np.ndarray,
    urban: np.ndarray,
    n_abroad: int,
    rng: np.random.Generator,
) -> tuple[list[UnitSpec], list[str]]:
    units = [
        UnitSpec(
            "KZ",
            "cec",
            0,
            "national",
            None,
            "Kazakhstan",
            "Республика Казахстан",
            "Қазақстан Республикасы",
        )
    ]
    for r in regs:
        subtype = "city" if r.kind == "city" else "oblast"
        units.append(
            UnitSpec(
                r.iso,
                "tec",
                1,
                subtype,
                "KZ",
                r.name_en,
                r.name_ru,
                r.name_kk,
                kato=r.kato,
                urban=r.kind == "city",
            )
        )
    iso_of = {r.kato: r.iso for r in regs}
    for d in dists:
        units.append(
            UnitSpec(
                d.kato,
                "tec",
                2,
                "district",
                iso_of[d.region],
                d.name_en,
                d.name_ru,
                d.name_kk,
                kato=d.kato,
                urban=d.kind != "district",
            )
        )
    pec_codes: list[str] = []
    numbers: dict[int, int] = {}
    missions = min(MISSIONS, n_abroad)
    mission_of = np.repeat(np.arange(missions), apportion(n_abroad, np.ones(missions)))
    abroad_seen = 0
    for i in range(len(region_of)):
        region = regs[int(region_of[i])]
        special = kind[i] == "special"
        if kind[i] == "abroad":
            abroad_seen += 1
            place = ABROAD_MISSIONS[int(mission_of[abroad_seen - 1])]
            city, country = place.split(", ")
            code = f"AB-{abroad_seen:04d}"
            units.append(
                UnitSpec(
                    code,
                    "pec",
                    2,
                    "abroad",
                    region.iso,
                    f"PEC No. {code} ({place})",
                    f"УИК № {code} ({place})",
                    f"№ {code} учаскелік комиссия ({place})",
                    settlement=city,
                    address=f"Embassy or consulate of Kazakhstan, {city}, {country}",
                    urban=True,
                )
            )
            pec_codes.append(code)
            continue
        district = dists[int(district_of[i])]
        number = numbers.get(int(region_of[i]), 0) + 1
        numbers[int(region_of[i])] = number
        code = f"{region.iso[3:]}-{number:04d}"
        settlement = (
            (region.name_en if region.kind == "city" else district.short_en)
            if urban[i]
            else names.village(rng)
        )
        units.append(
            UnitSpec(
                code,
                "pec",
                3,
                str(kind[i]),
                district.kato,
                f"PEC No. {number}",
                f"УИК № {number}",
                f"№ {number} учаскелік сайлау комиссиясы",
                settlement=settlement,
                address=names.street_address(rng, settlement, special),
                urban=bool(urban[i]),
            )
        )
        pec_codes.append(code)
    return units, pec_codes


def _members(
    units: list[UnitSpec], registered: np.ndarray, total: int, rng: np.random.Generator
) -> list[MemberSpec]:
    """Commissioners: 7 per CEC and TEC, 5 to 11 per PEC by its size, summing to `total`."""
    pecs = [u for u in units if u.kind == "pec"]
    tecs = [u for u in units if u.kind == "tec"]
    extra = total - CEC_MEMBERS - TEC_MEMBERS * len(tecs) - PEC_MEMBERS_MIN * len(pecs)
    extra = int(np.clip(extra, 0, (PEC_MEMBERS_MAX - PEC_MEMBERS_MIN) * len(pecs)))
    sizes = PEC_MEMBERS_MIN + apportion(
        extra, registered.astype(float), np.full(len(pecs), PEC_MEMBERS_MAX - PEC_MEMBERS_MIN)
    )
    roles_of = ("chair", "deputy_chair", "secretary")
    members: list[MemberSpec] = []
    cec_women = set(rng.choice(CEC_MEMBERS, size=CEC_WOMEN, replace=False).tolist())
    for k in range(CEC_MEMBERS):
        role = roles_of[k] if k < 3 else "member"
        gender = "female" if k in cec_women else "male"
        members.append(MemberSpec("KZ", names.person(rng, gender), role, gender))
    plan = [(u, TEC_MEMBERS, "tec") for u in tecs] + [
        (u, int(s), "pec") for u, s in zip(pecs, sizes, strict=True)
    ]
    for unit, size, level in plan:
        for k in range(size):
            role = roles_of[k] if k < 3 else "member"
            gender = "female" if rng.random() < WOMEN_SHARE[level][role] else "male"
            members.append(MemberSpec(unit.code, names.person(rng, gender), role, gender))
    return members
