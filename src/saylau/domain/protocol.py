"""Protocol arithmetic: checking a PEC protocol's values against the profile's control relations.

Hard relations are arithmetic identities: a protocol breaking one cannot be right and is refused.
Explain relations are ones real counts do break (report section XIII: ballots in boxes exceeded
signatures in 13 of 110 counts); they are accepted only with a written explanation and stay
flagged on the protocol, visible to everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from saylau.domain.profile import Profile, Relation


@dataclass(frozen=True)
class RelationCheck:
    """The outcome of one relation on one protocol: both sides' numbers and whether it holds."""

    relation: Relation
    left: int
    right: int
    holds: bool
    parts: tuple[tuple[str, int], ...] = ()

    def describe(self) -> str:
        """Name the relation and both sides with their numbers, as read off the form."""
        r = self.relation
        values = dict(self.parts)
        left = " + ".join(f"{code} {values.get(code, '?')}" for code in r.left)
        right = " + ".join(f"{code} {values.get(code, '?')}" for code in r.right)
        verb = {"=": "must equal", "<=": "must not exceed", ">=": "must be at least"}[r.op]
        return f"relation {r.code} broken: {left} (= {self.left}) {verb} {right} (= {self.right})"


def _holds(left: int, op: str, right: int) -> bool:
    if op == "=":
        return left == right
    if op == "<=":
        return left <= right
    return left >= right


def value_problems(profile: Profile, values: Mapping[str, object]) -> list[str]:
    """Structural problems: unknown lines, missing lines, values that are not counts."""
    problems: list[str] = []
    known = set(profile.line_codes)
    for code in values:
        if code not in known:
            problems.append(f"line {code!r} is not on this election's protocol")
    for code in profile.line_codes:
        if code not in values:
            problems.append(f"line {code!r} is missing")
            continue
        value = values[code]
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"line {code!r} must be a whole number, got {value!r}")
        elif value < 0:
            problems.append(f"line {code!r} must not be negative, got {value}")
    return problems


def check_relations(profile: Profile, values: Mapping[str, int]) -> list[RelationCheck]:
    """Evaluate every relation of the profile on well-formed values."""
    checks: list[RelationCheck] = []
    for relation in profile.relations:
        left = sum(values[code] for code in relation.left)
        right = sum(values[code] for code in relation.right)
        parts = tuple((code, values[code]) for code in relation.left + relation.right)
        holds = _holds(left, relation.op, right)
        checks.append(RelationCheck(relation, left, right, holds, parts))
    return checks


@dataclass(frozen=True)
class Verdict:
    """What entering a protocol would mean: refused (problems) or accepted with these flags;
    `counts` are the values as whole numbers once they are well-formed (empty before)."""

    problems: tuple[str, ...]
    flags: tuple[RelationCheck, ...]
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return not self.problems


def judge(
    profile: Profile, values: Mapping[str, object], explanations: Mapping[str, str]
) -> Verdict:
    """Decide whether a protocol can be accepted.

    Refused when a value is malformed, a hard relation is broken, an explain relation is broken
    without an explanation, or an explanation is given for a relation that holds or does not
    exist (a stale explanation would mislead readers of the published protocol).
    """
    problems = value_problems(profile, values)
    if problems:
        return Verdict(tuple(problems), ())
    counts = _counts(profile, values)
    flags: list[RelationCheck] = []
    relation_codes = {r.code for r in profile.relations}
    for code in explanations:
        if code not in relation_codes:
            problems.append(f"explanation given for unknown relation {code!r}")
    for check in check_relations(profile, counts):
        code = check.relation.code
        explained = bool(str(explanations.get(code, "")).strip())
        if check.holds:
            if code in explanations:
                problems.append(f"explanation given for relation {code}, which holds")
            continue
        if check.relation.severity == "hard":
            problems.append(check.describe())
        elif not explained:
            problems.append(check.describe() + "; accepted only with a recorded explanation")
        else:
            flags.append(check)
    return Verdict(tuple(problems), tuple(flags), counts)


def _counts(profile: Profile, values: Mapping[str, object]) -> dict[str, int]:
    """The profile's lines as whole numbers, from values `value_problems` found well-formed."""
    counts: dict[str, int] = {}
    for code in profile.line_codes:
        value = values[code]
        assert isinstance(value, int), "value_problems refuses a value that is not a count"
        counts[code] = value
    return counts


def line_total(profile: Profile, values: Mapping[str, int], total: str) -> int:
    """One of the profile's named totals (registered, voters, ...) of one protocol."""
    return sum(values[code] for code in profile.totals[total])
