"""Kazakhstan's territorial commissions in November 2022, from the kz-admin unit list.

The shipped list (geokz, CC BY 4.0; see data/SOURCE.md) is a 2024 snapshot with 224 second-level
units. Six of them did not exist as separate districts in November 2022 and are folded back into
their parents, and Sauran district (created 2021, missing from geokz) is added: that gives the
report's 219 district-level TECs (section V, footnote 23).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

# Units created after November 2022 (kz-admin SOURCE.md, "Known gaps").
NEWER_THAN_2022 = {
    "191800000": "Alatau city, Almaty region (formed 2024 from Ile, Talgar and others)",
    "111600000": "Kosshy city, Akmola region (formerly part of Tselinograd district)",
    "101010000": "Zhanasemey district, Abay region (created after the 4 May 2022 decree)",
    "104500000": "Makanshy district, Abay region (created after the 4 May 2022 decree)",
    "635600000": "Samar district, East Kazakhstan (created after the 4 May 2022 decree)",
    "711510000": "Nura district of Astana (a newer urban district)",
}

# Sauran district, Turkistan region (created March 2021), absent from geokz. Its KATO code is not
# in the source; 616200000 is a free code in the region's range, marked synthetic.
SAURAN = ("616200000", "610000000", "district", "Сауран", "Сауранский", "Sauran")

# The report's spelling of the level-1 English names where geokz spells them otherwise.
REPORT_SPELLING = {
    "310000000": "Jambyl",
    "330000000": "Jetisu",
    "350000000": "Karaganda",
    "610000000": "Turkistan",
    "190000000": "Almaty Region",
}
CITY_CODES = {"710000000": "Astana", "750000000": "Almaty", "790000000": "Shymkent"}


@dataclass(frozen=True)
class Region:
    kato: str
    iso: str
    kind: str  # region | city
    name_en: str
    name_ru: str
    name_kk: str


@dataclass(frozen=True)
class District:
    kato: str
    region: str  # parent KATO
    kind: str  # district | city | city_district
    name_en: str
    name_ru: str
    name_kk: str
    short_en: str  # the bare name, e.g. for a settlement


def _rows() -> list[dict[str, str]]:
    text = (
        resources.files("saylau.scenarios")
        .joinpath("data/kz-admin-units.csv")
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


def regions() -> list[Region]:
    """The 17 oblasts and 3 cities of republican significance, with display names."""
    out: list[Region] = []
    for row in _rows():
        if row["level"] != "1":
            continue
        kato = row["code"]
        if row["type"] == "city":
            name_en = CITY_CODES[kato]
            name_ru = row["name_ru"]
            name_kk = row["name_kk"].replace(" (қала)", "")
        else:
            base = REPORT_SPELLING.get(kato, row["name_en"])
            name_en = base if base.endswith("Region") else f"{base} Region"
            name_ru = f"{row['name_ru']} область"
            name_kk = f"{row['name_kk']} облысы"
        out.append(Region(kato, row["iso_3166_2"], row["type"], name_en, name_ru, name_kk))
    return out


def _district_names(kind: str, en: str, ru: str, kk: str, parent: str) -> tuple[str, str, str]:
    if kind == "city":
        return f"{en} City", f"город {ru}", f"{kk} қаласы"
    if kind == "city_district":
        city = CITY_CODES[parent]
        return f"{en} District ({city})", f"{ru} район ({city})", f"{kk} ауданы ({city})"
    return f"{en} District", f"{ru} район", f"{kk} ауданы"


def districts() -> list[District]:
    """The 219 district-level TECs of 2022 (districts, regional cities, urban districts)."""
    rows = [r for r in _rows() if r["level"] == "2" and r["code"] not in NEWER_THAN_2022]
    rows.append(
        dict(
            zip(
                ("code", "parent_code", "type", "name_kk", "name_ru", "name_en"),
                SAURAN,
                strict=True,
            )
        )
    )
    out = []
    for row in rows:
        en, ru, kk = _district_names(
            row["type"], row["name_en"], row["name_ru"], row["name_kk"], row["parent_code"]
        )
        out.append(
            District(row["code"], row["parent_code"], row["type"], en, ru, kk, row["name_en"])
        )
    return sorted(out, key=lambda d: d.kato)
