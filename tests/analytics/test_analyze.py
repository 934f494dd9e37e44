"""`saylau analyze` on saylau's own election and on an imported one, on both backends."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from saylau.administration.service import get_election
from saylau.analytics.analyze import load_subject
from saylau.analytics.analyze_own import own_station_table
from saylau.cli.main import app
from saylau.results.tabulation import summary
from saylau.store.db import session_scope
from tests.analytics.files import georgia_csv

QUICK = ("--repetitions", "30", "--bootstrap", "4")


def run(engine: Engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, [*args, "--db", url])


def test_own_election_table_adds_up_to_the_published_result(kz2022_engine: Engine) -> None:
    with session_scope(kz2022_engine) as session:
        election = get_election(session, "kz-2022")
        table = own_station_table(session, election)
        published = summary(session, election)
    assert len(table) == 10_101
    assert int(table.registered.sum()) == published["registered"] == 11_953_465
    assert int(table.voters.sum()) == published["voters"] == 8_300_046
    assert int(table.valid.sum()) == published["valid"] == 7_940_477
    by_name = dict(zip(table.contestants, table.votes.sum(axis=0).tolist(), strict=True))
    assert by_name["Kassym-Jomart Tokayev"] == 6_456_392
    assert by_name["Against all"] == 460_484
    assert table.leader == "Kassym-Jomart Tokayev"
    kinds = dict(zip(*np.unique(table.attributes["kind"], return_counts=True), strict=True))
    assert kinds == {"regular": 9556, "special": 477, "abroad": 68}
    assert set(table.attributes["observed"]) == {"no"}  # no mission in this database
    assert len(set(table.region)) == 20


def test_analyze_the_reference_election_from_the_cli(kz2022_engine: Engine, tmp_path: Path) -> None:
    flags = tmp_path / "flags.csv"
    result = run(
        kz2022_engine, "analyze", "--election", "kz-2022", *QUICK, "--json",
        "--flags-csv", str(flags), "--compare", "kind",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stations"] == 10_101
    assert report["source"]["kind"] == "saylau" and len(report["source"]["audit_head"]) == 64
    assert report["distributions"]["turnout"] == round(8_300_046 / 11_953_465, 6)
    assert report["integer_percent"]["repetitions"] == 30
    assert [s["attribute"] for s in report["subgroups"]] == ["kind"]
    special = next(g for g in report["subgroups"][0]["groups"] if g["value"] == "special")
    assert special["stations"] == 477
    with flags.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == report["flags"]["flagged_count"]
    assert all(row["reasons"] and row["explanations"] for row in rows)


def test_georgia_imported_then_analyzed(engine: Engine) -> None:
    imported = run(engine, "import", "stations", str(georgia_csv()), "--mapping", "georgia-2024")
    assert imported.exit_code == 0, imported.stderr
    with session_scope(engine) as session:
        subject = load_subject(session, None)  # the only election in this database
    assert subject.name == "georgia-2024" and len(subject.table) == 3095
    result = run(engine, "analyze", "--election", "georgia-2024", *QUICK, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["leader"] == "Georgian Dream"
    assert round(100 * report["distributions"]["turnout"], 2) == 59.71
    assert round(100 * report["distributions"]["shares"]["Georgian Dream"], 2) == 54.27
    assert report["source"]["file_sha256"] == subject.source["file_sha256"]
    counting = next(s for s in report["subgroups"] if s["attribute"] == "counting")
    assert {g["value"] for g in counting["groups"]} == {"electronic", "traditional"}
    # The scrape's ballots counted exceed its participants in 943 precincts: facts, flagged.
    assert report["flags"]["by_reason"]["boxes_above_voters"] == 943
    text = run(engine, "analyze", "--election", "georgia-2024", *QUICK)
    assert text.exit_code == 0, text.stderr
    assert "turnout 59.71%, Georgian Dream 54.27% of valid votes" in text.stdout


def test_unknown_election_and_bad_options_are_refused(engine: Engine) -> None:
    missing = run(engine, "analyze", "--election", "atlantis-2030")
    assert missing.exit_code == 2
    assert "no election 'atlantis-2030' to analyse (available: none)" in missing.stderr
    bad = run(engine, "analyze", "--repetitions", "0", "--tolerance", "0.7")
    assert bad.exit_code == 2
    assert "--repetitions 0: must be at least 1" in bad.stderr
    assert "--tolerance 0.7: must lie between 0 and 0.5 points" in bad.stderr
