"""Protocols through the service layer on SQLite and PostgreSQL: acceptance, every rejection
path leaving the database unchanged, amendments by decision, tabulation consistency."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete, select

from saylau.administration.models import Unit
from saylau.administration.service import add_units, create_election, get_election
from saylau.audit.service import read_chain
from saylau.domain.errors import NotFound, ProtocolRejected
from saylau.profiles import shipped_profile_path
from saylau.results.documents import flagged_protocols, protocol_document, protocol_history
from saylau.results.models import Protocol
from saylau.results.service import ProtocolInput, amend_protocol, submit_protocols
from saylau.results.tabulation import summary, tabulate_all
from saylau.results.verification import audit_mismatches
from saylau.scenarios.kz2022 import ELECTION_DATE, Scenario, generate
from saylau.store.db import session_scope
from tests.integration.helpers import as_input, current, snapshot

PEC = "10-0001"


def first_pec(engine: Engine) -> str:
    with session_scope(engine) as session:
        return session.scalar(
            select(Unit.code).where(Unit.kind == "pec").order_by(Unit.code).limit(1)
        )


def reject(engine: Engine, action, words: str) -> None:  # type: ignore[no-untyped-def]
    """Run `action(session, election)`; it must be refused with `words` and write nothing."""
    before = snapshot(engine)
    with pytest.raises((ProtocolRejected, NotFound)) as caught, session_scope(engine) as session:
        action(session, get_election(session))
    assert words in str(caught.value), str(caught.value)
    assert snapshot(engine) == before


def verify(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        chain = read_chain(session)
        return [b.problem for b in chain.breaks] + audit_mismatches(session, chain.latest)


def test_small_election_is_consistent(small_election: Engine) -> None:
    assert verify(small_election) == []
    with session_scope(small_election) as session:
        election = get_election(session)
        nation = summary(session, election)
        every = tabulate_all(session, election)
    assert nation["pecs_reported"] == nation["pecs_total"] == 40
    regions = [r for code, r in every.items() if code.startswith("KZ-")]
    for key in ("registered", "voters", "valid", "invalid", "avc", "mobile"):
        assert sum(r[key] for r in regions) == nation[key], key


@pytest.mark.parametrize(
    ("change", "relation"),
    [
        ({"ballots_cancelled": 1}, "ballots_balance"),
        ({"invalid": 1}, "boxes_balance"),
        ({"tokayev": 1}, "votes_balance"),
    ],
)
def test_amendment_breaking_a_hard_relation_is_refused_and_nothing_written(
    small_election: Engine, change: dict[str, int], relation: str
) -> None:
    pec = first_pec(small_election)
    item = as_input(current(small_election, pec), **change)
    reject(
        small_election,
        lambda s, e: amend_protocol(s, e, pec, item, "TEC decision 1", "Operator", "typo"),
        f"relation {relation} broken",
    )


def test_amendment_without_decision_person_or_reason_is_refused(small_election: Engine) -> None:
    pec = first_pec(small_election)
    item = as_input(current(small_election, pec))
    for decision, by, reason, missing in [
        ("", "Operator", "typo", "decision"),
        ("TEC decision 1", " ", "typo", "by"),
        ("TEC decision 1", "Operator", "", "reason"),
    ]:
        reject(
            small_election,
            lambda s, e, d=decision, b=by, r=reason: amend_protocol(s, e, pec, item, d, b, r),
            f"needs a recorded {missing}",
        )


def test_stale_amendment_is_refused(small_election: Engine) -> None:
    pec = first_pec(small_election)
    doc = current(small_election, pec)
    with session_scope(small_election) as session:
        amend_protocol(session, get_election(session), pec, as_input(doc), "TEC 7", "A", "recount")
    reject(
        small_election,
        lambda s, e: amend_protocol(s, e, pec, as_input(doc), "TEC 8", "B", "again"),
        "amends version 1 but version 2 is current",
    )


def test_unknown_pec_and_duplicate_submission_are_refused(small_election: Engine) -> None:
    pec = first_pec(small_election)
    doc = current(small_election, pec)
    unknown = ProtocolInput("99-9999", doc["lines"])
    reject(small_election, lambda s, e: submit_protocols(s, e, [unknown], "op"), "no PEC 99-9999")
    different = as_input(
        doc, tokayev=1, valid=1, ballots_found=1, ballots_issued_station=1, ballots_cancelled=-1
    )
    reject(
        small_election,
        lambda s, e: submit_protocols(s, e, [different], "op"),
        "already has an accepted protocol",
    )
    with session_scope(small_election) as session:
        again = submit_protocols(session, get_election(session), [as_input(doc)], "op")
    assert again[0].status == "unchanged"


def test_a_batch_with_one_bad_protocol_writes_nothing(engine: Engine) -> None:
    scenario = units_only(engine)
    batch = scenario.protocols()
    bad = batch[17]
    lines = dict(bad.lines)
    lines["valid"] += 1
    batch[17] = ProtocolInput(bad.pec, lines)
    reject(engine, lambda s, e: submit_protocols(s, e, batch, "op"), f"PEC {bad.pec}")
    twice = [*scenario.protocols(0, 2), scenario.protocols(0, 1)[0]]
    reject(engine, lambda s, e: submit_protocols(s, e, twice, "op"), "the batch holds this PEC")
    with session_scope(engine) as session:
        assert session.scalar(select(Protocol.id).limit(1)) is None


def units_only(engine: Engine) -> Scenario:
    """An election of 40 PECs with its commissions but no protocol entered yet."""
    scenario = generate(stations=40, with_members=False)
    with session_scope(engine, write=True) as session:
        election = create_election(
            session,
            "kz-2022",
            "test",
            ELECTION_DATE,
            shipped_profile_path("kz-2022-presidential").read_text("utf-8"),
        )
        add_units(session, election, scenario.units)
    return scenario


def test_explained_relation_is_accepted_and_stays_flagged(small_election: Engine) -> None:
    pec = first_pec(small_election)
    doc = current(small_election, pec)
    # 3 more ballots in the boxes than issued: the stuffing signal of section XIII.
    item = as_input(doc, ballots_found=3, invalid=3)
    reject(
        small_election,
        lambda s, e: amend_protocol(s, e, pec, item, "TEC 3", "Op", "recount"),
        "accepted only with a recorded explanation",
    )
    explained = ProtocolInput(pec, item.lines, {"boxes_not_above_issued": "3 extra ballots"}, 1)
    with session_scope(small_election) as session:
        done = amend_protocol(session, get_election(session), pec, explained, "TEC 3", "Op", "r")
    assert done.flags == ("boxes_not_above_issued",)
    shown = current(small_election, pec)
    assert shown["flags"][0]["relation"] == "boxes_not_above_issued"
    assert shown["flags"][0]["explanation"] == "3 extra ballots"
    assert shown["flags"][0]["left"] == shown["flags"][0]["right"] + 3
    with session_scope(small_election) as session:
        election = get_election(session)
        listed = flagged_protocols(session, election)
        tec = session.scalar(select(Unit.parent_id).where(Unit.code == pec))
        in_region = flagged_protocols(session, election, tec)
    assert [row["pec"] for row in listed] == [pec] == [row["pec"] for row in in_region]
    assert listed[0]["flags"] == shown["flags"]
    assert verify(small_election) == []


def test_amendment_keeps_history_and_moves_the_totals(small_election: Engine) -> None:
    pec = first_pec(small_election)
    doc = current(small_election, pec)
    with session_scope(small_election) as session:
        election = get_election(session)
        before = summary(session, election)
        unchanged = amend_protocol(
            session, election, pec, as_input(doc), "TEC 5", "Recount team", "recount confirms"
        )
    assert unchanged.version == 2
    moved = as_input(current(small_election, pec), tokayev=-2, abden=2)
    with session_scope(small_election) as session:
        election = get_election(session)
        amend_protocol(session, election, pec, moved, "TEC 6 of 21.11", "B. Chair", "misfiled")
        after = summary(session, election)
        history = protocol_history(session, election, pec)
    assert [v["version"] for v in history] == [1, 2, 3]
    assert [v["current"] for v in history] == [False, False, True]
    assert history[0]["decision"] is None
    assert history[2]["decision"]["text"] == "TEC 6 of 21.11"
    assert history[2]["entered_by"] == "B. Chair" and history[2]["reason"] == "misfiled"
    assert history[1]["lines"] == history[0]["lines"]
    assert history[2]["lines"]["tokayev"] == history[0]["lines"]["tokayev"] - 2
    assert len({v["audit_hash"] for v in history}) == 3
    tok = {c["name"]: c["votes"] for c in after["candidates"]}["Kassym-Jomart Tokayev"]
    tok_before = {c["name"]: c["votes"] for c in before["candidates"]}["Kassym-Jomart Tokayev"]
    assert tok == tok_before - 2
    assert verify(small_election) == []


def test_unit_is_found_by_code_or_name(small_election: Engine) -> None:
    with session_scope(small_election) as session:
        election = get_election(session)
        assert summary(session, election, "Almaty")["unit_code"] == "KZ-75"
        assert summary(session, election, "almaty region")["unit_code"] == "KZ-19"
        assert summary(session, election, "Алматы")["unit_code"] == "KZ-75"
        assert summary(session, election, "KZ-71")["unit"] == "Astana"
        with pytest.raises(NotFound, match="several units"):
            summary(session, election, "Abay District")
        with pytest.raises(NotFound, match="no unit"):
            summary(session, election, "Atlantis")


def test_units_must_hang_under_existing_parents(small_election: Engine) -> None:
    from saylau.administration.service import UnitSpec
    from saylau.domain.errors import Conflict

    with (
        pytest.raises(NotFound, match="parent ZZ does not exist"),
        session_scope(small_election) as session,
    ):
        add_units(
            session,
            get_election(session),
            [UnitSpec("X-1", "pec", 3, "regular", "ZZ", "x", "x", "x")],
        )
    with pytest.raises(Conflict, match="already exists"), session_scope(small_election) as session:
        add_units(
            session,
            get_election(session),
            [UnitSpec("KZ-75", "tec", 1, "city", "KZ", "x", "x", "x")],
        )


def test_deleting_a_protocol_row_is_caught(small_election: Engine) -> None:
    pec = first_pec(small_election)
    with session_scope(small_election) as session:
        pec_id = session.scalar(select(Unit.id).where(Unit.code == pec))
        session.execute(delete(Protocol).where(Protocol.pec_id == pec_id))
    problems = verify(small_election)
    assert any(pec in p and "missing" in p for p in problems), problems


def test_documents_round_trip(small_election: Engine) -> None:
    pec = first_pec(small_election)
    with session_scope(small_election) as session:
        doc = protocol_document(session, get_election(session), pec)
    assert set(doc) == {"election", "pec", "version", "lines", "explanations", "flags"}
    assert list(doc["lines"])[:3] == ["voters_on_list", "voters_added", "voters_avc"]


def test_partial_reporting_shows_progress_and_no_outcome(engine: Engine) -> None:
    """Election night: results as protocols arrive, with the share of PECs reported."""
    scenario = units_only(engine)
    with session_scope(engine, write=True) as session:
        submit_protocols(session, get_election(session), scenario.protocols(0, 25), "op")
    with session_scope(engine) as session:
        nation = summary(session, get_election(session))
    assert (nation["pecs_reported"], nation["pecs_total"]) == (25, 40)
    assert nation["outcome"] == {"kind": "pending", "names": []}
    assert nation["valid"] == sum(int(scenario.lines["valid"][i]) for i in range(25))
