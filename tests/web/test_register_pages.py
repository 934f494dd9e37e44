"""The register's pages on the served site; on the static one, turnout counts, nothing personal."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from saylau.administration.service import get_election
from saylau.publish.dataset import load_dataset
from saylau.publish.turnout import load_turnout
from saylau.register.models import BallotIssue
from saylau.store.db import session_scope
from saylau.web.export import write_site
from tests.night import Night
from tests.register.voters import pec_codes, person, register

PAGE = "/{lang}/kz-2022/where-to-vote/"


def answer_section(html: str) -> str:
    found = re.search(r'<section class="answer.*?</section>', html, re.S)
    assert found, html
    return found.group(0)


def test_lookup_page_in_every_language(night: Night) -> None:
    titles = {
        "en": "Where do I vote?",
        "ru": "Где мне голосовать?",
        "kk": "Қай жерде дауыс беремін?",
    }
    for lang, title in titles.items():
        page = night.client.get(PAGE.format(lang=lang))
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert f"<h1>{title}</h1>" in page.text
        assert 'method="post"' in page.text and 'name="iin"' in page.text
        assert "data-head-url" not in page.text  # no election-night polling here
        national = night.client.get(f"/{lang}/kz-2022/").text
        assert f'href="/{lang}/kz-2022/where-to-vote/"' in national
    assert night.client.get("/de/kz-2022/where-to-vote/").status_code == 404
    assert night.client.get("/en/no-such/where-to-vote/").status_code == 404


def test_lookup_answers_without_javascript(night: Night) -> None:
    pecs = pec_codes(night.engine)
    voter = replace(person(950, pecs[8]), family_name="Әбдірахманова")
    excluded = person(951, pecs[8], exclusion="court_declared_incapacity")
    register(night.engine, [voter, excluded])
    mine = {"iin": voter.iin, "birth_date": "1980-06-15"}
    found = night.client.post(PAGE.format(lang="ru"), data=mine)
    assert found.status_code == 200 and found.headers["cache-control"] == "no-store"
    section = answer_section(found.text)
    assert "Ваш избирательный участок" in section and pecs[8] in section
    assert f'href="/ru/kz-2022/{pecs[8]}/"' in section
    assert voter.iin not in found.text and voter.family_name not in found.text
    neutral = [
        night.client.post(PAGE.format(lang="kk"), data=body).text
        for body in (
            {"iin": voter.iin, "birth_date": "1981-06-15"},
            {"iin": person(952, pecs[8]).iin, "birth_date": "1980-06-15"},
            {"iin": excluded.iin, "birth_date": "1980-06-15"},
        )
    ]
    assert len({answer_section(html) for html in neutral}) == 1
    assert "Сайлау учаскесі табылмады" in answer_section(neutral[0])
    bad = night.client.post(PAGE.format(lang="en"), data={"iin": "800615400120",
                                                           "birth_date": "1980-06-15"})  # fmt: skip
    assert "Check the IIN" in answer_section(bad.text)
    no_date = night.client.post(PAGE.format(lang="en"), data={"iin": voter.iin, "birth_date": ""})
    assert "Check the date of birth" in answer_section(no_date.text)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    huge = night.client.post(PAGE.format(lang="en"), content=b"iin=" + b"1" * 10_000, headers=form)
    assert huge.status_code == 413


def test_checkin_page_is_a_form_for_the_api(night: Night) -> None:
    for lang, button in (("en", "Check in"), ("ru", "Отметить"), ("kk", "Белгілеу")):
        page = night.client.get(f"/{lang}/kz-2022/checkin/")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert 'data-api="/api/v1/elections/kz-2022/checkins"' in page.text
        assert f">{button}</button>" in page.text
        assert '<script src="/static/checkin.js" defer></script>' in page.text
        assert re.search(r"<script>(?!</script>)", page.text) is None  # no inline script
        assert "autofocus" in page.text
    assert night.client.get("/static/checkin.js").status_code == 200


def test_the_static_site_holds_no_personal_data(night: Night, tmp_path: Path) -> None:
    pecs = pec_codes(night.engine)
    planted = replace(person(960, pecs[9]), family_name="Құдайбергенова", given_names="Планта")
    register(night.engine, [planted, person(961, pecs[9], exclusion="serving_prison_sentence")])
    token = night.token("pec-9", "pec-operator", pecs[9])
    night.client.post("/api/v1/elections/kz-2022/checkins",
                      json={"pec": pecs[9], "iin": planted.iin, "client_id": "plant"},
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    with session_scope(night.engine) as session:
        election = get_election(session, "kz-2022")
        datasets = [load_dataset(session, election)]
        turnouts = {"kz-2022": load_turnout(session, election)}
    out = tmp_path / "site"
    write_site(datasets, out, workers=1, turnouts=turnouts)
    secrets = [planted.iin.encode(), planted.family_name.encode(), "Планта".encode()]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 100
    for path in files:
        content = path.read_bytes()
        for secret in secrets:
            assert secret not in content, (path, secret)
    for lang in ("kk", "ru", "en"):
        lookup = (out / lang / "kz-2022" / "where-to-vote" / "index.html").read_text()
        assert 'name="iin"' not in lookup and 'method="post"' not in lookup
        assert f'href="/{lang}/kz-2022/search/"' in lookup
        assert not (out / lang / "kz-2022" / "checkin").exists()
    # Turnout is published, as counts, where the API serves it: the PEC's one ballot of one
    # voter on its list (the excluded one is not counted), as of that ballot.
    turnout = json.loads((out / "api/v1/elections/kz-2022/units" / pecs[9] / "turnout").read_text())
    assert turnout["unit"] == pecs[9] and turnout["registered"] == 1
    assert [h["ballots"] for h in turnout["hours"]] == [1] and turnout["hours"][0]["share"] == 1.0
    with session_scope(night.engine) as session:
        assert turnout["as_of"] == session.scalar(select(BallotIssue.issued_at))
    nation = json.loads((out / "api/v1/elections/kz-2022/units/KZ/turnout").read_text())
    assert nation["hours"][-1]["ballots"] == 1
    english = (out / "en" / "kz-2022" / "where-to-vote" / "index.html").read_text()
    assert "works only on the election commission's live site" in english.replace("&#39;", "'")
