"""An observer fills the voting checklist on a phone-sized screen in Debian's chromium: skip
logic shows the AVC questions only when AVC voters came, a missing answer is refused with the
question named, the corrected checklist is stored once, and the findings page counts it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from saylau.administration.service import get_election
from saylau.observation.checklists import import_shipped_forms
from saylau.observation.missions import create_mission
from saylau.scenarios.build import build_kz2022
from saylau.server.app import create_app
from saylau.store.db import session_scope
from saylau.users.service import add_user
from tests.browser.conftest import free_port, screenshot

MISSION = "citizens-2022"


@pytest.fixture
def observing(engine: Engine) -> Iterator[tuple[str, str]]:
    """A served 40-PEC election with a citizen mission, its checklists and an observer token."""
    build_kz2022(engine, stations=40, code="kz-2022", with_members=False)
    with session_scope(engine, write=True) as session:
        election = get_election(session, "kz-2022")
        create_mission(session, election, MISSION, "Citizen observers", "citizen")
        import_shipped_forms(session)
        token = add_user(session, "Aliya (observer)", "observer", "KZ")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine, check_every=0), host="127.0.0.1", port=port,
                       log_level="warning")
    )  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    thread.join(timeout=10)


def answer_visible_questions(page: Page, skip: set[str]) -> None:
    """Pick the first choice of every visible choice question (by name: showing one can
    reveal others)."""
    names = page.locator(".question").evaluate_all("boxes => boxes.map(b => b.dataset.name)")
    for name in names:
        box = page.locator(f'.question[data-name="{name}"]')
        if name in skip or box.is_hidden():
            continue
        radios = box.locator("input[type=radio]")
        if radios.count():
            radios.first.check()


def test_observer_fills_the_voting_checklist_on_a_phone(
    browser: Browser, observing: tuple[str, str]
) -> None:
    base, token = observing
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ru-RU")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/ru/observe/{MISSION}/form/voting/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    retained = page.locator('.question[data-name="avc_retained"]')
    expect(retained).to_be_hidden()
    page.locator('.question[data-name="avc_voters"] input[value="yes"]').check()
    expect(retained).to_be_visible()
    page.locator('.question[data-name="avc_voters"] input[value="no"]').check()
    expect(retained).to_be_hidden()
    page.locator('.question[data-name="avc_voters"] input[value="yes"]').check()

    page.get_by_label("Код избирательного участка").fill("75-0001")
    page.fill("#arrived_at", "2022-11-20T10:30")
    page.fill("#team", "T-12")
    answer_visible_questions(page, skip={"overall"})
    page.fill("#token", token)
    page.get_by_role("button").last.click()
    expect(page.locator("#result")).to_contain_text("overall")  # refused, question named
    screenshot(page, "09-observer-form-refused-ru-phone")

    page.locator('.question[data-name="overall"] input[value="good"]').check()
    page.get_by_role("button").last.click()
    expect(page.locator("#result")).to_contain_text("#")
    screenshot(page, "10-observer-form-sent-ru-phone")

    page.goto(f"{base}/ru/observe/{MISSION}/findings/voting/")
    row = page.locator('table.findings tr[data-question="avc_retained"]')
    expect(row.locator("td").first).to_have_text("1")
    row.locator("a").first.click()
    expect(page.locator("tr[data-submission]")).to_have_count(0)  # "yes" was not a problem
    page.goto(f"{base}/ru/observe/{MISSION}/findings/voting/")
    screenshot(page, "11-findings-ru-phone")
    context.close()
