"""The YAML mapping that says which column of a results file holds which figure.

Commissions publish per-station results in layouts of their own (Georgia's CEC scrape, a
Russian-style PEC protocol table, a Kazakh CSV), so the importer never guesses: a mapping names
the station code, the units, the protocol lines and the contestants' columns, and which figures
the source may leave blank. A mistake in the mapping is reported with the key that holds it,
before any row is read. Pure: text in, a frozen `StationMapping` out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import yaml

from saylau.domain.errors import Rejected

# An imported election's name doubles as its code in URLs and commands, like an election code.
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
ATTRIBUTE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

COUNT_KEYS = ("registered", "voters", "valid", "invalid", "found")
"""Protocol lines a mapping may name, in the order they are checked and reported."""

TEXT_KEYS = ("station", "district", "district_name")
MISSABLE = ("district", "district_name", "region", "registered", "voters", "invalid", "found")
"""Keys whose value a source may leave empty (when listed under allow_missing). The station code,
valid votes and the contestants' votes never may: without them a row says nothing."""

KEYS = (
    "name",
    "title",
    "source",
    *TEXT_KEYS,
    "region",
    *COUNT_KEYS,
    "allow_missing",
    "contestants",
    "attributes",
    "delimiter",
)
REQUIRED = ("name", "title", "source", "station", "registered", "voters", "contestants")

COUNT_LABELS = {
    "registered": "registered voters",
    "voters": "voters",
    "valid": "valid",
    "invalid": "invalid",
    "found": "ballots found",
}


class MappingError(Rejected):
    """A mapping that is malformed, names an unknown key, or contradicts itself."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"mapping key {key}: {problem}")


@dataclass(frozen=True)
class Contestant:
    """A line of the result: the file's column of its votes and the name reported for it."""

    column: str
    name: str


@dataclass(frozen=True)
class RegionRule:
    """Where a station's region comes from.

    column: the file's column read. values: when set, a lookup from that column's value (a
    district code, say) to the region's name; a value missing from it rejects the row, since a
    station silently put in no region would drop out of every regional comparison.
    key: the mapping key that named the column, for messages ("region" or "region.from").
    """

    column: str
    values: Mapping[str, str] | None = None
    key: str = "region"


@dataclass(frozen=True)
class StationMapping:
    """A validated mapping: every field a column name of the file unless said otherwise.

    name, title, source: the imported election's default name, its title and where the data
    comes from (kept with it). station: the unique station code. district, district_name,
    region: the units a station belongs to (optional). registered, voters: voters on the list
    and voters who received a ballot (turnout's numerator). valid: valid votes; when absent,
    the sum of the contestants' votes. invalid, found: invalid ballots and ballots found in the
    boxes (optional). Each protocol line is a tuple of columns whose sum it is: one column
    usually, several where the protocol splits a line (ballots issued in the station, early and
    for mobile voting, in a Russian PEC protocol, whose sum is the voters). allow_missing: keys
    whose value may be empty in the file; such a value is stored as missing, never as 0 (a line
    of several columns is missing when any of them is). contestants: in the order reported.
    attributes: (name, column) pairs kept per station as strings. delimiter: the CSV field
    separator.
    """

    name: str
    title: str
    source: str
    station: str
    registered: tuple[str, ...]
    voters: tuple[str, ...]
    contestants: tuple[Contestant, ...]
    district: str | None = None
    district_name: str | None = None
    region: RegionRule | None = None
    valid: tuple[str, ...] | None = None
    invalid: tuple[str, ...] | None = None
    found: tuple[str, ...] | None = None
    allow_missing: frozenset[str] = frozenset()
    attributes: tuple[tuple[str, str], ...] = ()
    delimiter: str = ","

    def counts(self) -> list[tuple[str, tuple[str, ...]]]:
        """(key, columns) of each protocol line the mapping names, in COUNT_KEYS order."""
        return [(k, c) for k in COUNT_KEYS if (c := getattr(self, k)) is not None]

    def columns(self) -> list[tuple[str, str]]:
        """(mapping key, column) of every column the file must have, in the mapping's order."""
        named: list[tuple[str, str]] = [
            (k, c) for k in TEXT_KEYS if (c := getattr(self, k)) is not None
        ]
        if self.region is not None:
            named.append((self.region.key, self.region.column))
        for key, parts in self.counts():
            if len(parts) == 1:
                named.append((key, parts[0]))
            else:
                named += [(f"{key}[{i}]", column) for i, column in enumerate(parts, 1)]
        named += [(f"contestants[{i}].column", c.column) for i, c in enumerate(self.contestants, 1)]
        named += [(f"attributes.{name}", column) for name, column in self.attributes]
        return named


def parse_mapping(text: str) -> StationMapping:
    """Parse and validate mapping YAML; raises `MappingError` naming the offending key."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError("(document)", f"is not valid YAML: {exc}") from exc
    return mapping_from_dict(raw)


def mapping_from_dict(raw: Any) -> StationMapping:
    """Validate an already parsed mapping document."""
    if not isinstance(raw, dict):
        raise MappingError("(document)", "must be a YAML mapping of keys such as station, voters")
    for key in raw:
        if key not in KEYS:
            raise MappingError(str(key), f"is not a mapping key; the keys are: {', '.join(KEYS)}")
    for key in REQUIRED:
        if raw.get(key) is None:
            raise MappingError(key, "is required")
    name = _string(raw, "name")
    if not NAME_PATTERN.match(name):
        raise MappingError(
            "name", f"{name!r} must be lower-case letters, digits, '.', '_' or '-' (at most 64)"
        )
    columns = {k: _optional_string(raw, k) for k in TEXT_KEYS}
    counts = {k: _count_columns(raw.get(k), k) for k in COUNT_KEYS}
    delimiter = _optional_string(raw, "delimiter") or ","
    if len(delimiter) != 1:
        raise MappingError("delimiter", f"{delimiter!r} must be a single character")
    region = _region(raw.get("region"), columns)
    mapped = {k for k, v in (*columns.items(), *counts.items()) if v is not None}
    if region is not None:
        mapped.add("region")
    allow_missing = _allow_missing(raw.get("allow_missing"), mapped)
    return StationMapping(
        name=name,
        title=_string(raw, "title"),
        source=_string(raw, "source"),
        station=_string(raw, "station"),
        registered=_required(counts["registered"]),
        voters=_required(counts["voters"]),
        contestants=_contestants(raw["contestants"]),
        district=columns["district"],
        district_name=columns["district_name"],
        region=region,
        valid=counts["valid"],
        invalid=counts["invalid"],
        found=counts["found"],
        allow_missing=allow_missing,
        attributes=_attributes(raw.get("attributes")),
        delimiter=delimiter,
    )


def _string(raw: Mapping[str, Any], key: str, label: str | None = None) -> str:
    value = raw.get(key)
    label = label or key
    if isinstance(value, bool) or not isinstance(value, str):
        shown = "empty" if value is None else f"{value!r}, a {type(value).__name__}"
        raise MappingError(
            label, f"must be a text (a column name or a label), not {shown}; quote it in YAML"
        )
    if not value.strip():
        raise MappingError(label, "must not be empty")
    return value


def _optional_string(raw: Mapping[str, Any], key: str) -> str | None:
    return None if raw.get(key) is None else _string(raw, key)


def _required(columns: tuple[str, ...] | None) -> tuple[str, ...]:
    assert columns is not None  # REQUIRED was checked first
    return columns


def _count_columns(value: Any, key: str) -> tuple[str, ...] | None:
    """A protocol line: one column, or a list of columns whose sum it is."""
    if value is None:
        return None
    if not isinstance(value, list):
        return (_string({key: value}, key),)
    if not value:
        raise MappingError(key, "must be a column or a non-empty list of columns to add up")
    parts = tuple(_string({key: v}, key, f"{key}[{i}]") for i, v in enumerate(value, 1))
    if len(set(parts)) != len(parts):
        raise MappingError(key, "lists a column twice")
    return parts


def _region(value: Any, columns: Mapping[str, str | None]) -> RegionRule | None:
    """`region: COLUMN`, or `region: {from: KEY_OR_COLUMN, values: {CODE: REGION, ...}}`."""
    if value is None:
        return None
    if isinstance(value, str):
        return RegionRule(_string({"region": value}, "region"))
    if not isinstance(value, dict):
        raise MappingError("region", "must be a column name or {from: ..., values: {...}}")
    for key in value:
        if key not in ("from", "values"):
            raise MappingError(f"region.{key}", "is not a key of region; use from and values")
    source = _string(value, "from", "region.from")
    # `from` may name another mapping key (district) so the column is written once.
    column = columns.get(source) if source in TEXT_KEYS else source
    if column is None:
        raise MappingError("region.from", f"names the key {source}, which the mapping leaves out")
    values = value.get("values")
    if not isinstance(values, dict) or not values:
        raise MappingError("region.values", "must map each code to its region's name")
    lookup: dict[str, str] = {}
    for code in values:
        if not isinstance(code, str):
            raise MappingError(
                f"region.values.{code}",
                'codes must be texts: quote them ("01") so leading zeros are kept',
            )
        lookup[code] = _string(values, code, f"region.values.{code}")
    return RegionRule(column, MappingProxyType(lookup), "region.from")


def _allow_missing(value: Any, mapped: set[str]) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise MappingError("allow_missing", "must be a list of keys, e.g. [voters, invalid]")
    for key in value:
        if key not in MISSABLE:
            raise MappingError(
                "allow_missing",
                f"{key!r} may not be missing; only these may: {', '.join(MISSABLE)}",
            )
        if key not in mapped:
            raise MappingError("allow_missing", f"lists {key}, which the mapping does not map")
    return frozenset(value)


def _contestants(value: Any) -> tuple[Contestant, ...]:
    if not isinstance(value, list) or not value:
        raise MappingError("contestants", "must be a list of {column: ..., name: ...}")
    found: list[Contestant] = []
    names: set[str] = set()
    columns: set[str] = set()
    for number, item in enumerate(value, 1):
        key = f"contestants[{number}]"
        if not isinstance(item, dict):
            raise MappingError(key, "must be {column: ..., name: ...}")
        for sub in item:
            if sub not in ("column", "name"):
                raise MappingError(f"{key}.{sub}", "is not a key of a contestant: column, name")
        contestant = Contestant(
            _string(item, "column", f"{key}.column"), _string(item, "name", f"{key}.name")
        )
        if contestant.name in names:
            raise MappingError(f"{key}.name", f"{contestant.name!r} is already a contestant")
        if contestant.column in columns:
            raise MappingError(f"{key}.column", f"{contestant.column!r} is already mapped")
        names.add(contestant.name)
        columns.add(contestant.column)
        found.append(contestant)
    return tuple(found)


def _attributes(value: Any) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise MappingError("attributes", "must map attribute names to columns")
    pairs: list[tuple[str, str]] = []
    for name in value:
        if not isinstance(name, str) or not ATTRIBUTE_PATTERN.match(name):
            raise MappingError(
                f"attributes.{name}", "attribute names are letters, digits and _ (not first)"
            )
        pairs.append((name, _string(value, name, f"attributes.{name}")))
    return tuple(pairs)
