"""The reference election built in a database (SQLite and PostgreSQL): Annex I to the vote
through the CLI contract, tabulation at every level, and a clean audit chain."""

from __future__ import annotations

from sqlalchemy import Engine

from saylau.administration.service import get_election, unit_counts
from saylau.results.tabulation import tabulate_all
from saylau.store.db import session_scope
from tests.integration.cli import saylau

SUMMARY_KEYS = {
    "unit",
    "registered",
    "voters",
    "valid",
    "invalid",
    "avc",
    "mobile",
    "turnout_pct",
    "candidates",
    "against_all",
    "pecs_reported",
    "pecs_total",
    "outcome",
}


def test_national_summary_is_annex_i(kz2022_url: str) -> None:
    ran = saylau("results", "summary", "--json", db=kz2022_url)
    assert ran.code == 0, ran.stderr
    s = ran.json()
    assert set(s) >= SUMMARY_KEYS
    assert s["unit"] == "Kazakhstan"
    assert (s["registered"], s["voters"], s["valid"]) == (11_953_465, 8_300_046, 7_940_477)
    assert (s["avc"], s["mobile"]) == (13_282, 112_969)
    assert s["turnout_pct"] == 69.44
    assert s["candidates"] == [
        {"name": "Karakat Abden", "votes": 206_206, "pct": 2.60},
        {"name": "Nurlan Auesbayev", "votes": 176_116, "pct": 2.22},
        {"name": "Zhiguli Dayrabayev", "votes": 271_641, "pct": 3.42},
        {"name": "Meiram Kazhyken", "votes": 200_907, "pct": 2.53},
        {"name": "Kassym-Jomart Tokayev", "votes": 6_456_392, "pct": 81.31},
        {"name": "Saltanat Tursynbekova", "votes": 168_731, "pct": 2.12},
    ]
    assert s["against_all"] == {"votes": 460_484, "pct": 5.80}
    assert (s["pecs_reported"], s["pecs_total"]) == (10_101, 10_101)
    assert s["outcome"] == {"kind": "winner", "names": ["Kassym-Jomart Tokayev"]}


def test_cities_by_name_have_the_reported_turnout(kz2022_url: str) -> None:
    almaty = saylau("results", "summary", "--unit", "Almaty", "--json", db=kz2022_url).json()
    astana = saylau("results", "summary", "--unit", "Astana", "--json", db=kz2022_url).json()
    assert (almaty["unit"], round(almaty["turnout_pct"], 1)) == ("Almaty", 28.7)
    assert (astana["unit"], round(astana["turnout_pct"], 1)) == ("Astana", 48.7)


def test_every_level_adds_up(kz2022_engine: Engine) -> None:
    with session_scope(kz2022_engine) as session:
        election = get_election(session)
        every = tabulate_all(session, election)
        counts = unit_counts(session, election)
    assert counts["tec"] == 239 and counts["pec"] == 10_101 and counts["members"] == 70_946
    nation = every["KZ"]
    regions = [r for code, r in every.items() if code.startswith("KZ-")]
    assert len(regions) == 20
    for key in ("registered", "voters", "valid", "invalid", "avc", "mobile", "pecs_total"):
        assert sum(r[key] for r in regions) == nation[key], key
    pecs = [r for r in every.values() if r["pecs_total"] == 1 and r["unit"].startswith("PEC")]
    assert len(pecs) == 10_101
    assert sum(p["valid"] for p in pecs) == nation["valid"]


def test_audit_chain_verifies(kz2022_url: str) -> None:
    ran = saylau("audit", "verify", db=kz2022_url)
    assert ran.code == 0, ran.stdout + ran.stderr
    assert "10,102 events" in ran.stdout
    head = saylau("audit", "verify", "--json", db=kz2022_url).json()
    assert head["ok"] and len(head["head"]) == 64 and head["events"] == 10_102
