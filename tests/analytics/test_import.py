"""Importing per-station results: the rules in bulk (no database), then storing on both backends
(Georgia's national figures, whole-or-nothing, --skip-bad, idempotence, Parquet)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
from sqlalchemy import Engine, func, select, text

from saylau.administration.service import create_election
from saylau.analytics.importer import STATION_COLUMNS, FileRefused, RowsRejected, read_stations
from saylau.analytics.mapping import MappingError, parse_mapping
from saylau.analytics.models import ImportedElectionRecord
from saylau.analytics.stations import (
    EVENT_KIND,
    get_imported,
    import_stations,
    imported_election_exists,
    list_imported,
    load_station_table,
)
from saylau.audit.models import AuditEvent
from saylau.audit.service import read_chain
from saylau.domain.errors import Conflict
from saylau.profiles import shipped_profile_path
from saylau.store.db import session_scope
from tests.analytics.files import (
    SMALL_MAPPING,
    georgia_csv,
    georgia_mapping,
    write_bad,
    write_small,
)
from tests.integration.helpers import snapshot


def mapping_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def problems_of(path: Path, mapping: str = SMALL_MAPPING) -> list[str]:
    with read_stations(path, parse_mapping(mapping)) as rows:
        return [str(p) for p in rows.problems()]


# --- the rules, in DuckDB, without a database ------------------------------------------------


def test_every_broken_rule_is_named_with_row_line_and_column(tmp_path: Path) -> None:
    bad = write_bad(tmp_path)
    assert problems_of(bad) == [
        "row 1 (line 2), column code: station code P1 is not unique: it is on rows 1, 4",
        "row 2 (line 3), column valid: valid 812 must equal the contestants' sum 810",
        "row 3 (line 4), column voters: voters must be a non-negative integer, not '1511.5'",
        "row 4 (line 6), column code: station code P1 is not unique: it is on rows 1, 4",
        "row 4 (line 6), column dist: region.values has no entry for '99'",
        "row 4 (line 6), column voters: voters must not be empty",
        "row 5 (line 7), column code: station code must not be empty",
        "row 5 (line 7), column reg: registered voters must be a non-negative integer, not '-5'",
        "row 5 (line 7), column a: votes for Alpha must be a non-negative integer, not 'abc'",
    ]
    with read_stations(bad, parse_mapping(SMALL_MAPPING)) as rows:
        assert (rows.rows, rows.accepted, rows.bad_rows, rows.problem_count) == (6, 1, 5, 9)
        stations = [row for batch in rows.station_batches(7, 100) for row in batch]
    # The one good row, renumbered from 0, with "50.0" read as 50 and the empty units NULL.
    assert stations == [(7, 0, 6, "P6", "North", "01", None, 100, 50, 1, None, 40, '{"note":"ok"}')]


def test_suspicious_but_possible_figures_are_not_rejections(tmp_path: Path) -> None:
    """More voters than registered, more ballots than voters: the analytics' job to flag."""
    path = tmp_path / "odd.csv"
    path.write_text("code,dist,reg,voters,valid,inv,a,b,note\nP1,01,10,50,90,5,60,30,\n")
    assert problems_of(path) == []


def test_a_line_of_several_columns_is_their_sum(tmp_path: Path) -> None:
    """Voters as ballots issued in the station + for mobile voting (a Kazakh or Russian PEC)."""
    path = tmp_path / "split.csv"
    path.write_text(
        "code,reg,in_station,mobile,a,b\n"
        "P1,100,40,10,30,10\n"  # 50 voters
        "P2,100,40,,30,10\n"  # mobile not published: voters missing, not 40
        "P3,100,40,x,30,10\n"
    )
    mapping = SMALL_MAPPING.replace("voters: voters", "voters: [in_station, mobile]")
    mapping = "\n".join(
        line
        for line in mapping.replace(
            "allow_missing: [invalid]", "allow_missing: [voters]"
        ).splitlines()
        if not line.startswith(("district", "region", "valid", "invalid", "attributes"))
    )
    with read_stations(path, parse_mapping(mapping)) as rows:
        assert [str(p) for p in rows.problems()] == [
            "row 3 (line 4), column mobile: voters must be a non-negative integer, not 'x'"
        ]
        stations = [row for batch in rows.station_batches(1, 10) for row in batch]
    named = [dict(zip(STATION_COLUMNS, row, strict=True)) for row in stations]
    assert [(s["code"], s["voters"]) for s in named] == [("P1", 50), ("P2", None)]


def test_a_column_the_file_lacks_names_the_key_and_lists_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("code,dist,reg,voters,valid,inv,a,note\nP1,01,10,5,5,0,5,\n")
    with pytest.raises(MappingError) as caught:
        problems_of(path)
    assert caught.value.key == "contestants[2].column"
    assert "names column 'b', which short.csv does not have" in str(caught.value)
    assert "its columns are: code, dist, reg, voters, valid, inv, a, note" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("code,dist,reg,voters,valid,inv,a,b,note\nP1,01,1,1,1,0,1,0,,extra\n", "Line: 2"),
        ("code,code,reg\n", "appears twice"),
        ("", "no header"),
    ],
)
def test_a_malformed_file_is_refused_whole(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(content)
    with pytest.raises(FileRefused, match=words):
        problems_of(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    path.write_bytes("code,район\n".encode("cp1251"))
    with pytest.raises(FileRefused, match="not UTF-8"):
        problems_of(path)


# --- storing, on SQLite and PostgreSQL -------------------------------------------------------


def test_georgia_loads_with_its_national_figures(engine: Engine) -> None:
    georgia = georgia_csv()
    with session_scope(engine, write=True) as session:
        outcome = import_stations(session, georgia, georgia_mapping())
    assert outcome.status == "imported"
    assert (outcome.rows, outcome.problem_count, outcome.election.stations) == (3095, 0, 3095)
    with session_scope(engine) as session:
        table = load_station_table(session, "georgia-2024")
        summary = get_imported(session, "georgia-2024")
        assert imported_election_exists(session, "georgia-2024")
        assert not imported_election_exists(session, "georgia-2020")
    assert len(table) == 3095
    turnout = table.voters[table.has_voters].sum() / table.registered.sum()
    assert f"{turnout:.2%}" == "59.71%"
    assert table.contestants[-1] == "Georgian Dream" == table.leader
    assert f"{table.votes[:, -1].sum() / table.valid.sum():.2%}" == "54.27%"
    assert (table.votes.sum(axis=1) == table.valid).all()
    # The 13 stations abroad without a voters figure stay without one.
    missing = ~table.has_voters
    assert missing.sum() == 13
    assert set(table.region[missing]) == {"Abroad"} and set(table.registered[missing]) == {0}
    assert set(table.attributes["abroad"][missing]) == {"True"}
    assert (table.invalid == -1).sum() == 150
    assert table.found is None
    assert table.codes[0] == "00.01.01" and table.region[0] == "Tbilisi"
    assert table.district[0] == "01"
    assert set(table.attributes["counting"]) == {"electronic", "traditional"}
    assert len(set(table.region)) == 12
    with engine.connect() as connection:
        nulls = connection.execute(
            text(
                "SELECT count(*) - count(voters), count(*) - count(invalid), count(found) "
                "FROM imported_station"
            )
        ).one()
        votes = connection.scalar(text("SELECT count(*) FROM imported_vote"))
    assert tuple(nulls) == (13, 150, 0)
    assert votes == 3095 * 18
    # One audit event with both files' digests, and the chain still verifies.
    with session_scope(engine) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.kind == EVENT_KIND))
        chain = read_chain(session)
    assert event is not None and event.seq == summary.audit_seq
    assert f'"file_sha256":"{summary.file_sha256}"' in event.payload
    assert f'"mapping_sha256":"{summary.mapping_sha256}"' in event.payload
    assert '"stations":3095' in event.payload and '"name":"georgia-2024"' in event.payload
    assert chain.breaks == []


def test_parquet_gives_the_same_table(engine: Engine, tmp_path: Path) -> None:
    """A Parquet copy with typed columns (voters as doubles like 1511.0) reads the same."""
    georgia = georgia_csv()
    parquet = tmp_path / "georgia.parquet"
    duckdb.execute(f"COPY (SELECT * FROM read_csv('{georgia}')) TO '{parquet}' (FORMAT parquet)")
    with session_scope(engine, write=True) as session:
        import_stations(session, georgia, georgia_mapping())
        import_stations(session, parquet, georgia_mapping(), name="georgia-parquet")
    with session_scope(engine) as session:
        from_csv = load_station_table(session, "georgia-2024")
        from_parquet = load_station_table(session, "georgia-parquet")
    for column in ("codes", "region", "district", "registered", "voters", "valid", "invalid"):
        assert (getattr(from_csv, column) == getattr(from_parquet, column)).all(), column
    assert np.array_equal(from_csv.votes, from_parquet.votes)
    assert (from_parquet.attributes["counting"] == from_csv.attributes["counting"]).all()
    # Booleans come out of Parquet as DuckDB writes them; the CSV's are kept as they were.
    assert set(from_parquet.attributes["abroad"]) == {"true", "false"}


def test_bad_rows_refuse_the_whole_file(engine: Engine, tmp_path: Path) -> None:
    bad, (_, mapping) = write_bad(tmp_path), write_small(tmp_path)
    before = snapshot(engine)
    with pytest.raises(RowsRejected) as caught, session_scope(engine, write=True) as session:
        import_stations(session, bad, mapping_text(mapping))
    message = str(caught.value)
    assert "9 problem(s) in 5 of 6 rows; nothing imported" in message
    assert "row 2 (line 3), column valid: valid 812 must equal the contestants' sum 810" in message
    assert snapshot(engine) == before
    assert before["imported_station"] == 0


def test_skip_bad_imports_the_rest(engine: Engine, tmp_path: Path) -> None:
    bad, (_, mapping) = write_bad(tmp_path), write_small(tmp_path)
    with session_scope(engine, write=True) as session:
        outcome = import_stations(session, bad, mapping_text(mapping), skip_bad=True)
    assert (outcome.rows, outcome.election.stations, outcome.election.rejected_rows) == (6, 1, 5)
    assert len(outcome.rejected) == outcome.problem_count == 9
    assert outcome.rejected[1].row == 2 and outcome.rejected[1].line == 3
    assert outcome.rejected[1].value == "812"
    with session_scope(engine) as session:
        table = load_station_table(session, "small-1")
    assert list(table.codes) == ["P6"] and list(table.votes[0]) == [30, 10]


def test_reimport_is_a_noop_and_another_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    csv_file, mapping = write_small(tmp_path)
    with session_scope(engine, write=True) as session:
        first = import_stations(session, csv_file, mapping_text(mapping))
    after_first = snapshot(engine)
    with session_scope(engine, write=True) as session:
        again = import_stations(session, csv_file, mapping_text(mapping))
    assert (first.status, again.status) == ("imported", "unchanged")
    assert again.election == first.election
    assert snapshot(engine) == after_first
    changed = tmp_path / "changed.csv"
    changed.write_text(csv_file.read_text().replace("P3,02,0,7,7,0,7,0", "P3,02,0,7,7,0,6,1"))
    with (
        pytest.raises(Conflict, match="stored from another file"),
        session_scope(engine, write=True) as session,
    ):
        import_stations(session, changed, mapping_text(mapping))
    with (
        pytest.raises(Conflict, match="stored from another mapping"),
        session_scope(engine, write=True) as session,
    ):
        import_stations(session, csv_file, mapping_text(mapping) + "\n# changed\n")
    assert snapshot(engine) == after_first
    with session_scope(engine, write=True) as session:
        import_stations(session, changed, mapping_text(mapping), name="small-2")
    with session_scope(engine) as session:
        assert [e.name for e in list_imported(session)] == ["small-1", "small-2"]
        table = load_station_table(session, "small-1")
    # Missing invalid stays missing; a station with nobody registered keeps its 0.
    assert list(table.invalid) == [2, -1, 0] and list(table.registered) == [100, 100, 0]
    assert list(table.region) == ["North", "North", "South"]
    assert list(table.attributes["note"]) == ["x", "two\nlines", "abroad"]


def test_a_saylau_election_code_is_not_an_import_name(engine: Engine, tmp_path: Path) -> None:
    csv_file, mapping = write_small(tmp_path)
    profile = shipped_profile_path("kz-2022-presidential").read_text(encoding="utf-8")
    with session_scope(engine, write=True) as session:
        create_election(session, "small-1", "An election", date(2022, 11, 20), profile)
    with (
        pytest.raises(Conflict, match="already the code of a saylau election"),
        session_scope(engine, write=True) as session,
    ):
        import_stations(session, csv_file, mapping_text(mapping))
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(ImportedElectionRecord)) == 0


def test_the_protocol_example_in_mappings_readme_reads(tmp_path: Path) -> None:
    """The annotated post-Soviet example people will copy works as documented."""
    readme = (Path(__file__).resolve().parents[2] / "mappings/README.md").read_text("utf-8")
    blocks = dict(re.findall(r"```(csv|yaml)\n(.*?)```", readme, flags=re.S))
    path = tmp_path / "protocols.csv"
    path.write_text(blocks["csv"], encoding="utf-8")
    mapping = parse_mapping(blocks["yaml"])
    with read_stations(path, mapping) as rows:
        assert (rows.rows, rows.problem_count) == (3, 0)
        named = [
            dict(zip(STATION_COLUMNS, row, strict=True))
            for batch in rows.station_batches(1, 10)
            for row in batch
        ]
    assert [s["code"] for s in named] == ["0001", "0002", "0003"]
    assert [s["voters"] for s in named] == [1022, 1191, 737]
    assert [s["found"] for s in named] == [1021, 1190, 737]
    assert mapping.contestants[-1].name == "Against all"
