"""Planted duplicates: the same person entered twice in a synthetic register, with the truth.

Duplicate detection can only be measured against known answers, and no public register says
which of its records are one person. So a synthetic extract (`synthetic_register`) gets a chosen
number of second records of real persons, of the kinds a civil registry produces:

- family_typo / given_typo: the name spelled another way: a Kazakh/Russian transliteration
  variant (Zh/J for Cyrillic zhe, Kh/H for kha, Y/I for yery, -yev/-ev, Ye-/E- for ie, doubled
  consonants) or, where no variant applies, a keyboard slip (a letter dropped, doubled or
  swapped);
- swapped_date: day and month swapped (03.11 entered as 11.03);
- moved: a new address in another PEC's area, without the old record removed;
- reissued: a second IIN issued to the same person, everything else alike.

Every duplicate has an IIN of its own (the register is unique on the IIN, so a second record of
one person always carries a second number), well-formed and agreeing with the duplicate's birth
date and sex, so the import accepts it as it would the real thing. Deterministic by seed; the
truth is returned as (original IIN, duplicate IIN, kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from saylau.domain.iin import make_iin

KINDS = ("family_typo", "given_typo", "swapped_date", "moved", "reissued")

VARIANTS: tuple[tuple[str, str], ...] = (
    (r"Dzh", "J"),
    (r"Zh", "J"),
    (r"zh", "j"),
    (r"J", "Zh"),
    (r"Kh", "H"),
    (r"kh", "h"),
    (r"(?<=[a-z])y(?=[a-z])", "i"),
    (r"(?<=[a-z])i(?=[a-z])", "y"),
    (r"yev$", "ev"),
    (r"ayev$", "aev"),
    (r"ev$", "ov"),
    (r"ov$", "ev"),
    (r"^Ye", "E"),
    (r"^E", "Ye"),
    (r"ss", "s"),
    (r"(?<=[aeiou])s(?=[aeiouy])", "ss"),
    (r"iy", "i"),
    (r"ei", "ey"),
    (r"ai", "ay"),
    (r"uy", "u"),
)
"""Transliteration variants of Latin-script Kazakh and Russian names: (pattern, replacement)."""


@dataclass(frozen=True)
class Planted:
    """The register with duplicates appended, and which record duplicates which."""

    columns: dict[str, np.ndarray]
    truth: list[tuple[str, str, str]]
    """(original IIN, duplicate IIN, kind), one per planted duplicate."""

    def pairs(self) -> set[frozenset[str]]:
        """The planted pairs as unordered IIN pairs, as a finder reports them."""
        return {frozenset((a, b)) for a, b, _ in self.truth}


def name_variant(name: str, rng: np.random.Generator) -> str:
    """Another spelling of `name`: a transliteration variant if one applies, else a slip."""
    applicable = [(p, r) for p, r in VARIANTS if re.search(p, name)]
    if applicable:
        pattern, replacement = applicable[int(rng.integers(len(applicable)))]
        return re.sub(pattern, replacement, name, count=1)
    if len(name) < 3:
        return name + name[-1:]
    while True:
        at = int(rng.integers(1, len(name) - 1))
        slip = int(rng.integers(3))
        if slip == 0:  # a letter dropped
            other = name[:at] + name[at + 1 :]
        elif slip == 1:  # a letter doubled
            other = name[: at + 1] + name[at:]
        else:  # two letters swapped
            other = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        if other != name:
            return other


def _new_iin(born: date, sex: str, taken: set[str], rng: np.random.Generator) -> str:
    """An IIN for `born` and `sex` that no one holds yet (a serial not issued so far)."""
    while True:
        number = make_iin(born, sex, int(rng.integers(0, 10_000)))
        if number is not None and number not in taken:
            taken.add(number)
            return number


def _new_address(old: str, rng: np.random.Generator) -> str:
    """Another address of the form the synthetic register uses."""
    while True:
        address = f"street {int(rng.integers(1, 60))}, house {int(rng.integers(1, 200))}"
        if address != old:
            return address


def _swappable(born: np.ndarray, latest: date) -> np.ndarray:
    """Whether day and month can be swapped into another valid date still of voting age."""
    months = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    years = born.astype("datetime64[Y]").astype(np.int64) + 1970
    swapped_ok = (days <= 12) & (days != months)
    # the swapped date must still be of voting age: compare (year, day-as-month, month-as-day)
    late = (years > latest.year) | (
        (years == latest.year) & (days * 100 + months > latest.month * 100 + latest.day)
    )
    return swapped_ok & ~late


def _objects(values: list[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def plant_duplicates(
    columns: dict[str, np.ndarray],
    count: int,
    *,
    election_day: date,
    seed: int,
    minimum_age: int = 18,
    kinds: tuple[str, ...] = KINDS,
) -> Planted:
    """Append `count` duplicates of distinct persons of `columns`, in equal shares of `kinds`.

    election_day and minimum_age keep a swapped birth date of voting age, so the planted
    register passes the import like the original one.
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown duplicate kind(s) {unknown}; known: {KINDS}")
    n = len(columns["iin"])
    if not 0 <= count <= n:
        raise ValueError(f"count {count} must be between 0 and the {n} records")
    rng = np.random.default_rng(seed)
    shares = np.bincount(np.arange(count) % len(kinds), minlength=len(kinds))
    born = np.asarray(columns["birth_date"]).astype("datetime64[D]")
    latest = election_day.replace(year=election_day.year - minimum_age)
    free = np.ones(n, dtype=bool)
    chosen: list[tuple[int, str]] = []
    for kind, share in zip(kinds, shares.tolist(), strict=True):
        eligible = free & _swappable(born, latest) if kind == "swapped_date" else free
        candidates = np.flatnonzero(eligible)
        if share > len(candidates):
            raise ValueError(f"only {len(candidates)} records can take a {kind} duplicate")
        picked = rng.choice(candidates, share, replace=False)
        free[picked] = False
        chosen.extend((int(i), kind) for i in np.sort(picked))
    taken = set(np.asarray(columns["iin"]).tolist())
    pecs = np.unique(np.asarray(columns["pec"]))
    added: dict[str, list[object]] = {name: [] for name in columns}
    truth = []
    for row, kind in chosen:
        record = {name: columns[name][row] for name in columns}
        when = date.fromisoformat(str(record["birth_date"]))
        if kind == "family_typo":
            record["family_name"] = name_variant(str(record["family_name"]), rng)
        elif kind == "given_typo":
            record["given_names"] = name_variant(str(record["given_names"]), rng)
        elif kind == "swapped_date":
            when = date(when.year, when.day, when.month)
            record["birth_date"] = when.isoformat()
        elif kind == "moved":
            others = pecs[pecs != record["pec"]]
            record["pec"] = others[int(rng.integers(len(others)))] if len(others) else record["pec"]
            record["address"] = _new_address(str(record["address"]), rng)
        record["iin"] = _new_iin(when, str(record["sex"]), taken, rng)
        truth.append((str(columns["iin"][row]), str(record["iin"]), kind))
        for name in columns:
            added[name].append(record[name])
    merged = {
        name: np.concatenate([np.asarray(columns[name], dtype=object), _objects(added[name])])
        for name in columns
    }
    return Planted(merged, truth)
