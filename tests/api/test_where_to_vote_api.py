"""The public "where do I vote" lookup: the station or one neutral answer, rate-limited."""

from __future__ import annotations

from datetime import date

import pytest

from saylau.server.ratelimit import RateLimit
from tests.night import Night
from tests.register.voters import pec_codes, person, register

URL = "/api/v1/elections/kz-2022/where-to-vote"


def test_the_station_or_one_neutral_answer(night: Night) -> None:
    pecs = pec_codes(night.engine)
    voter = person(900, pecs[6])
    excluded = person(901, pecs[6], exclusion="serving_prison_sentence")
    register(night.engine, [voter, excluded])
    stranger = person(902, pecs[6])  # a valid IIN, not on the register
    found = night.client.post(URL, json={"iin": voter.iin, "birth_date": "1980-06-15"})
    assert found.status_code == 200
    assert found.headers["cache-control"] == "no-store"
    body = found.json()
    assert body["found"] is True and body["station"]["code"] == pecs[6]
    unit = night.client.get(f"/api/v1/elections/kz-2022/units/{pecs[6]}").json()
    assert body["station"]["address"] == unit["address"]
    assert body["station"]["name_kk"] == unit["name_kk"]
    assert voter.family_name not in found.text and voter.given_names not in found.text
    answers = [
        night.client.post(URL, json={"iin": voter.iin, "birth_date": "1980-06-16"}),
        night.client.post(URL, json={"iin": stranger.iin, "birth_date": "1980-06-15"}),
        night.client.post(URL, json={"iin": excluded.iin, "birth_date": "1980-06-15"}),
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1, [a.text for a in answers]
    neutral = answers[0].json()
    assert neutral["found"] is False and neutral["station"] is None
    assert "contact your territorial election commission" in neutral["message"]
    assert excluded.family_name not in answers[2].text


def test_malformed_requests_are_refused_with_the_field(night: Night) -> None:
    bad_check = "800615400120"
    answer = night.client.post(URL, json={"iin": bad_check, "birth_date": "1980-06-15"})
    assert answer.status_code == 422 and "check digit" in answer.text
    answer = night.client.post(URL, json={"iin": "12", "birth_date": "1980-06-15"})
    assert answer.status_code == 422 and "12 digits" in answer.text
    answer = night.client.post(URL, json={"iin": "800615400123", "birth_date": "15.06.1980"})
    assert answer.status_code == 422 and "birth_date" in answer.text
    assert night.client.get(URL).status_code == 405  # an IIN never goes in a URL


def test_over_the_limit_is_429_with_retry_after(night: Night) -> None:
    night.client.app.state.lookup_limit = RateLimit("3/minute")  # type: ignore[attr-defined]
    voter = person(910, pec_codes(night.engine)[7])
    register(night.engine, [voter])
    body = {"iin": voter.iin, "birth_date": date(1980, 6, 15).isoformat()}
    for _ in range(3):
        assert night.client.post(URL, json=body).status_code == 200
    over = night.client.post(URL, json=body)
    assert over.status_code == 429
    assert 1 <= int(over.headers["retry-after"]) <= 60
    assert "too many lookups" in over.json()["detail"]
    page = night.client.post("/en/kz-2022/where-to-vote/", data=body)
    assert page.status_code == 429 and "Too many lookups" in page.text  # one limit for both


def test_limits_are_configured_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAYLAU_LOOKUP_RATE", "2/second")
    monkeypatch.setenv("SAYLAU_RATE_LIMIT_STORAGE", "memory://")
    limit = RateLimit.from_env()
    assert [limit.retry_after("a") is None for _ in range(3)] == [True, True, False]
    assert limit.retry_after("b") is None  # counted per client
    monkeypatch.setenv("SAYLAU_LOOKUP_RATE", "lots")
    with pytest.raises(ValueError, match="SAYLAU_LOOKUP_RATE"):
        RateLimit.from_env()
