"""Every command that reads a JSON or CSV file, given NaN, nesting a thousand deep, bytes that
are not UTF-8 or no file at all: exit 2, a message naming the file and the rule, no traceback,
and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.integration.cli import saylau
from tests.integration.helpers import snapshot
from tests.integration.test_cli_contract import _url, any_pec

DEEP = "[" * 1000 + "]" * 1000
JSON_FILES: dict[str, tuple[bytes, str]] = {
    "NaN": (b'{"pec": "75-0001", "lines": {"valid": NaN}}', "NaN is not a JSON number"),
    "Infinity": (b'{"pec": "75-0001", "lines": {"valid": Infinity}}', "Infinity"),
    "1,000 levels": (DEEP.encode(), "deeper than 64 levels"),
    "not UTF-8": (b'{"pec": "\xff\xfe"}', "not UTF-8"),
    "a key twice": (b'{"pec": "a", "pec": "b"}', "appears twice"),
    "not JSON": (b"{not json", "not valid JSON"),
}
CSV_FILES: dict[str, tuple[bytes, str]] = {
    "not UTF-8": (b"name,country\n\xff\xfe,KZ\n", "UTF-8"),
}

Command = Callable[[str, str], list[str]]
"""The arguments of a command, given the file and a PEC."""

JSON_COMMANDS: dict[str, Command] = {
    "results submit": lambda f, _pec: ["results", "submit", "--file", f],
    "results amend": lambda f, pec: [
        "results",
        "amend",
        pec,
        "--file",
        f,
        "--decision",
        "D",
        "--by",
        "B",
        "--reason",
        "R",
    ],
    "observe submit": lambda f, _pec: ["observe", "submit", "--file", f],
}
CSV_COMMANDS: dict[str, Command] = {
    "observe observers import": lambda f, _pec: ["observe", "observers", "import", f],
    "observe teams import": lambda f, _pec: ["observe", "teams", "import", f],
    "observe deployments import": lambda f, _pec: ["observe", "deployments", "import", f],
    "register import": lambda f, _pec: ["register", "import", f],
    "register sites": lambda f, _pec: ["register", "sites", f],
    "register offline upload": lambda f, _pec: [
        "register",
        "offline",
        "upload",
        f,
        "--device",
        "d-1",
        "--by",
        "B",
    ],
}


def _refused(ran_code: int, stderr: str, path: str, rule: str) -> None:
    assert ran_code == 2, stderr
    assert "Traceback" not in stderr, stderr
    flat = " ".join(stderr.split())
    assert Path(path).name in flat, stderr
    assert rule in flat, stderr


@pytest.mark.parametrize("command", sorted(JSON_COMMANDS))
def test_json_files_are_read_strictly(small_election: Engine, tmp_path: Path, command: str) -> None:
    db = _url(small_election)
    pec = any_pec(small_election)
    before = snapshot(small_election)
    for name, (content, rule) in JSON_FILES.items():
        path = tmp_path / f"bad-{len(rule)}.json"
        path.write_bytes(content)
        ran = saylau(*JSON_COMMANDS[command](str(path), pec), db=db)
        _refused(ran.code, ran.stderr, str(path), rule)
        assert name
    missing = saylau(*JSON_COMMANDS[command](str(tmp_path / "none.json"), pec), db=db)
    _refused(missing.code, missing.stderr, "none.json", "cannot read")
    assert snapshot(small_election) == before


@pytest.mark.parametrize("command", sorted(CSV_COMMANDS))
def test_csv_and_line_files_refuse_what_is_not_text(
    small_election: Engine, tmp_path: Path, command: str
) -> None:
    db = _url(small_election)
    pec = any_pec(small_election)
    before = snapshot(small_election)
    for content, rule in CSV_FILES.values():
        path = tmp_path / "bad.csv"
        path.write_bytes(content)
        ran = saylau(*CSV_COMMANDS[command](str(path), pec), db=db)
        _refused(ran.code, ran.stderr, str(path), rule)
    missing = saylau(*CSV_COMMANDS[command](str(tmp_path / "none.csv"), pec), db=db)
    assert missing.code == 2 and "Traceback" not in missing.stderr, missing.stderr
    assert snapshot(small_election) == before


def test_a_queue_line_with_nan_or_deep_nesting_is_refused(
    small_election: Engine, tmp_path: Path
) -> None:
    db = _url(small_election)
    pec = any_pec(small_election)
    key = tmp_path / "device.pem"
    added = saylau("register", "device", "add", pec, "d-1", "--key-out", str(key), db=db)
    assert added.code == 0, added.stderr
    before = snapshot(small_election)
    for content, rule in ((b'{"entry": NaN}\n', "NaN"), (DEEP.encode() + b"\n", "deeper")):
        path = tmp_path / "queue.jsonl"
        path.write_bytes(content)
        ran = saylau(
            "register", "offline", "upload", str(path), "--device", "d-1", "--by", "B", db=db
        )
        assert ran.code == 2 and "Traceback" not in ran.stderr, ran.stderr
        assert "line 1" in ran.stderr and rule in ran.stderr, ran.stderr
    assert snapshot(small_election) == before


def test_a_batch_with_one_bad_protocol_writes_nothing(
    small_election: Engine, tmp_path: Path
) -> None:
    """A list of documents, one of them with a count as a string: all refused, none written."""
    db = _url(small_election)
    pec = any_pec(small_election)
    shown = saylau("results", "protocol", "show", pec, "--json", db=db).json()
    good = {k: shown[k] for k in ("pec", "lines")} | {"pec": pec}
    bad = {"pec": "75-9999", "lines": {"valid": "12"}}
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([good, bad]))
    before = snapshot(small_election)
    ran = saylau("results", "submit", "--file", str(path), db=db)
    assert ran.code == 2 and "Traceback" not in ran.stderr, ran.stderr
    assert "lines.valid" in ran.stderr and "valid integer" in ran.stderr
    assert snapshot(small_election) == before


def test_under_json_a_refusal_is_the_apis_body_on_stdout(
    small_election: Engine, tmp_path: Path
) -> None:
    """A script that asked for --json reads a refusal as it reads a result: the API's body
    (detail, error, record, problems) on stdout, exit 2; the human message stays on stderr,
    and without --json stdout stays empty."""
    db = _url(small_election)
    unknown = saylau("results", "protocol", "show", "99-9999", "--json", db=db)
    assert unknown.code == 2 and "99-9999" in unknown.stderr
    body = unknown.json()
    assert set(body) == {"detail", "error", "record", "problems"}
    assert body["error"] == "NotFound" and "99-9999" in body["detail"]
    unreadable = saylau("results", "submit", "--file", str(tmp_path / "none.json"), "--json", db=db)
    assert unreadable.code == 2
    assert "cannot read" in unreadable.json()["problems"][0]["rule"]
    plain = saylau("results", "protocol", "show", "99-9999", db=db)
    assert plain.code == 2 and plain.stdout == "" and "99-9999" in plain.stderr
