"""The CLI contract later tools depend on: show -> amend round trip, rejections exit 2 with the
reason on stderr and write nothing, audit verify catching edits behind the application's back."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, text

from tests.integration.cli import saylau
from tests.integration.helpers import snapshot


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def any_pec(engine: Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT code FROM unit WHERE kind = 'pec' ORDER BY code LIMIT 1")
        ).scalar_one()


def test_show_amend_history_round_trip(small_election: Engine, tmp_path: Path) -> None:
    db = _url(small_election)
    pec = any_pec(small_election)
    shown = saylau("results", "protocol", "show", pec, "--json", db=db)
    assert shown.code == 0, shown.stderr
    document = shown.json()
    document["lines"]["tokayev"] -= 1
    document["lines"]["against_all"] += 1
    path = tmp_path / "amended.json"
    path.write_text(json.dumps(document))
    ran = saylau(
        "results",
        "amend",
        pec,
        "--file",
        str(path),
        "--decision",
        "TEC decision No. 4 of 21.11.2022",
        "--by",
        "A. Secretary",
        "--reason",
        "one ballot misread",
        "--json",
        db=db,
    )
    assert ran.code == 0, ran.stderr
    assert ran.json()["version"] == 2
    history = saylau("results", "protocol", "history", pec, "--json", db=db).json()
    assert [v["version"] for v in history] == [1, 2]
    assert history[1]["decision"]["text"] == "TEC decision No. 4 of 21.11.2022"
    assert history[1]["entered_by"] == "A. Secretary"
    assert history[1]["reason"] == "one ballot misread"
    assert history[1]["time"] and len(history[1]["audit_hash"]) == 64
    assert saylau("audit", "verify", db=db).code == 0


def test_rejections_exit_2_name_the_rule_and_write_nothing(
    small_election: Engine, tmp_path: Path
) -> None:
    db = _url(small_election)
    pec = any_pec(small_election)
    document = saylau("results", "protocol", "show", pec, "--json", db=db).json()
    before = snapshot(small_election)
    broken = json.loads(json.dumps(document))
    broken["lines"]["valid"] += 5
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    ran = saylau(
        "results",
        "amend",
        pec,
        "--file",
        str(path),
        "--decision",
        "D1",
        "--by",
        "X",
        "--reason",
        "R",
        db=db,
    )
    assert ran.code == 2
    assert f"PEC {pec} protocol rejected" in ran.stderr
    assert "relation boxes_balance broken" in ran.stderr
    assert f"valid {broken['lines']['valid']}" in ran.stderr
    no_decision = saylau(
        "results",
        "amend",
        pec,
        "--file",
        str(path),
        "--decision",
        "",
        "--by",
        "X",
        "--reason",
        "R",
        db=db,
    )
    assert no_decision.code == 2
    again = tmp_path / "again.json"
    changed = json.loads(json.dumps(document))
    changed["lines"]["tokayev"] -= 1
    changed["lines"]["abden"] += 1
    again.write_text(json.dumps(changed))
    duplicate = saylau("results", "submit", "--file", str(again), db=db)
    assert duplicate.code == 2 and "already has an accepted protocol" in duplicate.stderr
    unknown = dict(document, pec="99-9999")
    missing = saylau("results", "submit", "--file", "-", db=db, stdin=json.dumps(unknown))
    assert missing.code == 2 and "no PEC 99-9999" in missing.stderr
    garbage = saylau("results", "submit", "--file", "-", db=db, stdin="{not json")
    assert garbage.code == 2 and "not valid JSON" in garbage.stderr
    assert snapshot(small_election) == before
    resend = saylau("results", "submit", "--file", "-", db=db, stdin=json.dumps(document))
    assert resend.code == 0 and "unchanged" in resend.stdout
    assert snapshot(small_election) == before


def test_audit_verify_catches_a_direct_sql_update(small_election: Engine) -> None:
    db = _url(small_election)
    with small_election.begin() as connection:
        pec = connection.execute(
            text(
                "SELECT u.code FROM unit u JOIN protocol p ON p.pec_id = u.id "
                "ORDER BY u.code LIMIT 1"
            )
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE protocol_value SET value = value + 100 WHERE line_no = 16 AND version_id = "
                "(SELECT v.id FROM protocol_version v JOIN protocol p ON p.id = v.protocol_id "
                " JOIN unit u ON u.id = p.pec_id WHERE u.code = :pec)"
            ),
            {"pec": pec},
        )
    ran = saylau("audit", "verify", db=db)
    assert ran.code != 0
    assert f"PEC {pec} protocol differs from audit event" in ran.stdout
    assert "tokayev is" in ran.stdout


def test_audit_verify_catches_a_deleted_or_edited_log_entry(small_election: Engine) -> None:
    db = _url(small_election)
    with small_election.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = 7"))
    ran = saylau("audit", "verify", db=db)
    assert ran.code != 0
    assert "audit event 8: expected event 7 here: events are missing" in ran.stdout


def test_audit_verify_catches_an_edited_payload_and_a_removed_last_event(
    small_election: Engine,
) -> None:
    db = _url(small_election)
    with small_election.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET payload = replace(payload, :old, :new) WHERE seq = 5"),
            {"old": '"version":1', "new": '"version":2'},
        )
        last = connection.execute(text("SELECT max(seq) FROM audit_event")).scalar_one()
        connection.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": last})
    ran = saylau("audit", "verify", db=db)
    assert ran.code != 0
    assert "audit event 5: its content does not match its hash" in ran.stdout
    assert "has no event in the audit log" in ran.stdout


def test_db_upgrade_and_a_database_without_schema(db_url: str) -> None:
    refused = saylau("results", "summary", db=db_url)
    assert refused.code == 2 and "saylau db upgrade" in refused.stderr
    assert saylau("db", "upgrade", db=db_url).code == 0
    assert saylau("db", "upgrade", db=db_url).code == 0  # idempotent
    empty = saylau("results", "summary", db=db_url)
    assert empty.code == 2 and "holds no election" in empty.stderr


def test_audit_verify_catches_rewritten_election_rules(small_election: Engine) -> None:
    db = _url(small_election)
    with small_election.begin() as connection:
        connection.execute(
            text("UPDATE election SET profile_yaml = replace(profile_yaml, :old, :new)"),
            {"old": 'share_above: "0.5"', "new": 'share_above: "0.9"'},
        )
    ran = saylau("audit", "verify", db=db)
    assert ran.code != 0
    assert "election kz-2022 differs from audit event 1 in profile_sha256" in ran.stdout
