"""The protocol read adapter (`results.reads`) on SQLite and PostgreSQL: after an amendment the
version in force is the amended one everywhere it is read, the history keeps both versions
with the decision that made the second, and the first version's totals do not move."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from saylau.administration.models import Unit
from saylau.administration.service import get_election, profile_of
from saylau.domain.errors import NotFound
from saylau.results.reads import (
    current_pec_lines,
    current_versions_listed,
    decisions,
    find_current,
    first_version_totals,
    histories,
    history,
    latest_version_times,
)
from saylau.results.service import amend_protocol
from saylau.store.db import session_scope
from tests.integration.helpers import as_input, current

ADDED = 5  # voters added to the list on the day, by the amendment


def _pecs(engine: Engine) -> tuple[str, str, str]:
    """The first two PECs by code, and the TEC over the first (the amendment's body)."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(Unit.code, Unit.parent_id).where(Unit.kind == "pec").order_by(Unit.code)
        ).all()
        tec = session.scalar(select(Unit.code).where(Unit.id == rows[0][1]))
    return rows[0][0], rows[1][0], str(tec)


def _amend(engine: Engine, pec: str) -> None:
    item = as_input(current(engine, pec), voters_on_list=ADDED)
    with session_scope(engine) as session:
        amend_protocol(
            session, get_election(session), pec, item, "TEC decision 12", "Op", "recount"
        )


def _registered_lines(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        profile = profile_of(get_election(session))
    return [profile.line(code).no for code in profile.totals["registered"]]


def test_the_amended_version_is_in_force(small_election: Engine) -> None:
    pec, other, _ = _pecs(small_election)
    numbers = _registered_lines(small_election)
    with session_scope(small_election) as session:
        before = current_pec_lines(session, get_election(session))
    _amend(small_election, pec)
    with session_scope(small_election) as session:
        election = get_election(session)
        after = current_pec_lines(session, election)
        unit, _, version = find_current(session, election, pec)
        listed = {code: v.number for code, _, v in current_versions_listed(session, election)}
    assert version.number == 2
    assert listed[pec] == 2 and listed[other] == 1
    assert len(listed) == len(after) == len(before) == 40
    line = numbers[0]  # voters_on_list
    assert after[unit.id][line] == before[unit.id][line] + ADDED
    changed = {pec_id for pec_id in after if after[pec_id] != before[pec_id]}
    assert changed == {unit.id}


def test_versions_below_a_unit_are_listed_alone(small_election: Engine) -> None:
    pec, _, tec = _pecs(small_election)
    with session_scope(small_election) as session:
        election = get_election(session)
        tec_id = session.scalar(select(Unit.id).where(Unit.code == tec))
        below = [code for code, _, _ in current_versions_listed(session, election, tec_id)]
        every = [code for code, _, _ in current_versions_listed(session, election)]
    assert pec in below
    assert 0 < len(below) < len(every)
    assert every == sorted(every)


def test_history_keeps_every_version_with_its_decision(small_election: Engine) -> None:
    pec, other, tec = _pecs(small_election)
    _amend(small_election, pec)
    with session_scope(small_election) as session:
        election = get_election(session)
        versions = history(session, election, pec)
        untouched = history(session, election, other)
        every = histories(session, election)
        recorded = decisions(session, election)
    assert [(v.number, v.in_force) for v in versions] == [(1, False), (2, True)]
    assert versions[0].decision is None and versions[0].reason is None
    decision = versions[1].decision
    assert decision is not None
    assert (decision.body, decision.text, decision.recorded_by) == (tec, "TEC decision 12", "Op")
    assert decision.reference() == {"id": decision.id, "body": tec, "text": "TEC decision 12"}
    assert versions[1].reason == "recount" and versions[1].pec == pec
    assert [(v.number, v.in_force) for v in untouched] == [(1, True)]
    assert len(every) == 40
    assert sum(len(listed) for listed in every.values()) == 41
    assert recorded == [decision]


def test_first_version_totals_do_not_follow_an_amendment(small_election: Engine) -> None:
    pec, _, _ = _pecs(small_election)
    numbers = _registered_lines(small_election)
    with session_scope(small_election) as session:
        election = get_election(session)
        before = first_version_totals(session, election, numbers)
        lines = current_pec_lines(session, election)
    assert before == {pec_id: sum(v[n] for n in numbers) for pec_id, v in lines.items()}
    _amend(small_election, pec)
    with session_scope(small_election) as session:
        election = get_election(session)
        after = first_version_totals(session, election, numbers)
        lines = current_pec_lines(session, election)
        unit, _, _ = find_current(session, election, pec)
    assert after == before
    assert sum(lines[unit.id][n] for n in numbers) == before[unit.id] + ADDED


def test_the_newest_version_time_reaches_every_ancestor(small_election: Engine) -> None:
    pec, _, tec = _pecs(small_election)
    _amend(small_election, pec)
    with session_scope(small_election) as session:
        election = get_election(session)
        rows = session.execute(select(Unit.code, Unit.id).where(Unit.code.in_([pec, tec])))
        ids = {code: unit_id for code, unit_id in rows}
        amended_at = history(session, election, pec)[-1].created_at
        times = latest_version_times(session, election, list(ids.values()))
    assert times == {ids[pec]: amended_at, ids[tec]: amended_at}


def test_a_pec_without_a_protocol_or_unknown_is_not_found(small_election: Engine) -> None:
    with session_scope(small_election) as session:
        election = get_election(session)
        with pytest.raises(NotFound, match="no PEC 99-9999"):
            find_current(session, election, "99-9999")
        with pytest.raises(NotFound, match="no PEC 99-9999"):
            history(session, election, "99-9999")
