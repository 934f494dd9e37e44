"""Results arithmetic against Annex I, and the winner rule at its edges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saylau.domain.tabulation import build_summary, decide_outcome, percent
from tests.domain.fixtures import profile

ANNEX_VOTES = {
    "abden": 206_206,
    "auesbayev": 176_116,
    "dayrabayev": 271_641,
    "kazhyken": 200_907,
    "tokayev": 6_456_392,
    "tursynbekova": 168_731,
    "against_all": 460_484,
}
ANNEX_PCT = {
    "abden": "2.60",
    "auesbayev": "2.22",
    "dayrabayev": "3.42",
    "kazhyken": "2.53",
    "tokayev": "81.31",
    "tursynbekova": "2.12",
    "against_all": "5.80",
}
VALID = 7_940_477


def test_annex_i_percentages() -> None:
    assert sum(ANNEX_VOTES.values()) == VALID
    for code, votes in ANNEX_VOTES.items():
        assert percent(votes, VALID) == Decimal(ANNEX_PCT[code]), code
    assert sum(percent(v, VALID) for v in ANNEX_VOTES.values()) == Decimal("100.00")
    assert percent(8_300_046, 11_953_465) == Decimal("69.44")


def test_percent_rounds_half_up_and_survives_zero() -> None:
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 800) == Decimal("0.13")  # 0.125 rounds up
    assert percent(5, 0) == Decimal("0.00")


def test_summary_of_annex_lines() -> None:
    lines = {
        **ANNEX_VOTES,
        "valid": VALID,
        "voters_on_list": 11_951_198,
        "voters_added": 2_267,
        "ballots_issued_station": 8_300_046 - 112_969,
        "ballots_issued_mobile": 112_969,
        "voters_avc": 13_282,
        "invalid": 359_569,
    }
    s = build_summary(profile(), "Kazakhstan", lines, 10_101, 10_101)
    assert s["registered"] == 11_953_465 and s["voters"] == 8_300_046
    assert s["turnout_pct"] == 69.44 and s["avc"] == 13_282 and s["mobile"] == 112_969
    assert [c["pct"] for c in s["candidates"]] == [2.60, 2.22, 3.42, 2.53, 81.31, 2.12]
    assert s["against_all"] == {"votes": 460_484, "pct": 5.80}
    assert s["outcome"] == {"kind": "winner", "names": ["Kassym-Jomart Tokayev"]}


def _votes(**given: int) -> dict[str, int]:
    return {code: given.get(code, 0) for code in ANNEX_VOTES if code != "against_all"}


@pytest.mark.parametrize(
    ("tokayev", "kind"),
    [(500, "runoff"), (501, "winner")],  # of 1,000 votes cast: half is not a majority
)
def test_fifty_percent_plus_one(tokayev: int, kind: str) -> None:
    votes = _votes(tokayev=tokayev, abden=1_000 - tokayev)
    assert decide_outcome(profile(), votes, 1_000, complete=True).kind == kind


def test_against_all_counts_in_votes_cast_but_cannot_win() -> None:
    votes = _votes(tokayev=400, abden=300, kazhyken=100)
    outcome = decide_outcome(profile(), votes, 1_000, complete=True)  # 200 against all
    assert outcome.kind == "runoff"
    assert outcome.names == ("Kassym-Jomart Tokayev", "Karakat Abden")


def test_a_tie_at_the_runoff_cut_names_every_tied_candidate() -> None:
    votes = _votes(tokayev=400, abden=300, kazhyken=300)
    outcome = decide_outcome(profile(), votes, 1_000, complete=True)
    assert outcome.kind == "runoff"
    assert set(outcome.names) == {"Kassym-Jomart Tokayev", "Karakat Abden", "Meiram Kazhyken"}


def test_no_outcome_until_every_pec_has_reported() -> None:
    votes = _votes(tokayev=900, abden=100)
    assert decide_outcome(profile(), votes, 1_000, complete=False).kind == "pending"
    assert decide_outcome(profile(), _votes(), 0, complete=True).kind == "pending"
