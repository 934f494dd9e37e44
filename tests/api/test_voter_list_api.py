"""Per-PEC voter lists over the API: commissions only, each within its territory, never cached."""

from __future__ import annotations

import io

import pypdf

from tests.night import Night
from tests.register.voters import pec_codes, person, register

BASE = "/api/v1/elections/kz-2022/pecs"


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def test_who_may_read_a_pecs_list(night: Night) -> None:
    pecs = pec_codes(night.engine)
    home, other = pecs[0], pecs[1]
    register(night.engine, [person(500 + i, home) for i in range(3)])
    tec = night.client.get(f"/api/v1/elections/kz-2022/units/{home}").json()["parent"]
    cases = [
        ("pec-operator", home, 200),
        ("pec-operator", other, 403),
        ("tec-operator", tec, 200),
        ("cec-admin", "KZ", 200),
        ("observer", home, 403),
        ("observer", "KZ", 403),
    ]
    for i, (role, scope, status) in enumerate(cases):
        token = night.token(f"reader-{i}", role, scope)
        for suffix in ("voters", "voters.pdf"):
            answer = night.client.get(f"{BASE}/{home}/{suffix}", headers=auth(token))
            assert answer.status_code == status, (role, scope, suffix, answer.text)
            if status == 403:
                assert "outside the scope" in answer.text or "may not" in answer.text
    for suffix in ("voters", "voters.pdf"):
        assert night.client.get(f"{BASE}/{home}/{suffix}").status_code == 401
        cec = night.token(f"cec-{suffix}", "cec-admin", "KZ")
        missing = night.client.get(f"{BASE}/99-9999/{suffix}", headers=auth(cec))
        assert missing.status_code == 404 and "99-9999" in missing.text


def test_the_json_list_pages_and_carries_every_field(night: Night) -> None:
    home = pec_codes(night.engine)[2]
    voters = [person(600 + i, home) for i in range(5)]
    voters.append(person(620, home, exclusion="court_declared_incapacity"))
    register(night.engine, voters)
    token = night.token("pec-2", "pec-operator", home)
    issued = night.client.post(
        "/api/v1/elections/kz-2022/checkins",
        json={"pec": home, "iin": voters[0].iin, "client_id": "list-1"},
        headers=auth(token),
    )
    assert issued.status_code == 201, issued.text
    first = night.client.get(f"{BASE}/{home}/voters?limit=4", headers=auth(token))
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    page = first.json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 4, 0, 4)
    rest = night.client.get(f"{BASE}/{home}/voters?limit=4&offset=4", headers=auth(token)).json()
    rows = page["items"] + rest["items"]
    assert sorted(r["iin"] for r in rows) == sorted(v.iin for v in voters)
    assert set(rows[0]) == {"iin", "family_name", "given_names", "birth_date", "address",
                            "status", "exclusion", "on_list", "ballot"}  # fmt: skip
    by_iin = {r["iin"]: r for r in rows}
    assert by_iin[voters[0].iin]["ballot"]["kind"] == "station"
    assert by_iin[voters[0].iin]["ballot"]["pec"] == home
    assert by_iin[voters[1].iin]["ballot"] is None
    excluded = by_iin[voters[5].iin]
    assert (excluded["status"], excluded["exclusion"]) == ("excluded", "court_declared_incapacity")
    assert by_iin[voters[1].iin]["birth_date"] == "1980-06-15"


def test_a_list_read_with_a_token_is_never_served_from_the_cache(night: Night) -> None:
    home = pec_codes(night.engine)[3]
    register(night.engine, [person(700, home)])
    token = night.token("pec-3", "pec-operator", home)
    for _ in range(2):
        assert night.client.get(f"{BASE}/{home}/voters", headers=auth(token)).status_code == 200
        assert night.client.get(f"{BASE}/{home}/voters").status_code == 401
        assert night.client.get(f"{BASE}/{home}/voters.pdf").status_code == 401


def test_the_pdf_is_the_printable_list(night: Night) -> None:
    home = pec_codes(night.engine)[4]
    voters = [person(800 + i, home) for i in range(12)]
    register(night.engine, voters)
    token = night.token("pec-4", "pec-operator", home)
    answer = night.client.get(f"{BASE}/{home}/voters.pdf?lang=ru", headers=auth(token))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["cache-control"] == "no-store"
    assert f'filename="voter-list-{home}.pdf"' in answer.headers["content-disposition"]
    assert answer.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(answer.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Список избирателей" in text and "Избирателей в списке: 12" in text
    assert all(v.iin in text for v in voters)
    bad = night.client.get(f"{BASE}/{home}/voters.pdf?lang=de", headers=auth(token))
    assert bad.status_code == 422
