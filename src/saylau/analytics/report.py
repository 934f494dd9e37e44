"""The integrity analytics of one election as one self-contained HTML page a journalist can read.

`saylau analyze --html` writes it from the same `Analysis` the JSON output holds, so every
figure on the page is the figure in the JSON. The page carries everything inline (CSS, a few
lines of script to sort the flagged stations, SVG plots, the fingerprint as a PNG data URL)
and a Content-Security-Policy that forbids fetching anything: it can be mailed, archived and
opened offline years later exactly as it was written.

Every sentence that judges a result is computed from that result here, never written into the
template: "strong evidence" below p = 0.01, "some evidence" below 0.05, "no evidence" above,
and each test states the null it was measured against. A test is a lead, not proof, and the
page says so first. The template only lays out what this module computes, so the readings are
tested in Python against the numbers they read.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from saylau.analytics import plots
from saylau.analytics.report_format import (
    FLAGGED_SHOWN,
    MISSING,
    _nan,
    _plural,
    anchor,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_pct_range,
    fmt_points,
    fmt_points_range,
    reason_words,
    strength,
    with_interval,
)
from saylau.analytics.report_readings import (
    Verdict,
    digit_reading,
    fingerprint_reading,
    integer_reading,
    relation_reading,
    subgroup_reading,
)
from saylau.domain.integrity.analysis import Analysis
from saylau.domain.integrity.digits import DigitTest
from saylau.domain.integrity.turnout_share import Relation

# -- the page ------------------------------------------------------------------------------


def _source_rows(source: dict[str, object]) -> list[tuple[str, str]]:
    rows = []
    for key, value in source.items():
        if isinstance(value, dict | list | tuple):
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        else:
            text = MISSING if value is None else str(value)
        rows.append((str(key).replace("_", " "), text))
    return rows


OPTION_LABELS = {
    "seed": "Random seed",
    "repetitions": "Whole-percent redraws",
    "min_voters": "Whole-percent test: smallest station (voters)",
    "tolerance_pp": "Whole-percent tolerance",
    "bootstrap": "Fingerprint bootstrap and null fits",
    "min_count_last": "Last-digit test: smallest count",
    "min_count_second": "Second-digit test: smallest count",
    "z_threshold": "Flag threshold (robust sd)",
    "min_group": "Smallest comparison group (stations)",
    "integer_chance": "Whole-percent flag: largest chance",
    "compare": "Subgroup attributes",
}


def _option_value(name: str, value: object) -> str:
    if name == "tolerance_pp" and value is None:
        return "to the nearest vote"
    if name == "compare":
        attributes = value if isinstance(value, list | tuple) else ()
        return ", ".join(map(str, attributes)) or "every attribute with 2 to 30 values"
    if name == "seed" or isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value)) or MISSING
    return MISSING if value is None else str(value)


def _options_rows(analysis: Analysis) -> list[tuple[str, str]]:
    """Every option the analysis ran with, named in words; one added later still shows."""
    options = analysis.options
    return [
        (
            OPTION_LABELS.get(f.name, f.name.replace("_", " ").capitalize()),
            _option_value(f.name, getattr(options, f.name)),
        )
        for f in fields(options)
    ]


def _distributions(analysis: Analysis) -> dict[str, Any]:
    d = analysis.distributions
    leader_hist = next((h for h in d.share_histograms if h.name == analysis.leader), None)
    turnout_mark = None if d.turnout is None else 100 * d.turnout
    high = [
        {
            "threshold": h.threshold,
            "stations": fmt_int(h.stations),
            "share": fmt_pct(h.share, 2),
            "interval": fmt_pct_range(h.low, h.high, 2),
            "voters_share": fmt_pct(h.voters_share, 2),
        }
        for h in d.high_turnout
    ]
    q = d.turnout_histogram.quantiles
    readings = []
    if not _nan(q.get("q25")) and not _nan(q.get("q75")):
        readings.append(
            f"Half of all voters voted at stations whose turnout was between "
            f"{fmt_pct(q['q25'])} and {fmt_pct(q['q75'])}; the median voter's station reported "
            f"{fmt_pct(q['q50'])}."
        )
    by_threshold = {h.threshold: h for h in d.high_turnout}
    h95 = by_threshold.get(95)
    if h95 is not None:
        if h95.stations:
            readings.append(
                f"{_plural(h95.stations, 'station')} ({fmt_pct(h95.share, 2)} of those with a "
                f"turnout) reported 95% turnout or more, holding {fmt_pct(h95.voters_share, 2)} "
                "of all voters. Stations abroad, in hospitals or military units honestly report "
                "very high turnout; a heap at the right edge of the histogram made of ordinary "
                "stations is the classic trace of stuffing."
            )
        else:
            readings.append("No station reported 95% turnout or more.")
    matched_note = None
    if (
        d.turnout is not None
        and d.matched_turnout is not None
        and round(d.turnout, 4) != round(d.matched_turnout, 4)
    ):
        matched_note = (
            f"Over the {fmt_int(d.stations_with_turnout)} stations that published both voters "
            f"and a list, turnout is {fmt_pct(d.matched_turnout, 2)}, against "
            f"{fmt_pct(d.turnout, 2)} over every published figure: some stations published "
            "voters without a list (stations abroad often do), or a list without voters."
        )
    shares = sorted(d.shares.items(), key=lambda kv: -kv[1])
    return {
        "turnout": fmt_pct(d.turnout, 2),
        "matched_note": matched_note,
        "registered": fmt_int(d.registered),
        "voters": fmt_int(d.voters),
        "valid": fmt_int(d.valid),
        "stations_with_turnout": fmt_int(d.stations_with_turnout),
        "shares": [(name, fmt_pct(share, 2), name == analysis.leader) for name, share in shares],
        "high": high,
        "readings": readings,
        "turnout_plot": plots.percent_histogram_svg(
            d.turnout_histogram.counts,
            xlabel="Turnout at the station (%)",
            ylabel="Voters",
            label="Histogram of voters by their station's turnout, in 1-point bins",
            prefix="turnout-hist",
            mark=turnout_mark,
            mark_label=f"national turnout {fmt_pct(d.turnout, 2)}",
        ),
        "share_plot": None
        if leader_hist is None
        else plots.percent_histogram_svg(
            leader_hist.counts,
            xlabel=f"{analysis.leader}'s share of valid votes at the station (%)",
            ylabel="Valid votes",
            label=f"Histogram of valid votes by {analysis.leader}'s share at their station",
            prefix="share-hist",
            mark=100 * d.shares.get(analysis.leader, float("nan")),
            mark_label=f"national share {fmt_pct(d.shares.get(analysis.leader), 2)}",
        ),
    }


def _integer(analysis: Analysis) -> dict[str, Any]:
    r = analysis.integer_percent
    rows = []
    for label, e in (
        ("Turnout", r.turnout),
        (f"{r.leader}'s share", r.leader_share),
        ("Either", r.either),
        ("Both", r.both),
        ("Both, weighted (the combined test)", r.combined),
    ):
        rows.append(
            {
                "label": label,
                "observed": fmt_num(e.observed, 1) if e is r.combined else fmt_int(e.observed),
                "null": f"{fmt_num(e.null_mean, 1)} ± {fmt_num(e.null_sd, 1)}",
                "excess": f"{e.excess:+,.0f}",
                "z": fmt_num(e.z, 1),
                "p": fmt_p(e.p_value, r.repetitions),
                "strength": strength(e.p_value, r.repetitions),
                "reading": integer_reading(e, r.repetitions),
            }
        )
    return {
        "stations_used": fmt_int(r.stations_used),
        "min_voters": fmt_int(r.min_voters),
        "repetitions": fmt_int(r.repetitions),
        "tolerance": "to the nearest vote"
        if r.tolerance_pp is None
        else f"within {r.tolerance_pp:g} percentage points",
        "rows": rows,
        "turnout_plot": plots.integer_values_svg(
            r.turnout_by_value,
            quantity="Turnout",
            label="Stations whose turnout is each whole percentage, observed and expected",
            prefix="int-turnout",
        ),
        "share_plot": plots.integer_values_svg(
            r.share_by_value,
            quantity=f"{r.leader}'s share",
            label=f"Stations whose {r.leader} share is each whole percentage, observed and "
            "expected",
            prefix="int-share",
        ),
    }


def _fingerprint(analysis: Analysis) -> dict[str, Any]:
    f = analysis.fingerprint
    testable = f.bootstrap > 0 and not _nan(f.fraud_incremental)
    rows = []
    for label, estimate, interval, p, kind in (
        (
            "Incremental fraud",
            f.fraud_incremental,
            f.incremental_interval,
            f.incremental_p,
            "incremental",
        ),
        ("Extreme fraud", f.fraud_extreme, f.extreme_interval, f.extreme_p, "extreme"),
    ):
        rows.append(
            {
                "label": label,
                "estimate": fmt_pct(estimate),
                "interval": fmt_pct_range(*interval),
                "p": fmt_p(p, f.bootstrap) if testable else "not testable",
                "strength": strength(p, f.bootstrap) if testable else "not testable",
                "reading": fingerprint_reading(f, kind),
            }
        )
    peak = None
    if testable:
        peak = (
            f"The clean peak sits at {fmt_pct(f.peak.turnout)} turnout and "
            f"{fmt_pct(f.peak.share)} for {f.leader} (centred by district; spreads "
            f"{fmt_pct(f.peak.turnout_sd)} and {fmt_pct(f.peak.share_sd)}), estimated from "
            f"{_plural(len(f.peak.deviations), 'station')} on its lower-left side, where fraud "
            "does not reach."
        )
    return {
        "stations": fmt_int(f.stations),
        "bootstrap": fmt_int(f.bootstrap),
        "fit_bins": f.fit_bins,
        "testable": testable,
        "rows": rows,
        "peak": peak,
        "image": plots.fingerprint_png(f.histogram, leader=f.leader),
    }


def redraw_null(tests: tuple[DigitTest, ...]) -> bool:
    """Whether the digit tests were made against binomial redraws, with the law beside them.

    The redraw null keeps each count's size; the classic law (uniform, Benford) is then a
    reference whose p-value is shown but does not decide the verdict.
    """
    return any(getattr(t, "reference", ()) for t in tests)


def _digit_rows(tests: tuple[DigitTest, ...], minimum: int) -> list[dict[str, str]]:
    rows = []
    for t in tests:
        law_p = getattr(t, "reference_p", float("nan"))
        if not t.testable:
            rows.append(
                {
                    "contestant": t.contestant,
                    "used": fmt_int(t.counts_used),
                    "mean": fmt_num(t.mean),
                    "interval": MISSING,
                    "expected": fmt_num(t.expected_mean),
                    "chi2": MISSING,
                    "p": MISSING,
                    "holm": MISSING,
                    "law_p": MISSING,
                    "strength": "not testable",
                }
            )
            continue
        rows.append(
            {
                "contestant": t.contestant,
                "used": fmt_int(t.counts_used),
                "mean": with_interval(t.mean, t.mean_low, t.mean_high)[0],
                "interval": with_interval(t.mean, t.mean_low, t.mean_high)[1],
                "expected": fmt_num(t.expected_mean),
                "chi2": fmt_num(t.chi_square, 1),
                "p": fmt_p(t.p_value),
                "holm": fmt_p(t.p_adjusted),
                "law_p": fmt_p(law_p) if not _nan(law_p) else MISSING,
                "strength": strength(t.p_adjusted),
            }
        )
    return rows


def _pooled(tests: tuple[DigitTest, ...], attribute: str) -> list[float] | None:
    """Expected digit shares over the tested contestants, each weighted by its counts."""
    used = [t for t in tests if t.testable and len(getattr(t, attribute, ())) == 10]
    total = sum(t.counts_used for t in used)
    if not used or total == 0:
        return None
    return [sum(t.counts_used * getattr(t, attribute)[i] for t in used) / total for i in range(10)]


def _digits(analysis: Analysis) -> dict[str, Any]:
    d = analysis.digits
    redraws = redraw_null(d.last_digit + d.second_digit)
    panels = []
    for title, tests in (("Last digit", d.last_digit), ("Second digit", d.second_digit)):
        used = [t for t in tests if t.testable]
        expected = _pooled(tests, "expected")
        if used and expected is not None:
            counts = [sum(t.frequencies[i] for t in used) for i in range(10)]
            panels.append((title, counts, expected, _pooled(tests, "reference")))
    honest = "what honest counts of the same sizes give"
    last_figure, last_p, last_reading = digit_reading(
        d.last_digit, honest if redraws else "uniform last digits"
    )
    second_figure, second_p, second_reading = digit_reading(
        d.second_digit, honest if redraws else "Benford's second-digit law"
    )
    return {
        "redraws": redraws,
        "min_last": fmt_int(d.min_count_last),
        "min_second": fmt_int(d.min_count_second),
        "last": _digit_rows(d.last_digit, d.min_count_last),
        "second": _digit_rows(d.second_digit, d.min_count_second),
        "last_reading": last_reading,
        "second_reading": second_reading,
        "plot": plots.digit_frequencies_svg(
            panels,
            label="Digit frequencies pooled over the contestants tested, against expected",
            prefix="digits",
        )
        if panels
        else None,
        "summary": ((last_figure, last_p), (second_figure, second_p)),
    }


def _relation_row(relation: Relation, leader: str) -> dict[str, str]:
    reading, p = relation_reading(relation, leader)
    r, r_interval = with_interval(
        relation.correlation, relation.correlation_low, relation.correlation_high
    )
    s, o = relation.leader_slope, relation.others_slope
    leader_value, leader_interval = with_interval(s.slope, s.low, s.high)
    others_value, others_interval = with_interval(o.slope, o.low, o.high)
    return {
        "area": relation.area,
        "stations": fmt_int(relation.stations),
        "r": r,
        "r_interval": r_interval,
        "leader": leader_value,
        "leader_interval": leader_interval,
        "others": others_value,
        "others_interval": others_interval,
        "beyond": "yes" if relation.leader_gains_beyond_voters else "no",
        "p": fmt_p(p),
        "strength": strength(p),
        "reading": reading,
    }


def _turnout_share(analysis: Analysis) -> dict[str, Any]:
    t = analysis.turnout_share
    regions = [_relation_row(r, t.leader) for r in t.regions]
    beyond = [r.area for r in t.regions if r.leader_gains_beyond_voters]
    if t.regions:
        region_reading = (
            f"Inside regions, where honest differences between places weigh less, the "
            f"leader's slope is above 1 with 95% confidence in {len(beyond)} of "
            f"{len(t.regions)} regions" + (f" ({', '.join(beyond)})" if beyond else "") + ". "
            f"Chance alone puts about {fmt_num(len(t.regions) / 40, 1)} of {len(t.regions)} "
            "regions there (each honest region has a 1 in 40 chance)."
        )
    else:
        region_reading = "No region has enough stations to be read on its own."
    return {
        "national": _relation_row(t.national, t.leader),
        "regions": regions,
        "region_reading": region_reading,
    }


def _flags(analysis: Analysis, flags_csv: str | Path | None) -> dict[str, Any]:
    f = analysis.flags
    total = len(f.flagged)
    reasons = [
        {
            "code": code,
            "label": reason_words(code)[0],
            "meaning": reason_words(code)[1],
            "count": fmt_int(count),
        }
        for code, count in f.by_reason.items()
    ]
    rows = [
        {
            "rank": i + 1,
            "code": s.code,
            "region": s.region,
            "district": s.district,
            "score": fmt_num(s.score, 1),
            "score_raw": f"{s.score:.4f}",
            "turnout": fmt_pct(s.turnout, 1),
            "turnout_raw": "" if s.turnout is None else f"{s.turnout:.6f}",
            "share": fmt_pct(s.leader_share, 1),
            "share_raw": "" if s.leader_share is None else f"{s.leader_share:.6f}",
            "reasons": [
                (reason_words(r)[0], e) for r, e in zip(s.reasons, s.explanations, strict=True)
            ],
        }
        for i, s in enumerate(f.flagged[:FLAGGED_SHOWN])
    ]
    where = (
        f"the file {flags_csv}" if flags_csv else "the CSV that saylau analyze --flags-csv writes"
    )
    if total == 0:
        reading = "No station is flagged."
    else:
        shown = min(total, FLAGGED_SHOWN)
        reading = (
            f"{_plural(total, 'station')} of {fmt_int(f.stations)} ({fmt_pct(total / f.stations)}) "
            + ("carries" if total == 1 else "carry")
            + " at least one flag. "
            + (
                f"The table shows the {fmt_int(shown)} most unusual"
                if total > shown
                else f"The table shows {'it' if total == 1 else 'all of them'}"
            )
            + ", ordered by score (the largest robust z among the outlier reasons)"
            + (
                f"; the full list of {fmt_int(total)} is in {where}."
                if total > shown
                else f"; the same list, with every figure, is in {where}."
            )
        )
    return {
        "total": fmt_int(total),
        "stations": fmt_int(f.stations),
        "z": f"{f.z_threshold:g}",
        "min_group": fmt_int(f.min_group),
        "reasons": reasons,
        "rows": rows,
        "reading": reading,
        "shown": len(rows),
        "caption": (
            f"The {fmt_int(len(rows))} most unusual of {fmt_int(total)} flagged stations"
            if total > len(rows)
            else f"All {_plural(total, 'flagged station')}, most unusual first"
        ),
    }


def _subgroups(analysis: Analysis) -> list[dict[str, Any]]:
    out = []
    for result in analysis.subgroups:
        reading, p = subgroup_reading(result)
        groups = [
            {
                "value": g.value,
                "stations": fmt_int(g.stations),
                "turnout": fmt_pct(g.turnout.value, 2),
                "turnout_diff": fmt_points(g.turnout_difference.value, 2),
                "turnout_interval": fmt_points_range(
                    g.turnout_difference.low, g.turnout_difference.high, 2
                ),
                "turnout_p": fmt_p(g.turnout_difference.p_value),
                "share": fmt_pct(g.leader_share.value, 2),
                "share_diff": fmt_points(g.share_difference.value, 2),
                "share_interval": fmt_points_range(
                    g.share_difference.low, g.share_difference.high, 2
                ),
                "share_p": fmt_p(g.share_difference.p_value),
            }
            for g in result.groups
        ]
        out.append(
            {
                "attribute": result.attribute,
                "anchor": anchor(result.attribute),
                "leader": result.leader,
                "groups": groups,
                "reading": reading,
                "p": p,
                "strength": strength(p),
            }
        )
    return out


def _summary(
    analysis: Analysis,
    integer: dict[str, Any],
    digits: dict[str, Any],
    share: dict[str, Any],
    flags: dict[str, Any],
    subgroups: list[dict[str, Any]],
) -> list[Verdict]:
    r = analysis.integer_percent
    f = analysis.fingerprint
    d = analysis.distributions
    rows = []
    h95 = next((h for h in d.high_turnout if h.threshold == 95), None)
    if h95 is not None:
        rows.append(
            Verdict(
                "Turnout of 95% or more",
                "distributions",
                f"{fmt_int(h95.stations)} stations ({fmt_pct(h95.share, 2)})",
                f"95% interval {fmt_pct_range(h95.low, h95.high, 2)}",
                f"Descriptive, not a test: {fmt_pct(h95.voters_share, 2)} of voters voted at "
                "such stations",
                "descriptive",
            )
        )
    for label, e in (
        ("Whole-percent turnout", r.turnout),
        (f"Whole-percent {r.leader} share", r.leader_share),
    ):
        rows.append(
            Verdict(
                label,
                "integer-percent",
                f"{fmt_int(e.observed)} stations, chance gives {fmt_num(e.null_mean, 0)} "
                f"± {fmt_num(e.null_sd, 0)}",
                fmt_p(e.p_value, r.repetitions),
                integer_reading(e, r.repetitions),
                strength(e.p_value, r.repetitions),
            )
        )
    rows.append(
        Verdict(
            "Whole percentages of both (combined)",
            "integer-percent",
            f"weighted score {fmt_num(r.combined.observed, 1)}, chance gives "
            f"{fmt_num(r.combined.null_mean, 1)} ± {fmt_num(r.combined.null_sd, 1)}",
            fmt_p(r.combined.p_value, r.repetitions),
            integer_reading(r.combined, r.repetitions),
            strength(r.combined.p_value, r.repetitions),
        )
    )
    testable = f.bootstrap > 0 and not _nan(f.fraud_incremental)
    for label, estimate, interval, p, kind in (
        ("Fingerprint: incremental fraud", f.fraud_incremental, f.incremental_interval,
         f.incremental_p, "incremental"),
        ("Fingerprint: extreme fraud", f.fraud_extreme, f.extreme_interval, f.extreme_p,
         "extreme"),
    ):  # fmt: skip
        rows.append(
            Verdict(
                label,
                "fingerprint",
                f"{fmt_pct(estimate)} of stations (95% interval {fmt_pct_range(*interval)})"
                if testable
                else MISSING,
                fmt_p(p, f.bootstrap) if testable else "not testable",
                fingerprint_reading(f, kind),
                strength(p, f.bootstrap) if testable else "not testable",
            )
        )
    for label, (figure, p), reading, tests in (
        ("Last digits", digits["summary"][0], digits["last_reading"],
         analysis.digits.last_digit),
        ("Second digits", digits["summary"][1], digits["second_reading"],
         analysis.digits.second_digit),
    ):  # fmt: skip
        adjusted = [t.p_adjusted for t in tests if t.testable and not _nan(t.p_adjusted)]
        rows.append(
            Verdict(
                label,
                "digits",
                figure,
                p,
                reading,
                strength(min(adjusted)) if adjusted else "not testable",
            )
        )
    national = share["national"]
    rows.append(
        Verdict(
            "Turnout and leader's votes",
            "turnout-share",
            f"{analysis.turnout_share.leader}'s slope {national['leader']} "
            f"({national['leader_interval']})",
            f"{national['p']} (slope above 1)",
            national["reading"],
            national["strength"],
        )
    )
    rows.append(
        Verdict(
            "Station flags",
            "flags",
            f"{flags['total']} of {flags['stations']} stations",
            MISSING,
            "Leads for a closer look at single stations, not findings",
            "descriptive",
        )
    )
    for s in subgroups:
        rows.append(
            Verdict(
                f"Stations by {s['attribute']}",
                s["anchor"],
                f"{len(s['groups'])} groups",
                fmt_p(s["p"]) if not _nan(s["p"]) else "not testable",
                s["reading"],
                s["strength"],
            )
        )
    return rows


def report_context(analysis: Analysis, *, flags_csv: str | Path | None = None) -> dict[str, Any]:
    """Everything the page shows, as display-ready strings and inline figures."""
    integer = _integer(analysis)
    digits = _digits(analysis)
    share = _turnout_share(analysis)
    flags = _flags(analysis, flags_csv)
    subgroups = _subgroups(analysis)
    return {
        "title": analysis.title,
        "name": analysis.name,
        "stations": fmt_int(analysis.stations),
        "contestants": ", ".join(analysis.contestants),
        "leader": analysis.leader,
        "source": _source_rows(analysis.source),
        "options": _options_rows(analysis),
        "seed": analysis.options.seed,
        "summary": _summary(analysis, integer, digits, share, flags, subgroups),
        "dist": _distributions(analysis),
        "integer": integer,
        "fp": _fingerprint(analysis),
        "digits": digits,
        "share": share,
        "flags": flags,
        "subgroups": subgroups,
    }


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("saylau.analytics", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(analysis: Analysis, *, flags_csv: str | Path | None = None) -> str:
    """The report as HTML text. `flags_csv` names the file holding every flagged station."""
    template = _environment().get_template("report.html")
    return template.render(**report_context(analysis, flags_csv=flags_csv))


def write_report(analysis: Analysis, path: Path, *, flags_csv: str | Path | None = None) -> None:
    """Write the report to `path` (UTF-8), creating its folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(analysis, flags_csv=flags_csv), encoding="utf-8")
