"""`saylau users` and `saylau publish site` as a user runs them, and the static site being the
served site, byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from saylau.server.app import create_app
from tests.integration.cli import saylau


def test_users_add_list_revoke(small_election: Engine, db_url: str) -> None:
    added = saylau(
        "users", "add", "Aigerim", "--role", "tec-operator", "--scope", "KZ-75", "--json", db=db_url
    )
    assert added.code == 0, added.stderr
    token = added.json()["token"]
    assert len(token) >= 40
    listed = saylau("users", "list", "--json", db=db_url).json()
    assert listed == [
        {
            "name": "Aigerim",
            "role": "tec-operator",
            "scope": "KZ-75",
            "created_at": listed[0]["created_at"],
            "revoked_at": None,
        }
    ]
    wrong_kind = saylau(
        "users", "add", "Bolat", "--role", "pec-operator", "--scope", "KZ-75", db=db_url
    )
    assert wrong_kind.code == 2 and "must be scoped to a PEC" in wrong_kind.stderr
    unknown = saylau(
        "users", "add", "Bolat", "--role", "pec-operator", "--scope", "99-9999", db=db_url
    )
    assert unknown.code == 2 and "no commission '99-9999'" in unknown.stderr
    twice = saylau("users", "add", "Aigerim", "--role", "cec-admin", "--scope", "KZ", db=db_url)
    assert twice.code == 2 and "exists" in twice.stderr
    assert saylau("users", "revoke", "Aigerim", db=db_url).code == 0
    again = saylau("users", "revoke", "Aigerim", db=db_url)
    assert again.code == 2 and "already revoked" in again.stderr
    stored = small_election.raw_connection()
    try:
        cursor = stored.cursor()
        cursor.execute("select token_sha256 from api_user")
        (digest,) = cursor.fetchone()
    finally:
        stored.close()
    assert digest == hashlib.sha256(token.encode()).hexdigest() and token not in digest
    assert saylau("audit", "verify", db=db_url).code == 0


def test_published_site_is_the_served_site(
    small_election: Engine, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    ran = saylau("publish", "site", "--out", str(out), db=db_url)
    assert ran.code == 0, ran.stderr
    assert "wrote" in ran.stdout and "pages" in ran.stderr  # the progress bar
    client = TestClient(create_app(small_election, check_every=0))
    pages = sorted(out.rglob("index.html"))
    assert len(pages) > 3 * 60
    checked = 0
    for page in pages:
        path = "/" + str(page.parent.relative_to(out)) + "/"
        if path == "/./" or path.endswith(("/search/", "/where-to-vote/")):
            continue  # the entry picks a language in JS; search runs in the browser here; the
            # lookup needs the register, so the static page says it is on the served site
        served = client.get(path)
        assert served.status_code == 200, path
        assert served.content == page.read_bytes(), path
        checked += 1
    assert checked > 3 * 60
    for data in (out / "data" / "kz-2022").iterdir():
        if data.name != "head.json":
            assert client.get(f"/data/kz-2022/{data.name}").content == data.read_bytes()
    sums = (out / "data" / "kz-2022" / "SHA256SUMS").read_text().splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / "data" / "kz-2022" / name).read_bytes()).hexdigest() == digest
