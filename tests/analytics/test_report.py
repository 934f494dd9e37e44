"""The HTML report of the integrity analytics: its readings follow the numbers (a planted
fraud is read as evidence, a clean election is not), every figure is formatted for a reader,
the page is self-contained and escapes what the data brings, and it stays light."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from saylau.analytics import plots
from saylau.analytics.report import render_report, report_context, write_report
from saylau.analytics.report_format import (
    FLAGGED_SHOWN,
    anchor,
    evidence,
    fmt_int,
    fmt_p,
    fmt_pct,
    fmt_points,
    p_from_interval,
    reason_words,
    strength,
)
from saylau.analytics.report_readings import fingerprint_reading, integer_reading, relation_reading
from saylau.domain.integrity.analysis import Analysis, Options, analyze
from saylau.domain.integrity.integer_percent import Excess
from saylau.domain.integrity.simulate import (
    CleanModel,
    plant_rounding,
    plant_stuffing,
    simulate_clean,
)
from saylau.domain.integrity.turnout_share import Relation, Slope

FAST = Options(repetitions=60, bootstrap=4)


@pytest.fixture(scope="module")
def clean() -> Analysis:
    table = simulate_clean(CleanModel(stations=1500), seed=11)
    return analyze(
        table,
        name="clean-2024",
        title="Clean <b>election</b> & co",
        options=FAST,
        source={"file": "stations.csv", "sha256": "0f" * 32, "mapping": {"code": "PEC"}},
    )


@pytest.fixture(scope="module")
def rounded() -> Analysis:
    table = simulate_clean(CleanModel(stations=1500), seed=12)
    planted = plant_rounding(table, share=0.2, seed=13)
    # 120 redraws: enough for a p-value below 0.01 to be possible at all.
    return analyze(planted.table, name="rounded", options=replace(FAST, repetitions=120))


@pytest.fixture(scope="module")
def clean_html(clean: Analysis) -> str:
    return render_report(clean)


# -- the words for numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "word", "opening"),
    [
        (0.0001, "strong", "Strong evidence"),
        (0.0099, "strong", "Strong evidence"),
        (0.01, "some", "Some evidence"),
        (0.0499, "some", "Some evidence"),
        (0.05, "no evidence", "No evidence"),
        (0.41, "no evidence", "No evidence"),
        (float("nan"), "not testable", "Not testable"),
    ],
)
def test_strength_thresholds(p: float, word: str, opening: str) -> None:
    assert strength(p) == word
    assert evidence(p) == opening


@pytest.mark.parametrize(
    ("p", "repetitions", "text"),
    [
        (0.41, None, "p = 0.41"),
        (0.0493, None, "p = 0.049"),
        (0.0042, None, "p = 0.004"),
        (0.0004, None, "p < 0.001"),
        (float("nan"), None, "not testable"),
        (1 / 201, 200, "p ≤ 0.005"),
        (1 / 1001, 1000, "p < 0.001"),
        (3 / 201, 200, "p = 0.015"),
    ],
)
def test_p_values_read_as_quoted(p: float, repetitions: int | None, text: str) -> None:
    assert fmt_p(p, repetitions) == text


def test_numbers_carry_separators_and_sensible_decimals() -> None:
    assert fmt_int(3581866) == "3,581,866"
    assert fmt_int(float("nan")) == "\N{EN DASH}"
    assert fmt_pct(0.600776) == "60.1%"
    assert fmt_pct(0.600776, 2) == "60.08%"
    assert fmt_pct(0.00031) == "0.03%"  # two decimals below one percent, not "0.0%"
    assert fmt_points(-0.0542) == "-5.4 points"


def test_integer_reading_follows_the_numbers() -> None:
    excess = Excess("turnout", observed=1200, null_mean=788.0, null_sd=25.0, p_value=1 / 1001)
    assert integer_reading(excess, 1000) == (
        "Strong evidence: 412 more stations with a whole-percent turnout than chance gives "
        "(p < 0.001)"
    )
    some = Excess("leader share", observed=840, null_mean=800.0, null_sd=20.0, p_value=0.03)
    assert integer_reading(some, 1000).startswith("Some evidence: 40 more stations")
    none = Excess("turnout", observed=400, null_mean=400.3, null_sd=17.0, p_value=0.41)
    assert integer_reading(none, 1000) == (
        "No excess of stations with a whole-percent turnout (p = 0.41)"
    )
    fewer = Excess("turnout", observed=380, null_mean=400.0, null_sd=17.0, p_value=0.87)
    assert "20 fewer than chance gives" in integer_reading(fewer, 1000)
    # Ten redraws cannot show p below 0.05: the report says so instead of "no evidence".
    unreached = Excess("turnout", observed=900, null_mean=400.0, null_sd=17.0, p_value=1 / 11)
    assert integer_reading(unreached, 10).startswith("Cannot tell")
    assert strength(1 / 11, 10) == "cannot tell"
    # Sixty redraws reach 0.016 at best: "some", and the reading says it may be stronger.
    capped = Excess("turnout", observed=900, null_mean=400.0, null_sd=17.0, p_value=1 / 61)
    assert integer_reading(capped, 60).startswith("Some evidence: 500 more stations")
    assert "60 redraws cannot show p below 0.016" in integer_reading(capped, 60)


def test_slope_reading_uses_the_interval() -> None:
    def relation(slope: float, low: float, high: float, r: float = 0.3) -> Relation:
        return Relation(
            "national", 1000, r, r - 0.05, r + 0.05,
            Slope(slope, low, high, 0.0), Slope(-0.2, -0.3, -0.1, 0.5),
        )  # fmt: skip

    text, p = relation_reading(relation(1.3, 1.2, 1.4), "C1")
    assert text.startswith("Strong evidence: C1's slope 1.30") and p < 0.01
    text, p = relation_reading(relation(0.6, 0.5, 0.7), "C1")
    assert "rise together" in text and "not above 1" in text and p > 0.5
    text, _ = relation_reading(relation(0.6, 0.5, 0.7, r=0.0), "C1")
    assert text.startswith("No evidence")
    assert math.isclose(p_from_interval(1.0, 0.9, 1.1, 1.0), 0.5)


def test_reasons_read_in_words_even_new_ones() -> None:
    assert reason_words("extreme_turnout")[0] == "Turnout 99% or more"
    assert reason_words("a_reason_added_later")[0] == "A reason added later"
    assert anchor("counting method") == "subgroup-counting-method"


# -- the page ------------------------------------------------------------------------------


def test_every_section_is_there(clean_html: str) -> None:
    for heading in (
        "Summary",
        "Turnout and shares across stations",
        "Whole percentages",
        "Election fingerprint",
        "Digits of the vote counts",
        "Turnout and the leader's votes",
        "Station flags",
        "Subgroups of stations",
        "How to read this",
    ):
        assert f">{heading}</h2>" in clean_html, heading
    assert "leads, not proof" in clean_html
    assert clean_html.count("<figure>") == clean_html.count("<figcaption>") >= 6
    assert clean_html.count("<table") == clean_html.count("<caption>")
    assert 'scope="col"' in clean_html and 'scope="row"' in clean_html
    for landmark in ("<header", "<main>", "<footer>", "<nav"):
        assert landmark in clean_html


def test_header_states_the_election_source_and_options(clean: Analysis, clean_html: str) -> None:
    assert "clean-2024" in clean_html
    assert "1,500" in clean_html  # stations, with a separator
    assert "0f" * 32 in clean_html
    assert "Random seed" in clean_html and str(clean.options.seed) in clean_html
    assert "Whole-percent redraws</th><td>60<" in clean_html


def test_data_is_escaped(clean_html: str) -> None:
    assert "Clean &lt;b&gt;election&lt;/b&gt; &amp; co" in clean_html
    assert "<b>election</b>" not in clean_html


def test_the_page_is_self_contained(clean_html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", clean_html)
    assert "url(http" not in clean_html and "@import" not in clean_html
    assert "default-src 'none'" in clean_html
    assert 'src="data:image/png;base64,' in clean_html


def test_clean_election_reads_as_no_evidence_of_whole_percent_excess(clean: Analysis) -> None:
    context = report_context(clean)
    rows = {v.test: v for v in context["summary"]}
    turnout = rows["Whole-percent turnout"]
    assert turnout.strength == strength(clean.integer_percent.turnout.p_value, 60)
    if clean.integer_percent.turnout.p_value >= 0.05:
        assert turnout.reading.startswith("No excess")


def test_planted_rounding_reads_as_strong_evidence(rounded: Analysis) -> None:
    excess = rounded.integer_percent.turnout
    assert excess.p_value < 0.01  # the domain finds it...
    rows = {v.test: v for v in report_context(rounded)["summary"]}
    verdict = rows["Whole-percent turnout"]
    assert verdict.strength == "strong"  # ...and the report says so, with the count
    assert verdict.reading.startswith(f"Strong evidence: {fmt_int(excess.excess)} more stations")
    assert 'data-strength="strong"' in render_report(rounded)


def test_fingerprint_reading_follows_its_p_value(clean: Analysis) -> None:
    f = clean.fingerprint
    hit = replace(f, fraud_incremental=0.08, incremental_interval=(0.05, 0.11), incremental_p=0.002)
    hit = replace(hit, bootstrap=1000)
    assert fingerprint_reading(hit, "incremental").startswith(
        "Strong evidence: fitted incremental fraud (stuffing) at 8.0% of stations"
    )
    quiet = replace(hit, incremental_p=0.4)
    assert fingerprint_reading(quiet, "incremental").startswith("No evidence")
    none = replace(hit, fraud_incremental=0.0, incremental_p=1.0)
    assert "the model fits none" in fingerprint_reading(none, "incremental")


def test_matched_turnout_is_noted_only_when_it_differs(clean: Analysis) -> None:
    assert report_context(clean)["dist"]["matched_note"] is None
    d = replace(clean.distributions, matched_turnout=(clean.distributions.turnout or 0) + 0.01)
    note = report_context(replace(clean, distributions=d))["dist"]["matched_note"]
    assert note is not None and "published both voters and a list" in note


def test_flagged_table_is_capped_and_points_to_the_csv(clean: Analysis) -> None:
    one = clean.flags.flagged[0] if clean.flags.flagged else None
    if one is None:
        pytest.skip("the clean election flags nothing")
    many = replace(clean.flags, flagged=(one,) * (FLAGGED_SHOWN + 50))
    html = render_report(replace(clean, flags=many), flags_csv="flags.csv")
    start = html.index('<table class="flagged')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr>") == FLAGGED_SHOWN + 1  # and the header row
    assert "the full list of 250 is in the file flags.csv" in html


def test_a_tiny_election_renders_with_tests_marked_not_testable() -> None:
    table = simulate_clean(CleanModel(stations=300), seed=5)
    tiny = analyze(table.subset(np.arange(20)), name="tiny", options=FAST)
    html = render_report(tiny)
    assert "Not testable: the model needs at least 30 stations (20 here)" in html
    assert "not testable" in html


def test_report_stays_light_and_is_written(tmp_path: Path) -> None:
    table = simulate_clean(CleanModel(stations=3000), seed=7)
    stuffed = plant_stuffing(table, share=0.05, points=0.15, seed=8).table
    analysis = analyze(stuffed, name="stuffed", options=FAST)
    path = tmp_path / "out" / "report.html"
    write_report(analysis, path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    # Plots are fixed-size and the flag table capped, so size does not grow with stations.
    assert len(text.encode()) < 1_000_000


def test_plots_have_unique_ids_and_scale() -> None:
    a = plots.percent_histogram_svg([1.0] * 100, xlabel="x", ylabel="y", label="A", prefix="a")
    b = plots.percent_histogram_svg([1.0] * 100, xlabel="x", ylabel="y", label="B", prefix="b")
    ids_a = set(re.findall(r'id="([^"]+)"', a))
    ids_b = set(re.findall(r'id="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    for ref in re.findall(r"url\(#([^)]+)\)", a):
        assert ref in ids_a
    head = a[: a.index(">")]
    assert "viewBox" in head and "width=" not in head and 'aria-label="A"' in head
    assert not a.startswith("<?xml")


def test_integer_window_keeps_the_values_that_matter() -> None:
    observed = [0] * 101
    null = [0.0] * 101
    observed[60], null[55], null[70] = 5, 1.0, 0.6
    assert plots.integer_window(observed, null) == (53, 72)
    assert plots.above_chance([30, 5], [10.0, 4.0]) == [True, False]


def test_the_combined_whole_percent_test_is_read_from_its_score(rounded: Analysis) -> None:
    combined = rounded.integer_percent.combined
    assert combined.p_value < 0.01
    rows = {v.test: v for v in report_context(rounded)["summary"]}
    verdict = rows["Whole percentages of both (combined)"]
    assert verdict.strength == "strong"
    assert verdict.reading.startswith("Strong evidence: the stations on whole percentages of both")
    assert f"weigh {combined.observed:,.1f} where chance gives" in verdict.reading
    quiet = replace(combined, p_value=0.5)
    assert integer_reading(quiet, 1000).startswith("No excess: the stations on whole percentages")
