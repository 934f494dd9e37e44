"""`saylau import draft-mapping`: a first mapping guessed from a file's columns."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from saylau.analytics.draft import PLACEHOLDER, Column, draft_mapping, profile
from saylau.analytics.mapping import parse_mapping
from saylau.cli.main import app
from tests.analytics.files import georgia_csv

# The README's example: a Kazakh PEC protocol table under Russian headers, ;-separated.
PROTOCOLS = """УИК;ТИК;Область;Число избирателей в списке;Выдано в помещении;Выдано вне помещения;\
Обнаружено в урнах;Недействительные;Действительные;Абден;Ауесбаев;Дайрабаев;Кажыкен;Токаев;\
Турсынбекова;Против всех
0001;751110000;Алматы;1850;1010;12;1021;9;1012;24;21;35;25;830;20;57
0002;751110000;Алматы;2104;1191;0;1190;14;1176;30;25;41;22;980;18;60
0003;751120000;Алматы;960;702;35;737;6;731;12;9;15;11;640;8;36
"""


def test_georgia_columns_are_placed() -> None:
    columns, delimiter, rows = profile(georgia_csv())
    assert (delimiter, rows, len(columns)) == (",", 3095, 52)
    draft = draft_mapping(columns, name="georgia-draft", delimiter=delimiter)
    assert draft.guesses == {
        "station": "division_id",
        "invalid": "c_invalid_ballots",
        "valid": "total_votes",
        "registered": "total_registered_voters",
        "voters": "participated_cec",
        "district": "district_id",
    }
    assert len(draft.contestants) == 18 and all(c.startswith("CAND") for c in draft.contestants)
    assert not draft.missing
    mapping = parse_mapping(draft.text)
    assert mapping.station == "division_id" and len(mapping.contestants) == 18


def test_a_russian_protocol_table_imports_from_its_draft(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "protocols.csv"
    data.write_text(PROTOCOLS, encoding="utf-8")
    draft_file = tmp_path / "draft.yaml"
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    made = runner.invoke(
        app, ["import", "draft-mapping", str(data), "--name", "kz-protocols", "--out",
              str(draft_file)],
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert "the 7 contestant columns add up to Действительные in 3 of 3 rows" in made.stderr
    text = draft_file.read_text(encoding="utf-8")
    assert 'delimiter: ";"' in text and 'found: "Обнаружено в урнах"' in text
    assert 'region: "Область"' in text and 'invalid: "Недействительные"' in text
    assert 'voters: ["Выдано в помещении", "Выдано вне помещения"]' in text
    imported = runner.invoke(
        app, ["import", "stations", str(data), "--mapping", str(draft_file), "--db", url]
    )
    assert imported.exit_code == 0, imported.stderr
    again = runner.invoke(app, ["import", "draft-mapping", str(data), "--out", str(draft_file)])
    assert again.exit_code == 2 and "exists" in again.stderr


def test_what_cannot_be_guessed_is_left_for_a_person() -> None:
    columns = [Column("id", whole=False, unique=True), Column("2", whole=True, unique=False)]
    draft = draft_mapping(columns, name="x")
    assert draft.missing == ("registered", "voters")
    assert f'registered: "{PLACEHOLDER}"  # required' in draft.text
    assert '- {column: "2", name: "2"}' in draft.text  # a digit column name stays text
