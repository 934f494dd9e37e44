"""The NIST SP 1500-100 Rev. 2 results CDF: valid against both official schemas (JSON and XSD),
and carrying exactly the figures every other view publishes, at PEC and at aggregate level."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.domain.errors import ProfileError
from saylau.domain.profile import load_profile
from saylau.domain.tabulation import build_summary
from saylau.publish.dataset import Dataset, PublicProtocol, PublicUnit, PublicVersion, load_dataset
from saylau.publish.nist import (
    AGAINST_ALL_ID,
    election_type,
    nist_report,
    nist_report_xml,
    object_id,
    reporting_unit_type,
    results_status,
)
from saylau.store.db import session_scope
from tests.domain.fixtures import consistent_protocol, profile, profile_dict

# The official schemas, vendored unchanged with their notice (standards/nist-1500-100/NOTICE.md).
STANDARD = Path(__file__).resolve().parents[2] / "standards" / "nist-1500-100"
JSON_SCHEMA = STANDARD / "NIST_V2_election_results_reporting.json"
XSD = STANDARD / "NIST_V2_election_results_reporting.xsd"
GENERATED = "2022-11-21T06:00:00+06:00"


@cache
def json_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(JSON_SCHEMA.read_text("utf-8"))
    return jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


@cache
def xml_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def assert_json_valid(report: dict[str, Any]) -> None:
    errors = list(json_validator().iter_errors(report))
    shown = [f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5]]
    assert not errors, f"{len(errors)} schema errors, first: " + "\n".join(shown)


def assert_xml_valid(document: bytes) -> None:
    errors = list(xml_schema().iter_errors(document.decode("utf-8")))
    assert not errors, f"{len(errors)} XSD errors, first: " + "\n".join(
        str(e)[:600] for e in errors[:3]
    )


def selection_counts(report: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{selection id: {GpUnit id: count}}."""
    contest = report["Election"][0]["Contest"][0]
    return {
        s["@id"]: {v["GpUnitId"]: v["Count"] for v in s["VoteCounts"]}
        for s in contest["ContestSelection"]
    }


def gp_units(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {unit["@id"]: unit for unit in report["GpUnit"]}


# --------------------------------------------------------------------------- from a database


@pytest.fixture
def dataset(small_election: Engine) -> Dataset:
    with session_scope(small_election) as session:
        return load_dataset(session, get_election(session, "kz-2022"))


def test_json_report_is_valid_against_the_schema(dataset: Dataset) -> None:
    report = nist_report(dataset, GENERATED)
    assert_json_valid(report)
    assert report["Format"] == "precinct-level"
    assert report["Status"] == "unofficial-complete"
    assert report["GeneratedDate"] == GENERATED


def test_totals_equal_the_published_summary(dataset: Dataset) -> None:
    report = nist_report(dataset, GENERATED)
    counts = selection_counts(report)
    region = next(u for u in dataset.units.values() if u.level == 1)
    for unit in (dataset.national, region):
        summary = dataset.results[unit.code]
        gpu = object_id("gpu", unit.code)
        for i, candidate in enumerate(dataset.profile.candidates):
            assert counts[object_id("cs", candidate.code)][gpu] == summary["candidates"][i]["votes"]
        assert counts[AGAINST_ALL_ID][gpu] == summary["against_all"]["votes"]
        units = gp_units(report)
        assert units[gpu]["VotersRegistered"] == summary["registered"]
        assert units[gpu]["VotersParticipated"] == summary["voters"]
        ballots = {b["GpUnitId"]: b for b in report["Election"][0]["BallotCounts"]}
        assert ballots[gpu]["BallotsRejected"] == summary["invalid"]
        assert ballots[gpu]["BallotsCast"] == summary["valid"] + summary["invalid"]


def test_pec_counts_add_up_to_the_national_count(dataset: Dataset) -> None:
    report = nist_report(dataset, GENERATED)
    pecs = {object_id("gpu", pec.code): pec for pec in dataset.pecs()}
    national = object_id("gpu", dataset.national.code)
    for selection, by_unit in selection_counts(report).items():
        assert set(pecs) <= set(by_unit), selection
        assert sum(by_unit[gpu] for gpu in pecs) == by_unit[national], selection
    for gpu, pec in pecs.items():
        lines = dataset.protocols[pec.id].current.lines
        assert selection_counts(report)["cs-tokayev"][gpu] == lines["tokayev"]


def test_units_form_one_tree_of_known_types(dataset: Dataset) -> None:
    report = nist_report(dataset, GENERATED)
    units = gp_units(report)
    assert len(units) == len(dataset.units)
    national = units[object_id("gpu", dataset.national.code)]
    assert national["Type"] == "country"
    assert report["Election"][0]["ElectionScopeId"] == national["@id"]
    reached = {national["@id"]}
    frontier = [national]
    while frontier:
        unit = frontier.pop()
        for child in unit.get("ComposingGpUnitIds", []):
            assert child not in reached
            reached.add(child)
            frontier.append(units[child])
    assert reached == set(units)
    pec_types = {units[object_id("gpu", p.code)]["Type"] for p in dataset.pecs()}
    assert pec_types == {"precinct"}
    languages = {t["Language"] for t in national["Name"]["Text"]}
    assert languages == {"en", "ru", "kk"}


def test_report_names_the_audit_head(dataset: Dataset) -> None:
    report = nist_report(dataset, GENERATED)
    identifiers = {e["OtherType"]: e["Value"] for e in report["ExternalIdentifier"]}
    assert identifiers["saylau-audit-head-seq"] == str(dataset.head_seq)
    assert identifiers["saylau-audit-head-hash"] == dataset.head_hash
    assert dataset.head_hash in report["Notes"]


def test_same_dataset_gives_the_same_report(dataset: Dataset) -> None:
    first = json.dumps(nist_report(dataset, GENERATED), sort_keys=True)
    assert json.dumps(nist_report(dataset, GENERATED), sort_keys=True) == first
    assert nist_report_xml(dataset, GENERATED) == nist_report_xml(dataset, GENERATED)


def test_xml_report_is_valid_against_the_xsd(dataset: Dataset) -> None:
    document = nist_report_xml(dataset, GENERATED)
    assert document.startswith(b"<?xml")
    assert_xml_valid(document)
    decoded = xml_schema().to_dict(document.decode("utf-8"))
    election = decoded["Election"][0]
    assert election["ElectionScopeId"] == object_id("gpu", dataset.national.code)


def test_generated_at_needs_a_zone(dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="zone"):
        nist_report(dataset, "2022-11-21T06:00:00")


# --------------------------------------------------------------------------- hand-made data


def _unit(
    uid: int, code: str, kind: str, level: int, subtype: str, parent: int | None, urban: bool
) -> PublicUnit:
    return PublicUnit(
        id=uid,
        code=code,
        kind=kind,
        level=level,
        subtype=subtype,
        parent_id=parent,
        names={"en": f"Unit {code}", "ru": f"Единица {code}", "kk": f"Бірлік {code}"},
        settlement=None,
        address=f"{code} Street 1" if kind == "pec" else None,
        urban=urban,
    )


def _protocol(pec_id: int, scale: int) -> PublicProtocol:
    votes = {c.code: scale * (i + 2) for i, c in enumerate(profile().candidates)}
    votes["against_all"] = scale
    version = PublicVersion(
        number=1,
        lines=consistent_protocol(votes),
        explanations={},
        entered_by="operator",
        created_at="2022-11-20T21:00:00+06:00",
        audit_seq=pec_id,
        audit_hash="0" * 64,
        decision=None,
        reason=None,
    )
    return PublicProtocol(pec_id, (version,), ())


def hand_made(reported_pecs: set[int]) -> Dataset:
    """CEC -> a city (one city district) and an oblast (a rural district and a town) -> PECs."""
    units = [
        _unit(1, "KZ", "cec", 0, "national", None, False),
        _unit(2, "KZ-75", "tec", 1, "city", 1, True),
        _unit(3, "KZ-11", "tec", 1, "oblast", 1, False),
        _unit(4, "751110000", "tec", 2, "district", 2, True),
        _unit(5, "111000000", "tec", 2, "district", 3, True),
        _unit(6, "113200000", "tec", 2, "district", 3, False),
        _unit(7, "75-0001", "pec", 3, "regular", 4, True),
        _unit(8, "75-0002", "pec", 3, "regular", 4, True),
        _unit(9, "11-0001", "pec", 3, "regular", 5, True),
        _unit(10, "11-0002", "pec", 3, "special", 6, False),
        _unit(11, "AB-0001", "pec", 2, "abroad", 2, True),
    ]
    by_id = {u.id: u for u in units}
    children: dict[int | None, list[int]] = {}
    for u in sorted(units, key=lambda u: u.code):
        children.setdefault(u.parent_id, []).append(u.id)
    protocols = {pec: _protocol(pec, pec) for pec in reported_pecs}
    return Dataset(
        election_code="test",
        election_name="Test election",
        election_date=date(2022, 11, 20),
        profile=profile(),
        profile_sha256="f" * 64,
        head_seq=42,
        head_hash="a" * 64,
        head_time="2022-11-20T21:30:00+06:00",
        units=by_id,
        children=children,
        results=_results(by_id, protocols),
        protocols=protocols,
    )


def _results(
    units: dict[int, PublicUnit], protocols: dict[int, PublicProtocol]
) -> dict[str, dict[str, Any]]:
    """Every unit's summary, tabulated by hand from the protocols below it."""

    def below(uid: int) -> list[int]:
        pecs = [uid] if units[uid].kind == "pec" else []
        for child in units.values():
            if child.parent_id == uid:
                pecs += below(child.id)
        return pecs

    results: dict[str, dict[str, Any]] = {}
    for unit in units.values():
        pecs = below(unit.id)
        totals: dict[str, int] = {}
        for pec in pecs:
            if pec in protocols:
                for code, value in protocols[pec].current.lines.items():
                    totals[code] = totals.get(code, 0) + value
        reported = sum(1 for pec in pecs if pec in protocols)
        summary = build_summary(profile(), unit.names["en"], totals, reported, len(pecs))
        results[unit.code] = {**summary, "unit_code": unit.code}
    return results


ALL_PECS = {7, 8, 9, 10, 11}


def test_status_follows_the_pecs_reported() -> None:
    assert results_status(hand_made(ALL_PECS)) == "unofficial-complete"
    assert results_status(hand_made({7, 9})) == "unofficial-partial"
    assert results_status(hand_made(set())) == "unofficial-partial"


def test_unit_types() -> None:
    data = hand_made(ALL_PECS)
    types = {u.code: reporting_unit_type(data, u) for u in data.units.values()}
    assert types["KZ"] == ("country", None)
    assert types["KZ-75"] == ("city", None)
    assert types["KZ-11"] == ("state", None)
    assert types["751110000"] == ("borough", None)
    assert types["111000000"] == ("city", None)
    assert types["113200000"] == ("county", None)
    assert {types[c] for c in ("75-0001", "11-0002", "AB-0001")} == {("precinct", None)}


def test_partial_report_counts_only_what_reported() -> None:
    data = hand_made({7, 9})
    report = nist_report(data, "2022-11-20T21:30:00Z")
    assert_json_valid(report)
    assert report["Status"] == "unofficial-partial"
    counted = set(selection_counts(report)["cs-tokayev"])
    # Reported PECs, their ancestors; not the silent PECs nor the district nobody reported from.
    assert counted == {object_id("gpu", c) for c in ("KZ", "KZ-75", "KZ-11", "751110000")} | {
        object_id("gpu", c) for c in ("111000000", "75-0001", "11-0001")
    }
    units = gp_units(report)
    assert units["gpu-KZ"]["SubUnitsReported"] == 2
    assert units["gpu-KZ"]["TotalSubUnits"] == 5
    assert units["gpu-KZ"]["CountStatus"][0]["Status"] == "in-process"
    assert units["gpu-113200000"]["CountStatus"][0]["Status"] == "not-processed"
    assert "VotersRegistered" not in units["gpu-11-0002"]
    assert all("PostElectionStatus" not in c for c in report["Election"][0]["Candidate"])
    assert_xml_valid(nist_report_xml(data, "2022-11-20T21:30:00Z"))


def test_complete_report_names_the_outcome() -> None:
    data = hand_made(ALL_PECS)
    report = nist_report(data, GENERATED)
    statuses = {c["@id"]: c.get("PostElectionStatus") for c in report["Election"][0]["Candidate"]}
    outcome = data.results["KZ"]["outcome"]
    assert outcome["kind"] in ("winner", "runoff")
    leaders = {
        object_id("cand", c.code) for c in profile().candidates if c.name in outcome["names"]
    }
    expected = "projected-winner" if outcome["kind"] == "winner" else "advanced-to-runoff"
    assert {statuses[c] for c in leaders} == {expected}
    assert set(statuses.values()) - {expected} <= {"defeated"}


def test_against_all_is_a_selection_without_a_candidate() -> None:
    report = nist_report(hand_made(ALL_PECS), GENERATED)
    contest = report["Election"][0]["Contest"][0]
    against = next(s for s in contest["ContestSelection"] if s["@id"] == AGAINST_ALL_ID)
    assert "CandidateIds" not in against
    assert against["IsWriteIn"] is False
    assert against["SequenceOrder"] == len(contest["ContestSelection"])
    assert "Против всех" in report["Notes"]


def test_object_ids_are_xml_ids_and_never_collide() -> None:
    assert object_id("gpu", "KZ-75") == "gpu-KZ-75"
    assert object_id("gpu", "a b/c") == "gpu-a_x20_b_x2f_c"
    assert object_id("cand", "a_b") != object_id("cand", "a_x5f_b")


def test_candidates_and_election_type() -> None:
    report = nist_report(hand_made(ALL_PECS), GENERATED)
    election = report["Election"][0]
    assert election["Type"] == "special"  # an early election: not regularly scheduled
    tokayev = next(c for c in election["Candidate"] if c["@id"] == "cand-tokayev")
    spelled = {t["Language"]: t["Content"] for t in tokayev["BallotName"]["Text"]}
    assert spelled["en"] == "Kassym-Jomart Tokayev"
    assert set(spelled) == {"en", "ru", "kk"}


def test_profile_can_name_the_election_type() -> None:
    data = hand_made(ALL_PECS)
    renamed = replace(data.profile, nist_election_type="general")
    assert election_type(renamed) == "general"
    wrong = profile_dict()
    wrong["nist_election_type"] = "snap"
    with pytest.raises(ProfileError, match="rule nist_election_type: must be one of general"):
        load_profile(wrong)
