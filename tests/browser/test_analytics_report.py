"""The integrity report opened from disk in Debian's chromium, as a journalist would open a
mailed file: every section, plot and table shows, the flagged stations sort, nothing at all is
fetched from the network (the page must be whole on its own), and on a 390 px phone nothing
but the tables' own containers scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from saylau.analytics.report import write_report
from saylau.domain.integrity.analysis import Options, analyze
from saylau.domain.integrity.simulate import CleanModel, plant_stuffing, simulate_clean
from tests.browser.conftest import screenshot

SECTIONS = (
    "Summary",
    "Turnout and shares across stations",
    "Whole percentages",
    "Election fingerprint",
    "Digits of the vote counts",
    "Turnout and the leader's votes",
    "Station flags",
    "Subgroups of stations",
)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report on a 3,000-station election with stuffing planted in 5% of stations."""
    table = simulate_clean(CleanModel(stations=3000), seed=1)
    planted = plant_stuffing(table, share=0.05, points=0.15, seed=2)
    analysis = analyze(
        planted.table,
        name="sim-2024",
        title="Simulated election <with stuffing>",
        options=Options(repetitions=100, bootstrap=10),
        source={"file": "stations.csv", "sha256": "ab" * 32, "mapping": {"code": "PEC"}},
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(analysis, path)
    return path


@pytest.fixture
def offline(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    """A browser context where any request that is not file: or data: is refused and noted.

    The page's own Content-Security-Policy would block such a request before it is made; the
    console then reports the violation, which `open_report` collects as an error. Either way
    a page that reaches for the network fails the test.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    fetched: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            fetched.append(url)
            route.abort()

    context.route("**/*", guard)
    yield context, fetched
    context.close()


def open_report(context: BrowserContext, path: Path) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def test_report_opens_whole_and_offline_on_a_desktop(
    offline: tuple[BrowserContext, list[str]], report_file: Path
) -> None:
    context, fetched = offline
    page, errors = open_report(context, report_file)

    expect(page.locator("h1")).to_have_text("Simulated election <with stuffing>")
    for name in SECTIONS:
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    for landmark in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()

    # Plots: inline SVGs with their labels, and the fingerprint PNG actually decoded.
    plots = page.locator("figure svg.plot")
    assert plots.count() >= 5
    for i in range(plots.count()):
        expect(plots.nth(i)).to_be_visible()
        assert plots.nth(i).bounding_box()["height"] > 100  # type: ignore[index]
    image = page.locator("figure img.fingerprint")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 500
    assert page.locator("figure figcaption").count() == page.locator("figure").count()

    # Tables: captioned, visible; the summary has a reading for every test, in words.
    tables = page.locator("main table")
    assert tables.count() >= 10
    for i in range(tables.count()):
        assert tables.nth(i).locator("caption").count() == 1
    summary = page.locator("table.summary")
    expect(summary).to_be_visible()
    readings = summary.locator("td.reading").all_inner_texts()
    assert len(readings) >= 9 and all(len(text) > 20 for text in readings)
    strong = summary.locator("tr[data-strength=strong] td.reading")
    assert strong.count() >= 1 and strong.first.inner_text().startswith("Strong evidence")
    expect(page.locator("table.flagged")).to_be_visible()

    # The flagged stations sort by a column, both ways, by number.
    flagged = page.locator("table.flagged")
    rows = flagged.locator("tbody tr")
    assert 0 < rows.count() <= 200
    turnout_header = flagged.locator("thead th").nth(5)
    turnout_header.get_by_role("button").click()
    expect(turnout_header).to_have_attribute("aria-sort", "ascending")
    values = [float(v) for v in flagged.locator("tbody td:nth-child(6)").evaluate_all(
        "cells => cells.map(c => c.dataset.sort || 'NaN')")]  # fmt: skip
    known = [v for v in values if v == v]
    assert known == sorted(known)
    turnout_header.get_by_role("button").click()
    expect(turnout_header).to_have_attribute("aria-sort", "descending")
    values = [float(v) for v in flagged.locator("tbody td:nth-child(6)").evaluate_all(
        "cells => cells.map(c => c.dataset.sort || 'NaN')")]  # fmt: skip
    known = [v for v in values if v == v]
    assert known == sorted(known, reverse=True)
    rank_header = flagged.locator("thead th").first
    rank_header.get_by_role("button").click()
    expect(rank_header).to_have_attribute("aria-sort", "ascending")
    expect(rows.first.locator("td").first).to_have_text("1")

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "analytics-report-desktop")
    assert fetched == [], f"the report fetched {fetched}"
    assert errors == [], errors


def test_report_fits_a_phone(offline: tuple[BrowserContext, list[str]], report_file: Path) -> None:
    context, fetched = offline
    page, errors = open_report(context, report_file)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.body.scrollWidth") <= 390
    # Wide tables scroll inside their own container, which stays within the screen.
    wraps = page.locator(".table-wrap")
    for i in range(wraps.count()):
        box = wraps.nth(i).bounding_box()
        if box is not None:
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5
    regions = page.locator("table.regions").locator("xpath=..")
    assert regions.evaluate("wrap => wrap.scrollWidth > wrap.clientWidth")
    # The summary and the flagged stations become cards: nothing of them is off-screen.
    for selector in ("table.summary", "table.flagged"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] + box["width"] <= 390 + 0.5, selector
    reasons = page.locator("table.flagged tbody tr").first.locator("ul.reasons")
    reasons.scroll_into_view_if_needed()
    box = reasons.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 0.5
    for i in range(page.locator("figure svg.plot, figure img").count()):
        box = page.locator("figure svg.plot, figure img").nth(i).bounding_box()
        assert box is not None and box["width"] <= 390
    expect(page.get_by_role("heading", name="Station flags", exact=True)).to_be_visible()
    screenshot(page, "analytics-report-390")
    assert fetched == [], f"the report fetched {fetched}"
    assert errors == [], errors
