"""Loading a profile: the shipped one is valid; a missing or contradictory rule is named."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from saylau.domain.errors import ProfileError
from saylau.domain.profile import load_profile
from tests.domain.fixtures import profile, profile_dict


def test_shipped_profile_holds_the_2022_rules() -> None:
    p = profile()
    assert p.code == "kz-2022-presidential"
    assert [c.name for c in p.candidates] == [
        "Karakat Abden",
        "Nurlan Auesbayev",
        "Zhiguli Dayrabayev",
        "Meiram Kazhyken",
        "Kassym-Jomart Tokayev",
        "Saltanat Tursynbekova",
    ]
    assert p.has_against_all and p.against_all_line is not None
    assert len(p.lines) == 18
    assert [line.no for line in p.lines] == list(range(1, 19))
    assert p.winner_rule.votes_cast == "valid"
    assert p.winner_rule.share_above == Decimal("0.5")
    assert p.winner_rule.runoff_candidates == 2
    assert p.winner_rule.runoff_within_days == 60
    hard = {r.code for r in p.relations if r.severity == "hard"}
    assert hard == {"ballots_balance", "boxes_balance", "votes_balance"}
    votes = p.relations[[r.code for r in p.relations].index("votes_balance")]
    assert set(votes.left) == {
        "abden",
        "auesbayev",
        "dayrabayev",
        "kazhyken",
        "tokayev",
        "tursynbekova",
        "against_all",
    }


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


def _relation(code: str, **changes: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        for relation in doc["protocol"]["relations"]:
            if relation["code"] == code:
                relation.update(changes)

    return mutate


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _append_relation(doc: dict[str, Any]) -> None:
    doc["protocol"]["relations"].append(
        {
            "code": "again",
            "left": ["valid"],
            "op": ">=",
            "right": ["@against_all", "@candidates"],
            "severity": "explain",
        }
    )


def _duplicate_line_number(doc: dict[str, Any]) -> None:
    doc["protocol"]["lines"][1]["number"] = 1


def _drop_candidate_line(doc: dict[str, Any]) -> None:
    doc["protocol"]["lines"] = [
        line for line in doc["protocol"]["lines"] if line.get("candidate") != "tokayev"
    ]


CASES = [
    (_drop("winner_rule"), "winner_rule", "is missing"),
    (_drop("winner_rule.votes_cast"), "winner_rule.votes_cast", "is missing"),
    (_drop("protocol.relations"), "protocol.relations", "is missing"),
    (_drop("protocol.totals.valid"), "protocol.totals.valid", "is missing"),
    (_drop("candidates"), "candidates", "is missing"),
    (_set("winner_rule.votes_cast", "turnout"), "winner_rule.votes_cast", "not a total"),
    (_set("winner_rule.share_above", "0.4"), "winner_rule.share_above", "two winners"),
    (_set("winner_rule.runoff", {"candidates": 1}), "winner_rule.runoff.candidates", "at least 2"),
    (_set("winner_rule.runoff", {"candidates": 9}), "winner_rule.runoff.candidates", "only 6"),
    (_set("against_all", False), "against_all", "against_all line"),
    (_relation("boxes_balance", right=["valid", "ballots_found"]), "boxes_balance", "both sides"),
    (
        _relation("boxes_balance", right=["valid", "spoilt"]),
        "boxes_balance.right",
        "no protocol line: 'spoilt'",
    ),
    (_relation("boxes_balance", op="=="), "boxes_balance.op", "not one of"),
    (_relation("boxes_balance", severity="maybe"), "boxes_balance.severity", "not one of"),
    (_append_relation, "protocol.relations.again", "same sums as relation 'votes_balance'"),
    (_duplicate_line_number, "protocol.lines[1].number", "used twice"),
    (_drop_candidate_line, "protocol.lines", "'tokayev' must have exactly one line"),
]


@pytest.mark.parametrize(("mutate", "rule", "words"), CASES)
def test_a_missing_or_contradictory_rule_is_named(
    mutate: Callable[[dict[str, Any]], None], rule: str, words: str
) -> None:
    doc = profile_dict()
    mutate(doc)
    with pytest.raises(ProfileError) as caught:
        load_profile(doc)
    assert caught.value.rule.endswith(rule), str(caught.value)
    assert words in str(caught.value)
