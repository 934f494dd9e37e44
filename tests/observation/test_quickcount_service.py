"""A citizen mission's quick count over the database, on SQLite and PostgreSQL.

Observers at a sample of a scaled kz-2022 election copy the official protocols exactly, so the
quick count must find the official result inside its intervals; reports arriving region by
region must be flagged; two teams disagreeing about one station must keep it out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from saylau.administration.models import Election, Unit
from saylau.administration.service import get_election, profile_of
from saylau.api import errors
from saylau.api.routers.quickcount import router
from saylau.domain.forms import Form
from saylau.domain.quickcount import Station
from saylau.observation.checklists import form_of, import_shipped_forms, latest_form
from saylau.observation.missions import create_mission
from saylau.observation.models import Mission
from saylau.observation.quickcount import (
    Copy,
    FrameIncomplete,
    collect_reports,
    draw,
    frame_sha256,
    report_from_answers,
    running_estimate,
    sampling_frame,
)
from saylau.observation.quickcount_cli import app as quickcount_app
from saylau.observation.submissions import SubmissionInput, submit_observations
from saylau.profiles import read_profile, shipped_profile_path
from saylau.results.models import Protocol, ProtocolValue, ProtocolVersion
from saylau.scenarios.build import PROFILE, build_kz2022
from saylau.store.db import session_scope

STATIONS = 3000
SIZE = 400
SEED = 20221120
MISSION = "misk-2022"
ARRIVED = "2022-11-20T20:30:00+06:00"


# --- helpers ----------------------------------------------------------------------------------


def _clean_answers(form: Form) -> dict[str, object]:
    """A counting checklist with no problem anywhere and the protocol copied (copies to add)."""
    answers: dict[str, object] = {}
    for question in form.questions:
        if question.name.startswith("copy_") or not question.required:
            continue
        if question.name == "protocol_copy":
            answers[question.name] = "yes"
            continue
        assert question.choices, f"no way to answer {question.name} in this test"
        answers[question.name] = next(
            c.name for c in question.choices if c.name not in question.problem
        )
    return answers


def _official_lines(
    session: Session, election: Election, pecs: Sequence[str]
) -> dict[str, dict[str, int]]:
    """{PEC code: {line code: value}} of the protocols in force, read in one query."""
    code_of = {line.no: line.code for line in profile_of(election).lines}
    rows = session.execute(
        select(Unit.code, ProtocolValue.line_no, ProtocolValue.value)
        .join(Protocol, Protocol.pec_id == Unit.id)
        .join(
            ProtocolVersion,
            (ProtocolVersion.protocol_id == Protocol.id)
            & (ProtocolVersion.number == Protocol.current_number),
        )
        .join(ProtocolValue, ProtocolValue.version_id == ProtocolVersion.id)
        .where(Unit.election_id == election.id, Unit.code.in_(list(pecs)))
    ).all()
    lines: dict[str, dict[str, int]] = {}
    for pec, line_no, value in rows:
        lines.setdefault(pec, {})[code_of[line_no]] = int(value)
    return lines


def _copy(lines: Mapping[str, int], **changed: int) -> dict[str, object]:
    figures = {**lines, **changed}
    return {f"copy_{code}": value for code, value in figures.items()}


def _submissions(
    form: Form,
    official: Mapping[str, Mapping[str, int]],
    pecs: Sequence[str],
    team: str = "a",
    tag: str = "",
    **changed: int,
) -> list[SubmissionInput]:
    return [
        SubmissionInput(
            client_id=f"{team}{tag}-{pec}",
            form="counting",
            unit=pec,
            arrived_at=ARRIVED,
            team=team,
            answers=_clean_answers(form) | _copy(official[pec], **changed),
        )
        for pec in pecs
    ]


def _submit(engine: Engine, inputs: Sequence[SubmissionInput]) -> None:
    with session_scope(engine, write=True) as session:
        mission = session.scalar(select(Mission).where(Mission.code == MISSION))
        assert mission is not None
        submit_observations(session, mission, inputs, by="test data team")


def _estimate(engine: Engine, size: int = SIZE, seed: int = SEED) -> dict[str, Any]:
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        mission = session.scalar(select(Mission).where(Mission.code == MISSION))
        assert mission is not None
        return running_estimate(session, mission, election, size, seed)


def _setup(
    engine: Engine, stations: int, size: int, seed: int
) -> tuple[Form, list[str], dict[str, dict[str, int]]]:
    """A built election, a citizen mission with the shipped forms, the sample and its lines."""
    build_kz2022(engine, stations=stations, code="kz-2022", with_members=False)
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        create_mission(session, election, MISSION, "Citizen quick count", "citizen")
        import_shipped_forms(session)
        form = form_of(latest_form(session, "counting"))
        codes = draw(session, election, size, seed).codes
        official = _official_lines(session, election, codes)
    return form, codes, official


def _by_name(rows: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {row["name"]: row for row in rows}


# --- over the database ------------------------------------------------------------------------


def test_quick_count_of_exact_copies_covers_the_official_result(engine: Engine) -> None:
    form, codes, official = _setup(engine, STATIONS, SIZE, SEED)
    assert len(codes) == SIZE and set(official) == set(codes)

    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        frame = sampling_frame(session, election)
        first, again = draw(session, election, SIZE, SEED), draw(session, election, SIZE, SEED)
        other = draw(session, election, SIZE, SEED + 1)
    assert all(s.registered > 0 for s in frame) and len(frame) < STATIONS  # abroad left out
    assert first.codes == again.codes == codes
    assert first.frame_sha256 == again.frame_sha256 == frame_sha256(frame)
    assert other.codes != codes and other.frame_sha256 == first.frame_sha256
    assert sum(first.allocation.values()) == SIZE

    # The first half of the sample in code order: whole regions in, others not yet.
    half = SIZE // 2
    _submit(engine, _submissions(form, official, codes[:half]))
    early = _estimate(engine)
    assert early["reported"] == half and early["conflicts"] == []
    seen = early["representativeness"]
    assert seen is not None and seen["flagged"] and seen["missing_regions"]
    assert sum(r["reported"] for r in seen["regions"]) == half
    assert sum(r["sampled"] for r in seen["regions"]) == SIZE

    # A team's wrong copy, then its correction: the later one counts, no conflict.
    fixed = codes[half]
    wrong = official[fixed]["tokayev"] - 50
    _submit(engine, _submissions(form, official, [fixed], tag="draft", tokayev=wrong))
    _submit(engine, _submissions(form, official, codes[half:]))
    # A copy from a station outside the sample: never in the estimate.
    with session_scope(engine) as session:
        election = get_election(session, "kz-2022")
        stranger = next(s.code for s in sampling_frame(session, election) if s.code not in codes)
        official |= _official_lines(session, election, [stranger])
    _submit(engine, _submissions(form, official, [stranger]))

    complete = _estimate(engine)
    assert complete["reported"] == SIZE and complete["conflicts"] == []
    assert complete["outside_sample"] == 1
    assert not complete["representativeness"]["flagged"]
    quantities = _by_name(complete["quantities"])
    assert list(quantities)[:2] == ["turnout", "abden"] and "against_all" in quantities
    assert all(q["margin_pct"] > 0 for q in quantities.values())
    compared = _by_name(complete["comparison"])
    for name in ("turnout", "tokayev"):
        low, high = quantities[name]["interval_pct"]
        assert low <= compared[name]["official_pct"] <= high
        assert not compared[name]["outside"]
    published = complete["sample"]
    assert (published["size"], published["seed"]) == (SIZE, SEED)
    assert published["frame_sha256"] == first.frame_sha256
    assert published["frame_stations"] + published["abroad_excluded"] == STATIONS

    # A second team copies different figures at one sampled station: both are left out.
    disputed = codes[-1]
    moved = official[disputed]["tokayev"] - 10
    _submit(engine, _submissions(form, official, [disputed], team="b", tokayev=moved))
    conflicted = _estimate(engine)
    assert conflicted["reported"] == SIZE - 1
    assert [c["pec"] for c in conflicted["conflicts"]] == [disputed]
    assert conflicted["conflicts"][0]["teams"] == ["a", "b"]


def test_cli_api_and_a_frame_without_protocols(engine: Engine, db_url: str) -> None:
    form, codes, official = _setup(engine, 300, 60, 5)
    _submit(engine, _submissions(form, official, codes))
    build_kz2022(engine, stations=300, code="kz-partial", with_members=False, reported=0.5)

    root = typer.Typer()
    root.add_typer(quickcount_app, name="quickcount")
    runner = CliRunner()
    common = ["--size", "60", "--seed", "5", "--db", db_url]
    drawn = runner.invoke(root, ["quickcount", "sample", "--election", "kz-2022", *common])
    assert drawn.exit_code == 0, drawn.output
    assert "frame sha256" in drawn.output and "KZ-75" in drawn.output
    estimated = runner.invoke(root, ["quickcount", "estimate", "--mission", MISSION, *common])
    assert estimated.exit_code == 0, estimated.output
    assert "60 of 60 sampled stations reported" in estimated.output
    refused = runner.invoke(root, ["quickcount", "sample", "--election", "kz-partial", *common])
    assert refused.exit_code == 2 and "no protocol yet" in refused.output

    site = FastAPI()
    site.state.engine = engine
    errors.install(site)
    site.include_router(router)
    with TestClient(site) as client:
        params = {"size": 60, "seed": 5}
        sample = client.get("/observation/elections/kz-2022/quickcount-sample", params=params)
        assert sample.status_code == 200 and sample.json()["codes"] == codes
        result = client.get(f"/observation/missions/{MISSION}/quickcount", params=params)
        assert result.status_code == 200 and result.json()["reported"] == 60
        partial = client.get("/observation/elections/kz-partial/quickcount-sample", params=params)
        assert partial.status_code == 422 and "no protocol yet" in partial.json()["detail"]
        too_small = client.get(
            "/observation/elections/kz-2022/quickcount-sample", params={"size": 3, "seed": 5}
        )
        assert too_small.status_code == 422
        unknown = client.get("/observation/missions/nobody/quickcount", params=params)
        assert unknown.status_code == 404

    with session_scope(engine) as session, pytest.raises(FrameIncomplete):
        sampling_frame(session, get_election(session, "kz-partial"))


# --- pure ------------------------------------------------------------------------------------

PROFILE_RULES = read_profile(shipped_profile_path(PROFILE))[0]
STATION = Station("AB-0001", "KZ-10", 1000)
LINES = {
    "voters_on_list": 990, "voters_added": 12, "voters_avc": 3, "ballots_received": 1000,
    "ballots_issued_station": 700, "ballots_issued_mobile": 20, "ballots_cancelled": 280,
    "ballots_spoiled": 0, "ballots_found": 720, "invalid": 15, "valid": 705, "abden": 20,
    "auesbayev": 15, "dayrabayev": 25, "kazhyken": 30, "tokayev": 580, "tursynbekova": 10,
    "against_all": 25,
}  # fmt: skip


def test_report_from_a_copy_uses_the_profile_totals() -> None:
    report = report_from_answers(STATION, {"protocol_copy": "yes", **_copy(LINES)}, PROFILE_RULES)
    assert report is not None
    assert (report.registered, report.voters, report.valid) == (1002, 720, 705)
    assert report.votes == {
        "abden": 20, "auesbayev": 15, "dayrabayev": 25, "kazhyken": 30, "tokayev": 580,
        "tursynbekova": 10, "against_all": 25,
    }  # fmt: skip
    assert (report.code, report.stratum) == ("AB-0001", "KZ-10")
    without_valid = {k: v for k, v in _copy(LINES).items() if k != "copy_valid"}
    assert report_from_answers(STATION, without_valid, PROFILE_RULES) is None


def test_copies_agreeing_confirm_and_disagreeing_conflict() -> None:
    other = Station("AB-0002", "KZ-10", 900)
    same = _copy(LINES)
    copies = [
        Copy(1, STATION.code, "a", same),
        Copy(2, STATION.code, "b", {**same, "copy_voters_added": 12.0}),
        Copy(3, other.code, "a", same),
        Copy(4, other.code, "b", _copy(LINES, tokayev=579)),
        Copy(5, "ZZ-0001", "a", same),
        Copy(6, other.code, "c", {k: v for k, v in same.items() if k != "copy_abden"}),
    ]
    found = collect_reports([STATION, other], copies, PROFILE_RULES)
    assert [r.code for r in found.reports] == [STATION.code]
    assert found.conflicts == [
        {"pec": other.code, "teams": ["a", "b", "c"], "submissions": [3, 4, 6]}
    ]
    assert found.outside_sample == ["ZZ-0001"]
    alone = collect_reports([other], copies[5:], PROFILE_RULES)
    assert alone.incomplete == [{"pec": other.code, "submission": 6, "missing": ["abden"]}]


def test_frame_hash_is_sorted_lines_anyone_can_recompute() -> None:
    frame = [Station("B-2", "r2", 7), Station("A-1", "r1", 5)]
    expected = hashlib.sha256(b"A-1,r1,5\nB-2,r2,7\n").hexdigest()
    assert frame_sha256(frame) == expected == frame_sha256(list(reversed(frame)))
