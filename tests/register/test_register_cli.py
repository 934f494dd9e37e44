"""`saylau register` as an operator runs it: import, check in, exclusions."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from saylau.cli.main import app
from tests.register.voters import pec_codes, person


def run(engine: Engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(app, [*args, "--db", url])


def extract(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "iin,family_name,given_names,birth_date,sex,address,pec,exclusion\n" + "".join(rows),
        encoding="utf-8",
    )
    return path


def test_import_check_in_and_count(small_election: Engine, tmp_path: Path) -> None:
    pec = pec_codes(small_election)[0]
    a, b = person(41, pec), person(42, pec, exclusion="court_declared_incapacity")
    rows = [
        f"{p.iin},{p.family_name},{p.given_names},{p.birth_date},{p.sex},{p.address},{p.pec},"
        f"{p.exclusion or ''}\n"
        for p in (a, b)
    ]
    bad = run(small_election, "register", "import", str(extract(tmp_path / "bad.csv", [
        *rows, f"{a.iin},X,Y,1980-13-01,female,Z,{pec},\n"])))  # fmt: skip
    assert bad.exit_code == 2
    assert "row 3, field birth_date: '1980-13-01' is not a YYYY-MM-DD date" in bad.stderr
    good = run(small_election, "register", "import", str(extract(tmp_path / "ok.csv", rows)))
    assert good.exit_code == 0, good.stderr
    assert "added 2 voters from ok.csv" in good.stdout

    issued = run(small_election, "register", "checkin", pec, a.iin, "--by", "Op", "--json")
    assert issued.exit_code == 0, issued.stderr
    assert json.loads(issued.stdout)["kind"] == "station"
    twice = run(small_election, "register", "checkin", pec, a.iin, "--by", "Op")
    assert twice.exit_code == 2
    assert f"refused (already_voted): IIN {a.iin} has already been given a ballot" in twice.stderr
    excluded = run(small_election, "register", "exclusions", "--json")
    assert json.loads(excluded.stdout) == {
        "court_declared_incapacity": 1,
        "serving_prison_sentence": 0,
    }
