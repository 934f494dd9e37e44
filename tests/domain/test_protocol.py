"""Control relations on plain values: hard identities refuse, explain-relations flag."""

from __future__ import annotations

from random import Random
from types import MappingProxyType

from hypothesis import given
from hypothesis import strategies as st

from saylau.domain.protocol import judge
from tests.domain.fixtures import VOTES, consistent_protocol, profile

CANDIDATE_CODES = list(VOTES)


def test_a_consistent_protocol_is_accepted_without_flags() -> None:
    verdict = judge(profile(), consistent_protocol(VOTES), {})
    assert verdict.accepted and verdict.flags == ()


def test_boxes_not_matching_valid_plus_invalid_is_refused_with_both_sides() -> None:
    values = consistent_protocol(VOTES, invalid=21)
    values["ballots_found"] = 812
    verdict = judge(profile(), values, {})
    assert not verdict.accepted
    message = next(p for p in verdict.problems if "boxes_balance" in p)
    assert f"ballots_found 812 (= 812) must equal valid {values['valid']} + invalid 21" in message


def test_each_hard_relation_is_enforced() -> None:
    base = consistent_protocol(VOTES)
    breaks = {
        "ballots_balance": ("ballots_cancelled", 1),
        "boxes_balance": ("invalid", 1),
        "votes_balance": ("tokayev", -1),
    }
    for relation, (line, delta) in breaks.items():
        values = dict(base)
        values[line] += delta
        verdict = judge(profile(), values, {})
        assert any(relation in p for p in verdict.problems), (relation, verdict.problems)


def test_more_ballots_in_boxes_than_issued_needs_an_explanation_and_stays_flagged() -> None:
    values = consistent_protocol(VOTES)
    values["ballots_issued_station"] -= 13
    values["ballots_cancelled"] += 13
    refused = judge(profile(), values, {})
    assert not refused.accepted
    assert any(
        "boxes_not_above_issued" in p and "recorded explanation" in p for p in refused.problems
    )
    explained = judge(profile(), values, {"boxes_not_above_issued": "13 ballots found; TEC told"})
    assert explained.accepted
    assert [f.relation.code for f in explained.flags] == ["boxes_not_above_issued"]
    assert explained.flags[0].left == explained.flags[0].right + 13


def test_an_explanation_for_a_relation_that_holds_is_refused() -> None:
    verdict = judge(profile(), consistent_protocol(VOTES), {"boxes_not_above_issued": "x"})
    assert any("which holds" in p for p in verdict.problems)
    verdict = judge(profile(), consistent_protocol(VOTES), {"no_such": "x"})
    assert any("unknown relation 'no_such'" in p for p in verdict.problems)


def test_malformed_values_are_named() -> None:
    values = consistent_protocol(VOTES)
    values["valid"] = -1
    values["invalid"] = 2.5  # type: ignore[assignment]
    del values["abden"]
    values["turnout"] = 1
    problems = judge(profile(), values, {}).problems
    assert "line 'valid' must not be negative, got -1" in problems
    assert "line 'invalid' must be a whole number, got 2.5" in problems
    assert "line 'abden' is missing" in problems
    assert "line 'turnout' is not on this election's protocol" in problems


counts = st.integers(min_value=0, max_value=5_000)


@st.composite
def protocols(draw: st.DrawFn) -> dict[str, int]:
    votes = {code: draw(counts) for code in CANDIDATE_CODES}
    mobile = draw(st.integers(0, 50))
    invalid = draw(counts)
    found = sum(votes.values()) + invalid
    mobile = min(mobile, found)
    taken_away = draw(st.integers(0, 3))  # ballots issued but not in the boxes
    return consistent_protocol(
        votes,
        invalid=invalid,
        on_list=found + taken_away + draw(counts),  # every issued ballot has a voter on the list
        added=draw(st.integers(0, 30)),
        mobile=mobile,
        spoiled=draw(st.integers(0, 20)),
        unused=draw(counts),
        taken_away=taken_away,
        avc=0,
    )


@given(protocols())
def test_any_consistent_protocol_passes(values: dict[str, int]) -> None:
    verdict = judge(profile(), values, {})
    assert verdict.accepted, verdict.problems


@given(
    protocols(),
    st.sampled_from(["ballots_received", "ballots_found", "valid", *VOTES]),
    st.integers(min_value=1, max_value=1_000),
)
def test_raising_any_balanced_line_breaks_a_hard_relation(
    values: dict[str, int], line: str, delta: int
) -> None:
    values = dict(values)
    values[line] += delta
    verdict = judge(profile(), values, {})
    assert not verdict.accepted
    assert any("must equal" in p for p in verdict.problems)


@given(protocols(), st.randoms(use_true_random=False))
def test_the_verdict_depends_on_the_values_alone(values: dict[str, int], rnd: Random) -> None:
    """Judging reads the values and writes nothing: handed a read-only view (any write into it
    raises), it gives the verdict it gives for the same values in any other order, and the
    values are as they were. So re-entering the same protocol (a no-op amendment) cannot change
    its acceptance, whatever order a form or a JSON file lists the lines in."""
    before = dict(values)
    read_only = MappingProxyType(dict(values))
    shuffled = dict(rnd.sample(sorted(values.items()), len(values)))
    verdict = judge(profile(), read_only, MappingProxyType({}))
    assert verdict == judge(profile(), shuffled, {})
    assert dict(read_only) == before
    assert verdict.accepted
