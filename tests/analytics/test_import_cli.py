"""`saylau import stations` and `saylau import list` as a user runs them (in process, on both
backends): exit codes, messages on stderr, the JSON summary, the rejects file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from saylau.cli.main import app
from tests.analytics.files import georgia_csv, write_bad, write_small


def run(engine: Engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, [*args, "--db", url])


def test_georgia_by_the_shipped_mapping_name_then_again(engine: Engine) -> None:
    georgia = str(georgia_csv())
    first = run(engine, "import", "stations", georgia, "--mapping", "georgia-2024", "--json")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["status"] == "imported"
    assert (report["rows_read"], report["rejected_rows"]) == (3095, 0)
    assert report["election"]["stations"] == 3095
    assert report["election"]["contestants"][-1] == "Georgian Dream"
    again = run(engine, "import", "stations", georgia, "--mapping", "georgia-2024")
    assert again.exit_code == 0, again.stderr
    assert "already imported from this file with this mapping" in again.stdout
    assert "nothing changed" in again.stdout
    listed = run(engine, "import", "list", "--json")
    assert [e["name"] for e in json.loads(listed.stdout)] == ["georgia-2024"]
    assert json.loads(listed.stdout)[0]["file_sha256"] == report["election"]["file_sha256"]
    assert run(engine, "audit", "verify").exit_code == 0


def test_a_bad_row_refuses_the_file_with_exit_2(engine: Engine, tmp_path: Path) -> None:
    bad, (_, mapping) = write_bad(tmp_path), write_small(tmp_path)
    ran = run(engine, "import", "stations", str(bad), "--mapping", str(mapping))
    assert ran.exit_code == 2
    assert "9 problem(s) in 5 of 6 rows; nothing imported" in ran.stderr
    assert "row 2 (line 3), column valid: valid 812 must equal the contestants' sum 810" in (
        ran.stderr
    )
    assert "--skip-bad" in ran.stderr
    assert not (tmp_path / "bad.rejects.csv").exists()
    assert json.loads(run(engine, "import", "list", "--json").stdout) == []


def test_skip_bad_writes_the_rejects(engine: Engine, tmp_path: Path) -> None:
    bad, (_, mapping) = write_bad(tmp_path), write_small(tmp_path)
    ran = run(
        engine, "import", "stations", str(bad), "--mapping", str(mapping), "--skip-bad", "--json"
    )
    assert ran.exit_code == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert (report["election"]["stations"], report["rejected_rows"], report["problems"]) == (
        1,
        5,
        9,
    )
    rejects = tmp_path / "bad.rejects.csv"
    assert report["rejects_file"] == str(rejects)
    with rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["row", "line", "column", "rule", "value"]
    assert len(rows) == 9
    assert rows[1] == {
        "row": "2",
        "line": "3",
        "column": "valid",
        "rule": "valid 812 must equal the contestants' sum 810",
        "value": "812",
    }
    elsewhere = tmp_path / "elsewhere.csv"
    named = run(
        engine,
        *("import", "stations", str(bad), "--mapping", str(mapping), "--election", "small-9"),
        *("--skip-bad", "--rejects", str(elsewhere)),
    )
    assert named.exit_code == 0, named.stderr
    assert "skipped 5 of 6 rows" in named.stdout
    assert elsewhere.read_text(encoding="utf-8") == rejects.read_text(encoding="utf-8")


def test_mapping_mistakes_exit_2_and_name_the_key(engine: Engine, tmp_path: Path) -> None:
    csv_file, mapping = write_small(tmp_path)
    unknown = run(engine, "import", "stations", str(csv_file), "--mapping", "atlantis-1999")
    assert unknown.exit_code == 2
    assert "no mapping file 'atlantis-1999'" in unknown.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(mapping.read_text().replace("voters: voters", "voters: turnout"))
    missing = run(engine, "import", "stations", str(csv_file), "--mapping", str(broken))
    assert missing.exit_code == 2
    assert "mapping key voters: names column 'turnout', which small.csv does not have" in (
        missing.stderr
    )
    assert "its columns are: code, dist, reg" in missing.stderr
    no_file = run(
        engine, "import", "stations", str(tmp_path / "none.csv"), "--mapping", str(mapping)
    )
    assert no_file.exit_code == 2 and "no file" in no_file.stderr


def test_skip_bad_with_no_good_row_refuses_and_says_why(engine: Engine, tmp_path: Path) -> None:
    _, mapping = write_small(tmp_path)
    hopeless = tmp_path / "hopeless.csv"
    hopeless.write_text("code,dist,reg,voters,valid,inv,a,b,note\nP1,01,100,50,41,2,30,10,x\n")
    ran = run(engine, "import", "stations", str(hopeless), "--mapping", str(mapping), "--skip-bad")
    assert ran.exit_code == 2
    assert "valid 41 must equal the contestants' sum 40" in ran.stderr
    assert "valid 41 must equal" in (tmp_path / "hopeless.rejects.csv").read_text("utf-8")
    assert json.loads(run(engine, "import", "list", "--json").stdout) == []
