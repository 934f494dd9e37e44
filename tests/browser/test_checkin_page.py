"""The check-in page and the lookup in Debian's chromium: an operator issues a ballot, the same
IIN is refused with where and when, a mistyped IIN never leaves the page, a lost connection is
retried with the same client_id; a voter finds their polling station on a phone-sized screen."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Route, expect

from saylau.administration.service import get_election
from saylau.publish.dataset import load_dataset
from saylau.publish.turnout import load_turnout
from saylau.store.db import session_scope
from saylau.web.export import write_site
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.night import Night
from tests.register.voters import designate, pec_codes, person, register

SHOTS = Path("/tmp/shots")


def shot(page: Page, name: str) -> None:
    """A full-page screenshot kept with the test output (and in /tmp/shots to look at)."""
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", SHOTS / f"{name}.png")


def check_in(page: Page, iin: str) -> None:
    page.fill("#iin", iin)
    page.press("#iin", "Enter")


def test_operator_checks_voters_in(browser: Browser, server: str, night: Night) -> None:
    pec = pec_codes(night.engine)[10]
    voters = [person(1000 + i, pec) for i in range(3)]
    register(night.engine, voters)
    token = night.token("PEC operator", "pec-operator", pec)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/en/kz-2022/checkin/")
    expect(page.locator("#iin")).to_be_focused()
    page.fill("#token", token)
    page.fill("#pec", pec)
    check_in(page, voters[0].iin)
    verdict = page.locator("#verdict")
    expect(verdict).to_have_class("verdict issue")
    expect(verdict).to_contain_text("ISSUE BALLOT")
    expect(page.locator("#iin")).to_have_value("")
    shot(page, "checkin-issue-desktop")

    check_in(page, voters[0].iin)
    expect(verdict).to_have_class("verdict refuse")
    expect(verdict).to_contain_text("REFUSE")
    expect(verdict).to_contain_text(f"already voted at polling station {pec} at")
    expect(page.locator("#log tbody tr")).to_have_count(2)
    shot(page, "checkin-refuse-desktop")

    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data or "{}"))
            if r.url.endswith("/checkins") else None)  # fmt: skip
    bad = voters[1].iin[:11] + str((int(voters[1].iin[11]) + 1) % 10)
    check_in(page, bad)
    expect(page.locator("#iin-problem")).to_contain_text("check digit")
    assert sent == []  # refused in the page, nothing sent

    def drop(route: Route) -> None:
        route.abort("internetdisconnected")

    page.route("**/checkins", drop)
    check_in(page, voters[1].iin)
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("NOT been recorded")
    shot(page, "checkin-offline-desktop")
    page.unroute("**/checkins", drop)
    page.click("#retry")
    expect(verdict).to_have_class("verdict issue")
    expect(page.locator("#offline")).to_be_hidden()
    assert len(sent) == 2 and sent[0]["client_id"] == sent[1]["client_id"]
    assert "avc" not in sent[0]  # sent only when filled

    page.reload()  # the token and PEC stay on this device, the list for this session
    expect(page.locator("#operator")).not_to_have_attribute("open", "")
    expect(page.locator("#log tbody tr")).to_have_count(3)
    context.close()


def test_checkin_on_a_phone_in_kazakh(browser: Browser, server: str, night: Night) -> None:
    pec = pec_codes(night.engine)[11]
    voter = person(1100, pec)
    register(night.engine, [voter])
    token = night.token("PEC operator 2", "pec-operator", pec)
    context = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    page = context.new_page()
    page.goto(f"{server}/kk/kz-2022/checkin/")
    page.fill("#token", token)
    page.fill("#pec", pec)
    check_in(page, voter.iin)
    expect(page.locator("#verdict")).to_contain_text("БЮЛЛЕТЕНЬ БЕРУ")
    shot(page, "checkin-issue-phone-kk")
    check_in(page, voter.iin)
    expect(page.locator("#verdict")).to_have_class("verdict refuse")
    expect(page.locator("#verdict")).to_contain_text(f"{pec} учаскесінде бюллетень алған")
    shot(page, "checkin-refuse-phone-kk")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    context.close()


def test_voter_finds_their_polling_station(browser: Browser, server: str, night: Night) -> None:
    pec = pec_codes(night.engine)[12]
    voter = person(1200, pec)
    register(night.engine, [voter])
    for name, viewport in (("desktop", {"width": 1280, "height": 900}),
                           ("phone", {"width": 390, "height": 844})):  # fmt: skip
        context = browser.new_context(locale="ru-RU", viewport=viewport)
        page = context.new_page()
        page.goto(f"{server}/ru/kz-2022/")
        page.click("main a[href='/ru/kz-2022/where-to-vote/']")
        expect(page.locator("h1")).to_have_text("Где мне голосовать?")
        page.fill("#iin", voter.iin)
        page.fill("#birth_date", "1980-06-15")
        page.click("form.lookup button[type=submit]")
        answer = page.locator("#answer")
        expect(answer).to_contain_text("Ваш избирательный участок")
        expect(answer).to_contain_text(pec)
        shot(page, f"where-to-vote-found-{name}")
        page.fill("#iin", voter.iin)
        page.fill("#birth_date", "1980-06-16")
        page.click("form.lookup button[type=submit]")
        expect(answer).to_contain_text("избирательный участок не найден")
        shot(page, f"where-to-vote-neutral-{name}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        context.close()


def issue_through_api(night: Night, pec: str, voters: list[Any]) -> None:
    """Check `voters` in at their PEC through the API, as its operator would: a ballot each."""
    token = night.token(f"PEC {pec}", "pec-operator", pec)
    for voter in voters:
        answer = night.client.post(
            "/api/v1/elections/kz-2022/checkins",
            json={"pec": pec, "iin": voter.iin, "client_id": f"api-{voter.iin}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 201


def test_public_pages_show_turnout_from_check_ins(
    browser: Browser, server: str, night: Night
) -> None:
    pec = pec_codes(night.engine)[12]
    voters = [person(1100 + i, pec) for i in range(4)]
    register(night.engine, voters)
    issue_through_api(night, pec, voters[:3])
    page = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{server}/ru/kz-2022/{pec}/")
    live = page.locator("#live-turnout")
    expect(live).to_be_visible()
    expect(live.locator("tbody tr").last).to_contain_text("75,00 %")
    shot(page, "turnout-pec-phone-ru")
    nation = browser.new_context(locale="en-US").new_page()
    nation.goto(f"{server}/en/kz-2022/")
    expect(nation.locator("#live-turnout")).to_be_visible()


def test_the_static_site_shows_turnout_as_published(
    browser: Browser, night: Night, static_host: tuple[Path, str]
) -> None:
    """On a plain file host there is no API: the page reads the copy `publish site` wrote at
    the API's path, and says when it was counted."""
    pec = pec_codes(night.engine)[14]
    voters = [person(1300 + i, pec) for i in range(4)]
    register(night.engine, voters)
    issue_through_api(night, pec, voters[:2])
    folder, host = static_host
    with session_scope(night.engine) as session:
        election = get_election(session, "kz-2022")
        dataset = load_dataset(session, election)
        turnout = load_turnout(session, election)
    write_site([dataset], folder, workers=1, turnouts={"kz-2022": turnout})
    page = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{host}/ru/kz-2022/{pec}/")
    live = page.locator("#live-turnout")
    expect(live).to_be_visible()
    expect(live.locator("tbody tr").last).to_contain_text("50,00 %")
    assert turnout is not None
    expect(live.locator(".as-of")).to_have_text(turnout.as_of[:19].replace("T", " ") + " UTC")
    shot(page, "turnout-static-pec-phone-ru")


def test_operator_registers_a_person_on_no_list(
    browser: Browser, server: str, night: Night
) -> None:
    pec = pec_codes(night.engine)[13]
    designate(night.engine, [pec], "unregistered")
    newcomer = person(1200, pec, born=date(1991, 2, 3), sex="male")  # not registered
    token = night.token("PEC 13", "pec-operator", pec)
    page = browser.new_context(locale="kk-KZ", viewport={"width": 390, "height": 900}).new_page()
    page.goto(f"{server}/kk/kz-2022/checkin/")
    page.fill("#token", token)
    page.fill("#pec", pec)
    check_in(page, newcomer.iin)
    verdict = page.locator("#verdict")
    expect(verdict).to_have_class("verdict refuse")
    expect(verdict).to_contain_text("тізілімінде жоқ")  # not on the register
    page.click("#newcomer summary")
    page.fill("#family_name", "Сәрсенбаев")
    page.fill("#given_names", "Ерлан")
    page.fill("#birth_date", "1991-02-03")
    page.select_option("#sex", "male")
    page.fill("#address", "Абай даңғылы 5")
    check_in(page, newcomer.iin)
    expect(verdict).to_have_class("verdict issue")
    expect(verdict).to_contain_text("бүгін енгізілді")
    expect(page.locator("#newcomer")).not_to_have_attribute("open", "")
    shot(page, "checkin-newcomer-phone-kk")
