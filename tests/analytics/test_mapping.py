"""The column mapping: the shipped Georgia mapping reads as intended, and every kind of mistake
is refused with the key that holds it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from saylau.analytics.importer import resolve_mapping, shipped_mapping_path
from saylau.analytics.mapping import MappingError, mapping_from_dict, parse_mapping
from saylau.domain.errors import NotFound

MINIMAL = """
name: test-1
title: A test election
source: made up
station: code
registered: reg
voters: voters
contestants:
  - {column: a, name: Alpha}
  - {column: b, name: Beta}
"""


def minimal(**changes: object) -> dict[str, object]:
    raw = yaml.safe_load(MINIMAL)
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def test_georgia_mapping() -> None:
    mapping = parse_mapping(shipped_mapping_path("georgia-2024").read_text(encoding="utf-8"))
    assert mapping.name == "georgia-2024"
    assert len(mapping.contestants) == 18
    assert mapping.contestants[-1].column == "CAND41"
    assert mapping.contestants[-1].name == "Georgian Dream"
    assert mapping.contestants[0].name == "Party for Unity and Development of Georgia"
    assert mapping.allow_missing == {"voters", "invalid"}
    assert mapping.valid == ("total_votes",) and mapping.found is None
    region = mapping.region
    assert region is not None and region.values is not None
    assert region.column == "district_id"  # `from: district` names the district's column
    assert len(region.values) == 74
    assert {region.values[f"{d:02d}"] for d in range(1, 11)} == {"Tbilisi"}
    assert {region.values[c] for c in ("19", "27", "28", "29")} == {"Mtskheta-Mtianeti"}
    assert {region.values[c] for c in ("47", "63", "70")} == {"Samegrelo-Zemo Svaneti"}
    assert region.values["87"] == "Abroad"
    assert len(set(region.values.values())) == 12  # 11 regions of Georgia and abroad
    assert dict(mapping.attributes) == {"counting": "division_type", "abroad": "is_abroad"}


def test_minimal_mapping_defaults() -> None:
    mapping = mapping_from_dict(minimal())
    assert mapping.valid is None and mapping.invalid is None and mapping.region is None
    assert mapping.counts() == [("registered", ("reg",)), ("voters", ("voters",))]
    assert mapping.delimiter == ","
    assert mapping.columns() == [
        ("station", "code"),
        ("registered", "reg"),
        ("voters", "voters"),
        ("contestants[1].column", "a"),
        ("contestants[2].column", "b"),
    ]


def test_a_protocol_line_may_add_up_columns() -> None:
    """Russian PEC protocols split ballots issued: in the station, early, for mobile voting."""
    mapping = mapping_from_dict(minimal(voters=["issued_station", "issued_early", "issued_mobile"]))
    assert mapping.voters == ("issued_station", "issued_early", "issued_mobile")
    assert mapping.columns()[2:5] == [
        ("voters[1]", "issued_station"),
        ("voters[2]", "issued_early"),
        ("voters[3]", "issued_mobile"),
    ]


def test_region_from_a_plain_column() -> None:
    mapping = mapping_from_dict(minimal(region="oblast"))
    assert mapping.region is not None
    assert (mapping.region.column, mapping.region.values) == ("oblast", None)


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"turnout": "x"}, "turnout", "is not a mapping key"),
        ({"voters": None}, "voters", "is required"),
        ({"name": "Georgia 2024"}, "name", "lower-case"),
        ({"registered": 12}, "registered", "quote it"),
        ({"registered": True}, "registered", "quote it"),
        ({"station": "  "}, "station", "must not be empty"),
        ({"delimiter": ";;"}, "delimiter", "single character"),
        ({"voters": []}, "voters", "non-empty list"),
        ({"voters": ["a", "a"]}, "voters", "lists a column twice"),
        ({"voters": ["a", 2]}, "voters[2]", "quote it"),
        ({"allow_missing": ["valid"]}, "allow_missing", "'valid' may not be missing"),
        ({"allow_missing": ["invalid"]}, "allow_missing", "does not map"),
        ({"allow_missing": "voters"}, "allow_missing", "must be a list"),
        ({"contestants": []}, "contestants", "must be a list"),
        ({"contestants": ["a"]}, "contestants[1]", "must be {column"),
        ({"contestants": [{"column": "a", "nom": "A"}]}, "contestants[1].nom", "not a key"),
        ({"contestants": [{"column": "a"}]}, "contestants[1].name", "not empty"),
        (
            {"contestants": [{"column": "a", "name": "A"}, {"column": "b", "name": "A"}]},
            "contestants[2].name",
            "already a contestant",
        ),
        (
            {"contestants": [{"column": "a", "name": "A"}, {"column": "a", "name": "B"}]},
            "contestants[2].column",
            "already mapped",
        ),
        ({"region": {"from": "district", "values": {"01": "X"}}}, "region.from", "leaves out"),
        ({"region": {"from": "d", "values": {1: "X"}}}, "region.values.1", "quote them"),
        ({"region": {"from": "d", "values": {}}}, "region.values", "must map"),
        ({"region": {"from": "d", "lookup": {}}}, "region.lookup", "not a key of region"),
        ({"region": ["a"]}, "region", "column name or"),
        ({"attributes": {"2nd": "x"}}, "attributes.2nd", "attribute names"),
        ({"attributes": ["x"]}, "attributes", "must map"),
    ],
)
def test_mapping_errors_name_the_key(changes: dict[str, object], key: str, words: str) -> None:
    with pytest.raises(MappingError) as caught:
        mapping_from_dict(minimal(**changes))
    assert caught.value.key == key
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"mapping key {key}: ")


@pytest.mark.parametrize(
    ("text", "words"),
    [("station: [unclosed", "is not valid YAML"), ("- a\n- b\n", "must be a YAML mapping")],
)
def test_malformed_documents(text: str, words: str) -> None:
    with pytest.raises(MappingError, match=words):
        parse_mapping(text)


def test_a_mapping_is_a_path_or_a_shipped_name(tmp_path: Path) -> None:
    own = tmp_path / "mine.yaml"
    own.write_text(MINIMAL)
    assert resolve_mapping(str(own)) == own
    assert resolve_mapping("georgia-2024") == shipped_mapping_path("georgia-2024")
    with pytest.raises(NotFound, match="no mapping file"):
        resolve_mapping("atlantis-1999")
    with pytest.raises(NotFound, match="no mapping file"):
        resolve_mapping(str(tmp_path / "missing.yaml"))
