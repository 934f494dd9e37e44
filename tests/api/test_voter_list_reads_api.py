"""Every voter list handed out over the API leaves a record of who read it, in the transaction
that serves it; a refused read leaves none; the records are for the CEC and the TECs only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from saylau.api.routers import voter_lists
from saylau.register.models import VoterListRead
from saylau.server.app import create_app
from saylau.store.db import session_scope
from tests.night import Night
from tests.register.voters import pec_codes, person, register

ELECTION = "/api/v1/elections/kz-2022"
READS = f"{ELECTION}/register/list-reads"


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


Read = tuple[str, str, str, str | None, int, int]  # reader, role, form, lang, first, rows


def recorded(night: Night) -> list[Read]:
    """Every stored read, oldest first, as the columns the tests check."""
    with session_scope(night.engine) as session:
        rows = session.scalars(select(VoterListRead).order_by(VoterListRead.id)).all()
        assert all(r.read_at.endswith("+00:00") for r in rows)  # UTC
        return [(r.reader, r.role, r.form, r.lang, r.first, r.rows) for r in rows]


def count(night: Night) -> int:
    with session_scope(night.engine) as session:
        return int(session.scalar(select(func.count()).select_from(VoterListRead)) or 0)


def tec_of(night: Night, pec: str) -> str:
    return str(night.client.get(f"{ELECTION}/units/{pec}").json()["parent"])


def test_each_json_page_and_pdf_is_recorded_once_with_reader_role_and_rows(night: Night) -> None:
    home = pec_codes(night.engine)[0]
    voters = [person(900 + i, home) for i in range(6)]
    voters.append(person(920, home, exclusion="court_declared_incapacity"))
    register(night.engine, voters)
    pec_token = night.token("pec-reader", "pec-operator", home)
    tec_token = night.token("tec-reader", "tec-operator", tec_of(night, home))

    first = night.client.get(f"{ELECTION}/pecs/{home}/voters?limit=5", headers=auth(pec_token))
    assert first.status_code == 200 and len(first.json()["items"]) == 5
    rest = night.client.get(
        f"{ELECTION}/pecs/{home}/voters?limit=5&offset=5", headers=auth(tec_token)
    )
    assert rest.status_code == 200 and len(rest.json()["items"]) == 2
    pdf = night.client.get(f"{ELECTION}/pecs/{home}/voters.pdf?lang=ru", headers=auth(pec_token))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    assert recorded(night) == [
        ("pec-reader", "pec-operator", "json", None, 0, 5),
        ("tec-reader", "tec-operator", "json", None, 5, 2),
        # the printed list: every voter who may sign (the excluded one is counted, not listed)
        ("pec-reader", "pec-operator", "pdf", "ru", 0, 6),
    ]


def test_a_refused_read_records_nothing(night: Night) -> None:
    pecs = pec_codes(night.engine)
    home, other = pecs[1], pecs[2]
    register(night.engine, [person(1000, home)])
    refusals = [
        (None, "voters", 401),
        ("not-a-token", "voters.pdf", 401),
        (night.token("other-pec", "pec-operator", other), "voters", 403),
        (night.token("other-pec-pdf", "pec-operator", other), "voters.pdf", 403),
        (night.token("observer", "observer", "KZ"), "voters", 403),
        (night.token("observer-pdf", "observer", "KZ"), "voters.pdf", 403),
    ]
    for token, suffix, status in refusals:
        answer = night.client.get(f"{ELECTION}/pecs/{home}/{suffix}", headers=auth(token))
        assert answer.status_code == status, (suffix, answer.text)
    cec = night.token("cec", "cec-admin", "KZ")
    for suffix in ("voters", "voters.pdf"):
        missing = night.client.get(f"{ELECTION}/pecs/99-9999/{suffix}", headers=auth(cec))
        assert missing.status_code == 404, missing.text
    bad_lang = night.client.get(f"{ELECTION}/pecs/{home}/voters.pdf?lang=de", headers=auth(cec))
    assert bad_lang.status_code == 422
    assert count(night) == 0


@pytest.mark.parametrize("suffix", ["voters", "voters.pdf"])
def test_a_list_whose_read_cannot_be_recorded_is_not_served(
    night: Night, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record commits before the answer leaves (`deps.WriteSession`): when that commit
    fails, the caller gets a server error, not the list."""
    home = pec_codes(night.engine)[3]
    voter = person(1100, home)
    register(night.engine, [voter])
    token = night.token(f"unlucky-{suffix}", "pec-operator", home)
    record, commit = voter_lists.record_read, Session.commit

    def marked(session: Session, *args: Any, **kwargs: Any) -> Any:
        session.info["read recorded"] = True
        return record(session, *args, **kwargs)

    def failing(session: Session) -> None:
        if session.info.get("read recorded"):
            raise RuntimeError("disk full: the read's record cannot be stored")
        commit(session)

    monkeypatch.setattr(voter_lists, "record_read", marked)
    monkeypatch.setattr(Session, "commit", failing)
    with TestClient(create_app(night.engine, check_every=0), raise_server_exceptions=False) as c:
        answer = c.get(f"{ELECTION}/pecs/{home}/{suffix}", headers=auth(token))
    monkeypatch.undo()
    assert answer.status_code == 500
    assert voter.iin.encode() not in answer.content and b"%PDF" not in answer.content
    assert count(night) == 0


def test_the_records_are_read_by_the_cec_and_a_tec_within_its_territory(night: Night) -> None:
    pecs = pec_codes(night.engine)
    home = pecs[4]
    tec = tec_of(night, home)
    elsewhere = next(p for p in pecs if tec_of(night, p) != tec)
    register(night.engine, [person(1200, home), person(1201, elsewhere)])
    for pec in (home, elsewhere):
        reader = night.token(f"reader-{pec}", "pec-operator", pec)
        assert night.client.get(f"{ELECTION}/pecs/{pec}/voters", headers=auth(reader)).is_success

    cec = night.token("cec-auditor", "cec-admin", "KZ")
    everything = night.client.get(READS, headers=auth(cec))
    assert everything.status_code == 200, everything.text
    assert everything.headers["cache-control"] == "no-store"
    body = everything.json()
    assert (body["election"], body["pec"], body["scope"]) == ("kz-2022", None, "KZ")
    assert [r["pec"] for r in body["items"]] == [elsewhere, home]  # newest first
    assert body["items"][0]["reader"] == f"reader-{elsewhere}"
    assert set(body["items"][0]) == {"read_at", "reader", "role", "pec", "form", "lang",
                                     "first", "rows"}  # fmt: skip
    one = night.client.get(READS, params={"pec": home, "limit": 5}, headers=auth(cec)).json()
    assert [r["pec"] for r in one["items"]] == [home] and one["limit"] == 5

    tec_token = night.token("tec-auditor", "tec-operator", tec)
    own = night.client.get(READS, headers=auth(tec_token))
    assert own.status_code == 200
    assert [r["pec"] for r in own.json()["items"]] == [home]  # not the other TEC's PEC
    inside = night.client.get(READS, params={"pec": home}, headers=auth(tec_token))
    assert inside.status_code == 200 and len(inside.json()["items"]) == 1
    outside = night.client.get(READS, params={"pec": elsewhere}, headers=auth(tec_token))
    assert outside.status_code == 403 and "outside the scope" in outside.text


def test_a_pec_operator_an_observer_and_no_token_may_not_read_the_records(night: Night) -> None:
    home = pec_codes(night.engine)[5]
    register(night.engine, [person(1300, home)])
    pec_token = night.token("pec-nosy", "pec-operator", home)
    assert night.client.get(f"{ELECTION}/pecs/{home}/voters", headers=auth(pec_token)).is_success
    for params in ({}, {"pec": home}):
        refused = night.client.get(READS, params=params, headers=auth(pec_token))
        assert refused.status_code == 403, refused.text
        assert "may not read the records of who read the voter lists" in refused.text
        observer = night.token(f"observer-{len(params)}", "observer", "KZ")
        assert night.client.get(READS, params=params, headers=auth(observer)).status_code == 403
        for token in (None, "not-a-token"):
            assert night.client.get(READS, params=params, headers=auth(token)).status_code == 401
    cec = night.token("cec-missing", "cec-admin", "KZ")
    missing = night.client.get(READS, params={"pec": "99-9999"}, headers=auth(cec))
    assert missing.status_code == 404 and "99-9999" in missing.text
    assert night.client.get(READS, params={"limit": 0}, headers=auth(cec)).status_code == 422
