"""The reference mission: the report's section XIII figures computed from stored submissions,
and submissions behaving as observers' phones need (retries, refusals naming the question)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.domain.errors import SaylauError
from saylau.observation.copies import copy_differences
from saylau.observation.missions import (
    ImportRejected,
    get_mission,
    mission_summary,
    set_accreditation,
)
from saylau.observation.report import render_report
from saylau.observation.reporting import mission_findings
from saylau.observation.submissions import SubmissionInput, submit_observations
from saylau.observation.teams import SLOTS, add_deployments, deployment_status
from saylau.results.documents import protocol_document
from saylau.results.service import ProtocolInput, amend_protocol
from saylau.scenarios.build import build_kz2022
from saylau.scenarios.mission2022 import build_reference_mission
from saylau.scenarios.observation2022 import CHANGED_COPIES
from saylau.store.db import session_scope

STATIONS = 1500  # enough distinct PECs for the 1,131 voting observations

# (form, question) -> (observations the question applies to, problem count) from section XIII.
COUNTS = {
    ("opening", "overall"): (127, 3),
    ("opening", "ballots_counted_announced"): (127, 30),
    ("voting", "overall"): (1131, 57),
    ("counting", "overall"): (110, 65),
    ("counting", "clear_view"): (110, 47),
    ("counting", "poorly_organized"): (110, 47),
    ("counting", "choice_announced"): (110, 88),
    ("counting", "list_total_announced"): (110, 72),
    ("counting", "issued_from_signatures"): (110, 71),
    ("counting", "counted_before_sorting"): (110, 67),
    ("counting", "boxes_above_signatures"): (110, 13),
    ("counting", "validity_reasonable"): (110, 34),
    ("counting", "validity_consistent"): (110, 30),
    ("counting", "protocol_in_pen"): (110, 24),
    ("counting", "figures_announced"): (110, 60),
    ("counting", "protocol_posted"): (110, 33),
    ("tabulation", "overall"): (96, 30),
    ("tabulation", "pecs_completing_at_tec"): (96, 15),
    ("tabulation", "modified_without_decision"): (96, 5),
    ("tabulation", "inadequate_conditions"): (96, 18),
    ("tabulation", "overcrowding"): (96, 9),
    ("tabulation", "observers_denied_access"): (96, 14),
    ("tabulation", "told_elsewhere"): (96, 5),
}
# Voting figures the report gives as whole percentages of the 1,131 observations.
VOTING_PERCENT = {
    "identical_signatures": 8,
    "group_voting": 3,
    "voters_tracked": 5,
    "secrecy_ensured": 4,
    "avc_retained": 9,
    "avc_added_to_list": 8,
    "voter_refused": 14,
    "voter_without_id_allowed": 3,
    "unauthorized_present": 6,
    "clear_view": 7,
    "observers_restricted": 5,
    "independent_access": 28,
    "braille_sleeve": 6,
}


@pytest.fixture
def observed(engine: Engine) -> Engine:
    build_kz2022(engine, stations=STATIONS, code="kz-2022", with_members=False)
    with session_scope(engine, write=True) as session:
        build_reference_mission(session, get_election(session, "kz-2022"))
    return engine


def by_question(engine: Engine, form: str, by: str | None = None) -> dict:
    with session_scope(engine) as session:
        document = mission_findings(session, get_mission(session), form, by)
    return document


def test_section_xiii_figures_from_the_stored_submissions(observed: Engine) -> None:
    documents = {
        f: by_question(observed, f) for f in ("opening", "voting", "counting", "tabulation")
    }
    assert {f: d["observations"] for f, d in documents.items()} == {
        "opening": 127, "voting": 1131, "counting": 110, "tabulation": 96,
    }  # fmt: skip
    found = {(form, f["question"]): f for form, d in documents.items() for f in d["findings"]}
    for key, (applicable, problems) in COUNTS.items():
        problem = found[key]["problem"]
        assert (problem["applicable"], problem["count"]) == (applicable, problems), key
        assert problem["ci95"][0] <= problem["pct"] <= problem["ci95"][1]
        assert len(problem["submissions"]) == problems
    assert round(100 - found[("voting", "overall")]["problem"]["pct"]) == 95
    for question, percent in VOTING_PERCENT.items():
        assert round(found[("voting", question)]["problem"]["pct"]) == percent, question
    citizen = found[("voting", "citizen_observers_present")]["answers"]["yes"]
    assert round(citizen["pct"]) == 85
    woman_chair = found[("voting", "chair_gender")]["answers"]["female"]
    assert round(woman_chair["pct"]) == 63


def test_breakdowns_add_up_and_a_new_submission_changes_a_figure(observed: Engine) -> None:
    regions = by_question(observed, "tabulation", by="region")["groups"]
    total = sum(
        next(f for f in group if f["question"] == "overall")["problem"]["count"]
        for group in regions.values()
    )
    assert total == 30
    extra = SubmissionInput(
        client_id="late-1",
        form="tabulation",
        unit="751110000",
        arrived_at="2022-11-20T23:10:00+06:00",
        answers={
            "pecs_completing_at_tec": "yes", "modified_without_decision": "yes",
            "inadequate_conditions": "no", "overcrowding": "no", "observers_denied_access": "no",
            "told_elsewhere": "no", "restricted": "no", "overall": "very_bad",
        },
    )  # fmt: skip
    with session_scope(observed, write=True) as session:
        [stored] = submit_observations(session, get_mission(session), [extra], "LTO team 7")
    assert stored.status == "stored"
    with session_scope(observed) as session:
        report = render_report(session, get_mission(session))
    assert "negatively in 31 of the 97 territorial election commissions observed" in report
    assert "negatively in 65 of the 110 polling stations observed" in report
    assert "positively in 95 per cent of the 1131 observations" in report
    assert "built-in method" not in report and "Observers copied 110 signed protocols" in report
    after = {f["question"]: f for f in by_question(observed, "tabulation")["findings"]}
    assert after["overall"]["problem"]["count"] == 31
    assert after["overall"]["problem"]["applicable"] == 97
    assert stored.id in after["modified_without_decision"]["problem"]["submissions"]
    with session_scope(observed, write=True) as session:
        [again] = submit_observations(session, get_mission(session), [extra], "LTO team 7")
    assert again.status == "unchanged" and again.id == stored.id
    changed = SubmissionInput(**{**extra.__dict__, "answers": {**extra.answers, "overall": "good"}})
    with (
        pytest.raises(ImportRejected, match="client_id is already used"),
        session_scope(observed, write=True) as session,
    ):
        submit_observations(session, get_mission(session), [changed], "LTO team 7")


def test_bad_submissions_are_refused_with_the_question_named(observed: Engine) -> None:
    bad = SubmissionInput(
        client_id="bad-1",
        form="voting",
        unit="751110000",  # a TEC, where voting is not observed
        arrived_at="2022-11-20T10:00:00",  # no time zone
        answers={"group_voting": "maybe", "no_such_question": "yes"},
    )
    with pytest.raises(ImportRejected) as caught, session_scope(observed, write=True) as session:
        submit_observations(session, get_mission(session), [bad], "someone")
    message = " ".join(p.rule for p in caught.value.problems)
    for needle in ("751110000", "arrived_at", "group_voting", "no_such_question", "overall"):
        assert needle in message, needle


def test_mission_summary_shows_annex_beside_declared(observed: Engine) -> None:
    with session_scope(observed) as session:
        summary = mission_summary(session, get_mission(session))
    assert summary["observers"]["sto"] == 100 and summary["observers"]["core"] == 12
    assert summary["declared"]["sto"] == 299 and summary["declared"]["lto"] == 30


def test_copies_find_the_changed_protocols_and_a_decision_explains_them(observed: Engine) -> None:
    with session_scope(observed) as session:
        document = copy_differences(session, get_mission(session))
    assert document["copies_compared"] == 110
    changed = document["pecs_with_differences"]
    assert len(changed) == CHANGED_COPIES and document["unexplained"] == changed
    lines = {(d["pec"], d["line"]): d for d in document["differences"]}
    assert {line for _, line in lines} == {"tokayev", "abden"}
    assert all(abs(d["difference"]) == 40 for d in document["differences"])
    pec = changed[0]
    with session_scope(observed, write=True) as session:
        election = get_election(session, "kz-2022")
        current = protocol_document(session, election, pec)
        amend_protocol(
            session,
            election,
            pec,
            ProtocolInput(pec, current["lines"], current["explanations"], current["version"]),
            decision="TEC decision 3: recount confirms the protocol",
            by="TEC secretary",
            reason="observers' copy differs",
        )
    with session_scope(observed) as session:
        after = copy_differences(session, get_mission(session))
    assert pec in after["pecs_with_differences"] and pec not in after["unexplained"]


def test_teams_and_deployments_of_the_reference_mission(observed: Engine) -> None:
    with session_scope(observed) as session:
        status = deployment_status(session, get_mission(session))
    slots = status["slots"]
    assert set(slots) == set(SLOTS)
    assert sum(s["planned"] for s in slots.values()) == 127 + 1131 + 110 + 96
    assert all(s["visited"] == s["planned"] and not s["missing"] for s in slots.values())
    with session_scope(observed, write=True) as session:
        mission = get_mission(session)
        add_deployments(session, mission, [{"team": "T001", "slot": "counting", "unit": "75-0002"}])
        with pytest.raises(ImportRejected, match="row 2: field slot 'lunch'"):
            add_deployments(
                session, mission, [{"team": "T001", "slot": "lunch", "unit": "75-0002"}]
            )
    with session_scope(observed) as session:
        after = deployment_status(session, get_mission(session))["slots"]["counting"]
    assert after["missing"] == [{"team": "T001", "unit": "75-0002"}]


def test_accreditation_is_recorded(observed: Engine) -> None:
    with session_scope(observed, write=True) as session:
        mission = get_mission(session)
        set_accreditation(session, mission, "Urszula Gacek", "accredited")
        set_accreditation(session, mission, "Mary Dowling", "revoked")
        with pytest.raises(SaylauError, match="status 'maybe'"):
            set_accreditation(session, mission, "Mary Dowling", "maybe")
    with session_scope(observed) as session:
        summary = mission_summary(session, get_mission(session))
    assert summary["accreditation"] == {"accredited": 111, "revoked": 1}
