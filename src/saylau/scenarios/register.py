"""A synthetic civil-registry extract for the reference election, at any scale.

The CEC published 11,953,465 voters but no register, so the reference register is made up: each
PEC gets as many people as its protocol's registered voters (times `scale`), of voting age on
election day, with a well-formed IIN that agrees with their birth date and sex, a name and an
address in the PEC's area. Vectorised NumPy throughout: the full 12 million rows are drawn in
seconds and written as CSV by DuckDB, so the import benchmark measures the import, not this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from saylau.domain.iin import NOT_ISSUED, check_digits

FAMILY = np.array(
    [
        "Akhmetov",
        "Omarov",
        "Nurlanov",
        "Serikbayev",
        "Zhaksylykov",
        "Abenov",
        "Dzhaksybekov",
        "Ivanov",
        "Kim",
        "Tokhtarov",
        "Suleimenov",
        "Bekov",
        "Karimov",
        "Sadykov",
        "Yesenov",
        "Mukhametov",
        "Temirov",
        "Kassymov",
        "Baimukhanov",
        "Petrov",
        "Zhumabayev",
        "Ismailov",
        "Smagulov",
        "Tulegenov",
        "Alibekov",
        "Rakhimov",
        "Utegenov",
        "Sarsenov",
        "Bekmukhambetov",
        "Yermekov",
    ]
)
GIVEN = np.array(
    [
        "Aigerim",
        "Dana",
        "Aruzhan",
        "Madina",
        "Gulnara",
        "Saule",
        "Ainur",
        "Zhanar",
        "Dinara",
        "Asel",
        "Nurlan",
        "Serik",
        "Yerlan",
        "Daniyar",
        "Arman",
        "Askar",
        "Bauyrzhan",
        "Marat",
        "Timur",
        "Yerzhan",
        "Alibek",
        "Ruslan",
        "Kairat",
        "Dauren",
        "Olzhas",
        "Aliya",
        "Zarina",
        "Kamila",
        "Aidos",
        "Nursultan",
    ]
)
MIN_AGE_DAYS = 18 * 366
MAX_AGE_DAYS = 90 * 365


def _groups_rank(keys: np.ndarray) -> np.ndarray:
    """0, 1, 2... within each run of equal keys (keys sorted or not)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys)) - run_start
    return rank


def iin_digits(born: np.ndarray, female: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """(n, 12) IIN digits; serials whose number cannot be issued move up until one can."""
    years = born.astype("datetime64[Y]").astype(np.int64) + 1970
    months = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    century = np.select([years < 1900, years < 2000], [1, 3], 5) + female.astype(np.int64)
    serial = serial.copy()
    digits = np.zeros((len(born), 12), dtype=np.int64)
    for k, value in enumerate((years % 100 // 10, years % 10, months // 10, months % 10,
                               days // 10, days % 10, century)):  # fmt: skip
        digits[:, k] = value
    pending = np.ones(len(born), dtype=bool)
    while pending.any():
        for k in range(4):
            digits[pending, 7 + k] = serial[pending] // 10 ** (3 - k) % 10
        check = check_digits(digits[pending, :11])
        digits[np.flatnonzero(pending), 11] = np.maximum(check, 0)
        stuck = np.flatnonzero(pending)[check == NOT_ISSUED]
        serial[stuck] += 5000  # a block no first-pass serial reaches: still unique
        pending[:] = False
        pending[stuck] = True
    return digits


def synthetic_register(
    pec_codes: Sequence[str],
    list_sizes: np.ndarray,
    election_day: date,
    *,
    scale: float,
    seed: int,
) -> dict[str, np.ndarray]:
    """Columns of the extract (as `saylau register import` reads it), one row per person."""
    counts = np.rint(np.asarray(list_sizes) * scale).astype(np.int64)
    n = int(counts.sum())
    rng = np.random.default_rng(seed)
    day = np.datetime64(election_day.isoformat(), "D")
    born = day - rng.integers(MIN_AGE_DAYS, MAX_AGE_DAYS, n).astype("timedelta64[D]")
    female = rng.random(n) < 0.53
    key = born.astype(np.int64) * 2 + female
    digits = iin_digits(born, female, _groups_rank(key))
    iin = (digits.astype(np.uint8) + ord("0")).view("S12").ravel().astype("U12")
    pec_index = np.repeat(np.arange(len(pec_codes)), counts)
    street = rng.integers(1, 60, n)
    house = rng.integers(1, 200, n)
    codes = np.asarray(pec_codes, dtype=object)
    return {
        "iin": iin.astype(object),
        "family_name": FAMILY[rng.integers(0, len(FAMILY), n)].astype(object),
        "given_names": GIVEN[rng.integers(0, len(GIVEN), n)].astype(object),
        "birth_date": born.astype("datetime64[D]").astype(str).astype(object),
        "sex": np.where(female, "female", "male").astype(object),
        "address": np.char.add(
            np.char.add(np.char.add("street ", street.astype(str)), ", house "), house.astype(str)
        ).astype(object),
        "pec": codes[pec_index],
    }


def write_extract(columns: dict[str, np.ndarray], path: Path) -> int:
    """Write the extract as CSV (UTF-8, header) with DuckDB; returns the rows written."""
    connection = duckdb.connect()
    try:
        connection.register("extract", columns)
        literal = str(path).replace("'", "''")
        connection.execute(f"COPY (SELECT * FROM extract) TO '{literal}' (HEADER, DELIMITER ',')")
        return len(columns["iin"])
    finally:
        connection.close()
