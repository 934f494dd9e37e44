"""The commissions of the reference scenario: units with codes, names and addresses, and
their members.

Codes: the CEC is `KZ`; region TECs their ISO 3166-2 code (`KZ-75`); district TECs their KATO
code; PECs `RR-NNNN` (region digits, number within the region) and abroad PECs `AB-NNNN`.
Section V gives the sizes: 7 members per CEC and TEC, 5 to 11 per PEC.
"""

from __future__ import annotations

import numpy as np

from saylau.administration.service import MemberSpec, UnitSpec
from saylau.scenarios import names
from saylau.scenarios.allocation import apportion
from saylau.scenarios.geography import District, Region

MISSIONS = 53
CEC_MEMBERS, CEC_WOMEN, TEC_MEMBERS = 7, 2, 7
PEC_MEMBERS_MIN, PEC_MEMBERS_MAX = 5, 11
# Shares of women by role (section V: 34.3/41.3/72.8% of TEC chairs/deputies/secretaries;
# section XIII: 63% of PEC chairpersons observed; 67.7% of TEC and PEC members overall).
WOMEN_SHARE = {
    "tec": {"chair": 0.343, "deputy_chair": 0.413, "secretary": 0.728, "member": 0.68},
    "pec": {"chair": 0.63, "deputy_chair": 0.62, "secretary": 0.85, "member": 0.665},
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


def commission_units(
    regs: list[Region],
    dists: list[District],
    region_of: np.ndarray,
    district_of: np.ndarray,
    kind: np.ndarray,
    urban: np.ndarray,
    rng: np.random.Generator,
) -> tuple[list[UnitSpec], list[str]]:
    """The CEC, the 20 region TECs, the district TECs and one PEC per station, with codes,
    names in three languages and addresses; returns the units and the PEC codes in order."""
    n_abroad = int((kind == "abroad").sum())
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


def commission_members(
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
