"""The public site in a real browser: drill down from the nation to one PEC checking every
number against the API, switch language, sort, download the CSV and re-sum it, look up a
polling station by address; and the static export behaving the same on a plain file host."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import httpx2
from playwright.sync_api import Browser, Page, expect

from saylau.administration.service import get_election
from saylau.publish.dataset import load_dataset
from saylau.store.db import session_scope
from saylau.web.export import write_site
from tests.browser.conftest import screenshot
from tests.night import Night


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def percent(text: str) -> float:
    return float(re.sub(r"[^\d,.]", "", text).replace(",", "."))


def check_unit_figures(page: Page, result: dict[str, Any]) -> None:
    """Every figure the unit page shows equals the API's result object."""
    for name in ("registered", "voters", "valid", "invalid", "avc", "mobile"):
        assert (
            number(page.locator(f'dl.figures dd[data-field="{name}"]').inner_text())
            == (result[name])
        ), name
    shown = percent(page.locator('dd[data-field="turnout_pct"]').inner_text())
    assert shown == result["turnout_pct"]
    for candidate in result["candidates"]:
        row = page.locator(f'table.votes tr[data-candidate="{candidate["name"]}"]')
        assert number(row.locator('[data-field="votes"]').inner_text()) == candidate["votes"]
        assert percent(row.locator('[data-field="pct"]').inner_text()) == candidate["pct"]
    against = page.locator('table.votes tr[data-candidate="against_all"]')
    assert (
        number(against.locator('[data-field="votes"]').inner_text())
        == (result["against_all"]["votes"])
    )
    if page.locator("table.protocol").count():
        return  # a PEC's page shows its protocol, not a reporting bar
    reported = page.locator("span.reported")
    assert int(reported.get_attribute("data-reported") or -1) == result["pecs_reported"]
    assert int(reported.get_attribute("data-total") or -1) == result["pecs_total"]


def test_drill_down_language_sort_download_and_lookup(
    browser: Browser, server: str, night: Night, tmp_path: Path
) -> None:
    api = httpx2.Client(base_url=server + "/api/v1/elections/kz-2022")
    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()

    page.goto(server + "/")
    expect(page).to_have_url(server + "/en/kz-2022/")
    check_unit_figures(page, api.get("/results").json())
    screenshot(page, "01-national-en")

    # Drill down: region -> (district TEC) -> PEC, following the first reported child each time.
    path = []
    while True:
        rows = page.locator("table.children tbody tr")
        if rows.count() == 0:
            break
        reported = [
            rows.nth(i)
            for i in range(rows.count())
            if not rows.nth(i).locator("td").first.inner_text().startswith("0 ")
        ]
        code = reported[0].get_attribute("data-unit")
        reported[0].locator("th a").click()
        expect(page).to_have_url(f"{server}/en/kz-2022/{code}/")
        path.append(code)
        if page.locator("table.protocol").count():
            break
        check_unit_figures(page, api.get(f"/results/{code}").json())
    pec = path[-1]
    assert len(path) >= 2, path
    screenshot(page, "02-pec-en")
    document = api.get(f"/protocols/{pec}").json()
    for line, value in document["lines"].items():
        shown = page.locator(f'table.protocol tr[data-line="{line}"] [data-field="value"]')
        assert number(shown.inner_text()) == value, line
    check_unit_figures(page, api.get(f"/results/{pec}").json())
    history = api.get(f"/protocols/{pec}/history").json()
    expect(page.locator("#audit-hash")).to_have_text(history[-1]["audit_hash"])
    assert page.locator("table.checks tbody tr").count() == 6

    # Switch language: the same page in Russian, then Kazakh.
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Русский").click()
    expect(page).to_have_url(f"{server}/ru/kz-2022/{pec}/")
    assert page.locator("html").get_attribute("lang") == "ru"
    expect(page.locator("#protocol-h")).to_contain_text("Протокол")
    assert page.locator('table.protocol tr[data-line="valid"] th').inner_text() == (
        "Число действительных бюллетеней"
    )
    screenshot(page, "03-pec-ru")
    page.get_by_role("navigation", name="Тіл").or_(
        page.get_by_role("navigation", name="Язык")
    ).get_by_role("link", name="Қазақша").click()
    expect(page).to_have_url(f"{server}/kk/kz-2022/{pec}/")
    assert page.locator("html").get_attribute("lang") == "kk"

    # Sort the regions by turnout (descending after two clicks).
    page.goto(server + "/en/kz-2022/")
    heading = page.locator("table.children thead th", has_text="Turnout")
    heading.locator("button").click()
    heading.locator("button").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    turnouts = [
        float(v)
        for v in page.locator("table.children tbody tr td:nth-child(4)").evaluate_all(
            "cells => cells.map(c => c.dataset.sort)"
        )
    ]
    assert turnouts == sorted(turnouts, reverse=True)

    # Download the CSV and re-sum the national figures shown on the page.
    page.get_by_role("link", name="Open data").click()
    screenshot(page, "04-downloads-en")
    with page.expect_download() as caught:
        page.get_by_role("link", name="results-by-pec.csv").click()
    saved = tmp_path / "results.csv"
    caught.value.save_as(saved)
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    page.goto(server + "/en/kz-2022/")
    valid = number(page.locator('dd[data-field="valid"]').inner_text())
    voters = number(page.locator('dd[data-field="voters"]').inner_text())
    assert sum(int(r["valid"] or 0) for r in rows) == valid
    assert (
        sum(
            int(r["ballots_issued_station"] or 0) + int(r["ballots_issued_mobile"] or 0)
            for r in rows
        )
        == voters
    )
    tokayev = page.locator(
        'table.votes tr[data-candidate="Kassym-Jomart Tokayev"] [data-field="votes"]'
    )
    assert sum(int(r["tokayev"] or 0) for r in rows) == number(tokayev.inner_text())

    # Find a polling station by its address, then open it.
    target = api.get("/units", params={"kind": "pec", "limit": 1, "offset": 3}).json()["items"][0]
    street = target["address"].split(",")[1].strip()
    page.get_by_role("link", name="Find my polling station").click()
    page.get_by_label("Polling station number, settlement or address").fill(
        f"{target['settlement']} {street}"
    )
    page.get_by_role("button", name="Search").click()
    hit = page.locator("ul.hits a", has_text=target["code"])
    expect(hit).to_have_count(1)
    screenshot(page, "05-search-en")
    hit.click()
    expect(page).to_have_url(f"{server}/en/kz-2022/{target['code']}/")

    # A phone-width screen: no horizontal scrolling of the page itself.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="kk-KZ").new_page()
    phone.goto(server + f"/kk/kz-2022/{pec}/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(phone, "06-pec-kk-phone")
    phone.goto(server + "/kk/kz-2022/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "07-national-kk-phone")
    context.close()


def test_static_export_works_on_a_plain_file_host(
    browser: Browser, night: Night, static_host: tuple[Path, str]
) -> None:
    folder, host = static_host
    with session_scope(night.engine) as session:
        dataset = load_dataset(session, get_election(session, "kz-2022"))
    write_site([dataset], folder)
    page = browser.new_context(locale="ru-RU").new_page()
    page.goto(host + "/")
    expect(page).to_have_url(host + "/ru/kz-2022/")
    region = page.locator("table.children tbody tr th a").first
    name, href = region.inner_text(), region.get_attribute("href")
    assert name and href and href != "/ru/kz-2022/"
    region.click()
    expect(page).to_have_url(host + href)  # the link leads where it says, on a file host too
    expect(page.locator("h1")).to_have_text(name)  # to the page of the region it names
    pec = next(iter(night.waiting))  # a PEC without protocol still has its page
    page.goto(f"{host}/ru/kz-2022/{pec}/")
    expect(page.locator("#pending-h")).to_be_visible()
    target = next(u for u in dataset.pecs() if u.address)
    page.goto(host + "/ru/kz-2022/search/")
    page.locator("#q").fill(target.code)
    page.locator("form.search button").click()
    hit = page.locator("ul.hits a", has_text=target.code)
    expect(hit).to_have_count(1)
    screenshot(page, "08-static-search-ru")
    hit.click()
    expect(page).to_have_url(f"{host}/ru/kz-2022/{target.code}/")
