"""Data quality: a copied protocol whose arithmetic does not hold is flagged (not refused), and
two teams' different answers at one station are shown side by side."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.domain.forms import Form
from saylau.observation.checklists import form_of, import_shipped_forms, latest_form
from saylau.observation.missions import create_mission, get_mission
from saylau.observation.quality import quality_csv, quality_report
from saylau.observation.submissions import SubmissionInput, submit_observations
from saylau.results.documents import protocol_document
from saylau.scenarios.build import build_kz2022
from saylau.store.db import session_scope


def clean_counting_answers(form: Form, lines: dict[str, int]) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in form.questions:
        if question.choices:
            answers[question.name] = next(
                c.name for c in question.choices if c.name not in question.problem
            )
    answers["protocol_copy"] = "yes"
    answers["overall"] = "good"
    answers |= {f"copy_{code}": value for code, value in lines.items()}
    return answers


def test_checks_flag_and_teams_disagreements_show(engine: Engine) -> None:
    build_kz2022(engine, stations=40, code="kz-2022", with_members=False)
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        mission = create_mission(session, election, "citizens", "Citizens", "citizen")
        import_shipped_forms(session)
        form = form_of(latest_form(session, "counting"))
        lines = protocol_document(session, election, "75-0001")["lines"]
        good = clean_counting_answers(form, lines)
        slip = good | {"copy_valid": int(lines["valid"]) + 1}  # the copy no longer adds up
        other_team = good | {"poorly_organized": "yes"}
        inputs = [
            SubmissionInput("a-1", "counting", "75-0001", "2022-11-20T20:05:00+06:00", slip,
                            team="A"),
            SubmissionInput("b-1", "counting", "75-0001", "2022-11-20T20:10:00+06:00",
                            other_team, team="B"),
        ]  # fmt: skip
        stored = submit_observations(session, mission, inputs, "data team")
    assert [s.status for s in stored] == ["stored", "stored"]  # flagged, never refused
    with session_scope(engine) as session:
        report = quality_report(session, get_mission(session), "counting")
    assert report["submissions_checked"] == 2
    failed = {(f["submission"], f["check"]) for f in report["failed_checks"]}
    assert failed == {(stored[0].id, "copy_boxes_balance"), (stored[0].id, "copy_votes_balance")}
    questions = {d["question"]: d for d in report["disagreements"]}
    assert set(questions) == {"copy_valid", "poorly_organized"}
    assert questions["poorly_organized"]["answers"] == {"A": "no", "B": "yes"}
    rows = list(csv.DictReader(io.StringIO(quality_csv(report))))
    assert {r["kind"] for r in rows} == {"check", "disagreement"} and len(rows) == 4


def test_station_and_copies_pages_show_the_disagreement(engine: Engine) -> None:
    from fastapi.testclient import TestClient

    from saylau.server.app import create_app

    test_checks_flag_and_teams_disagreements_show(engine)
    with TestClient(create_app(engine, check_every=0)) as client:
        station = client.get("/ru/observe/citizens/station/75-0001/")
        assert station.status_code == 200
        assert station.text.count("ответы групп расходятся") == 2  # copy_valid, poorly_organized
        copies = client.get("/en/observe/citizens/copies/")
        assert copies.status_code == 200 and 'data-pec="75-0001"' in copies.text
        assert client.get("/en/observe/citizens/station/75-0002/").status_code == 404
