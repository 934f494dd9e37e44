"""An election's rules as data: the protocol's lines, its control relations and the winner rule.

The engine is general; another country's or another election's rules are a new profile, not new
code (DESIGN.md section 3). Loading checks the rules strictly, because a profile with a missing or
contradictory rule would let wrong results through silently: every problem names the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from saylau.domain.errors import ProfileError

LineKind = Literal["count", "candidate", "against_all"]
Operator = Literal["=", "<=", ">="]
Severity = Literal["hard", "explain"]

LINE_KINDS: tuple[str, ...] = ("count", "candidate", "against_all")
OPERATORS: tuple[str, ...] = ("=", "<=", ">=")
SEVERITIES: tuple[str, ...] = ("hard", "explain")
GROUPS = {"@candidates": "candidate", "@against_all": "against_all"}
REQUIRED_TOTALS: tuple[str, ...] = ("registered", "voters", "valid", "invalid")


@dataclass(frozen=True)
class Candidate:
    """A registered contestant; `code` ties the candidate to its protocol line."""

    code: str
    name: str
    gender: str | None = None
    nominated_by: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)

    def name_in(self, lang: str) -> str:
        """The name as written in `lang` (Cyrillic for kk and ru), else as given in `name`."""
        return self.names.get(lang) or self.name


@dataclass(frozen=True)
class Line:
    """One numbered line of the paper protocol.

    `no` is the number printed on the form and the key under which values are stored.
    """

    no: int
    code: str
    kind: LineKind
    label: Mapping[str, str]
    candidate: str | None = None


@dataclass(frozen=True)
class Relation:
    """A control relation between sums of lines (groups already expanded to line codes)."""

    code: str
    title: str
    left: tuple[str, ...]
    op: Operator
    right: tuple[str, ...]
    severity: Severity


@dataclass(frozen=True)
class WinnerRule:
    """Absolute majority: more than `share_above` of the `votes_cast` total, else a runoff."""

    votes_cast: str
    share_above: Decimal
    runoff_candidates: int
    runoff_within_days: int | None


@dataclass(frozen=True)
class Profile:
    """The validated rules of one election."""

    code: str
    name: str
    lines: tuple[Line, ...]
    relations: tuple[Relation, ...]
    totals: Mapping[str, tuple[str, ...]]
    candidates: tuple[Candidate, ...]
    has_against_all: bool
    winner_rule: WinnerRule
    percent_decimals: int
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    def line(self, code: str) -> Line:
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)

    @property
    def line_codes(self) -> tuple[str, ...]:
        return tuple(line.code for line in self.lines)

    @property
    def candidate_lines(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "candidate")

    @property
    def against_all_line(self) -> Line | None:
        return next((line for line in self.lines if line.kind == "against_all"), None)

    def candidate(self, code: str) -> Candidate:
        for candidate in self.candidates:
            if candidate.code == code:
                return candidate
        raise KeyError(code)


def _require(mapping: Mapping[str, Any], key: str, rule: str) -> Any:
    if not isinstance(mapping, Mapping) or key not in mapping or mapping[key] is None:
        raise ProfileError(rule, "is missing")
    return mapping[key]


def _parse_candidates(raw: Any) -> tuple[Candidate, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProfileError("candidates", "must list at least one candidate")
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        rule = f"candidates[{index}]"
        code = str(_require(item, "code", f"{rule}.code"))
        name = str(_require(item, "name", f"{rule}.name"))
        if code in seen:
            raise ProfileError(f"{rule}.code", f"candidate code {code!r} is used twice")
        seen.add(code)
        names = item.get("names") or {}
        if not isinstance(names, Mapping) or not all(isinstance(v, str) for v in names.values()):
            raise ProfileError(f"{rule}.names", "must map language codes to the name's spelling")
        candidates.append(
            Candidate(code, name, item.get("gender"), item.get("nominated_by"), dict(names))
        )
    return tuple(candidates)


def _parse_lines(
    raw: Any, candidates: tuple[Candidate, ...], against_all: bool
) -> tuple[Line, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProfileError("protocol.lines", "must list the protocol's lines")
    by_code = {c.code: c for c in candidates}
    lines: list[Line] = []
    numbers: set[int] = set()
    codes: set[str] = set()
    for index, item in enumerate(raw):
        rule = f"protocol.lines[{index}]"
        no = _require(item, "number", f"{rule}.number")
        code = str(_require(item, "code", f"{rule}.code"))
        kind = _require(item, "kind", f"{rule}.kind")
        if not isinstance(no, int) or isinstance(no, bool) or no < 1:
            raise ProfileError(f"{rule}.number", f"line number {no!r} must be a positive integer")
        if no in numbers:
            raise ProfileError(f"{rule}.number", f"line number {no} is used twice")
        if code in codes or code in GROUPS:
            raise ProfileError(f"{rule}.code", f"line code {code!r} is used twice or reserved")
        if kind not in LINE_KINDS:
            raise ProfileError(f"{rule}.kind", f"kind {kind!r} is not one of {LINE_KINDS}")
        candidate = item.get("candidate")
        label = dict(item.get("label") or {})
        if kind == "candidate":
            if candidate not in by_code:
                raise ProfileError(f"{rule}.candidate", f"names no listed candidate: {candidate!r}")
            label = label or {"en": by_code[candidate].name}
        elif candidate is not None:
            raise ProfileError(f"{rule}.candidate", f"a {kind} line cannot name a candidate")
        if "en" not in label:
            raise ProfileError(f"{rule}.label", "needs an English label at least")
        numbers.add(no)
        codes.add(code)
        lines.append(Line(no=no, code=code, kind=kind, label=label, candidate=candidate))

    on_lines = [line.candidate for line in lines if line.kind == "candidate"]
    for c in candidates:
        if on_lines.count(c.code) != 1:
            raise ProfileError(
                "protocol.lines",
                f"candidate {c.code!r} must have exactly one line, has {on_lines.count(c.code)}",
            )
    n_against = sum(1 for line in lines if line.kind == "against_all")
    if against_all and n_against != 1:
        raise ProfileError("protocol.lines", f"against_all is true but {n_against} such lines")
    if not against_all and n_against:
        raise ProfileError("against_all", "is false but the protocol has an against_all line")
    return tuple(lines)


def _expand(terms: Any, lines: tuple[Line, ...], rule: str) -> tuple[str, ...]:
    if not isinstance(terms, list) or not terms:
        raise ProfileError(rule, "must list at least one line")
    codes = {line.code for line in lines}
    expanded: list[str] = []
    for term in terms:
        if term in GROUPS:
            expanded.extend(line.code for line in lines if line.kind == GROUPS[term])
        elif term in codes:
            expanded.append(term)
        else:
            raise ProfileError(rule, f"names no protocol line: {term!r}")
    if len(set(expanded)) != len(expanded):
        raise ProfileError(rule, "counts a line twice")
    return tuple(expanded)


def _parse_relations(raw: Any, lines: tuple[Line, ...]) -> tuple[Relation, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProfileError("protocol.relations", "must list the control relations")
    relations: list[Relation] = []
    seen: dict[tuple[frozenset[str], frozenset[str]], Relation] = {}
    for index, item in enumerate(raw):
        rule = f"protocol.relations[{index}]"
        code = str(_require(item, "code", f"{rule}.code"))
        rule = f"protocol.relations.{code}"
        if any(r.code == code for r in relations):
            raise ProfileError(rule, "relation code is used twice")
        op = _require(item, "op", f"{rule}.op")
        severity = _require(item, "severity", f"{rule}.severity")
        if op not in OPERATORS:
            raise ProfileError(f"{rule}.op", f"{op!r} is not one of {OPERATORS}")
        if severity not in SEVERITIES:
            raise ProfileError(f"{rule}.severity", f"{severity!r} is not one of {SEVERITIES}")
        left = _expand(item.get("left"), lines, f"{rule}.left")
        right = _expand(item.get("right"), lines, f"{rule}.right")
        both = set(left) & set(right)
        if both:
            raise ProfileError(rule, f"line(s) {sorted(both)} stand on both sides")
        relation = Relation(code, str(item.get("title") or code), left, op, right, severity)
        key = (frozenset(left), frozenset(right))
        mirrored = (frozenset(right), frozenset(left))
        previous = seen.get(key) or seen.get(mirrored)
        if previous is not None:
            raise ProfileError(rule, f"compares the same sums as relation {previous.code!r}")
        seen[key] = relation
        relations.append(relation)
    return tuple(relations)


def _parse_totals(raw: Any, lines: tuple[Line, ...]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise ProfileError("protocol.totals", "is missing")
    totals: dict[str, tuple[str, ...]] = {}
    for name in REQUIRED_TOTALS:
        if name not in raw:
            raise ProfileError(f"protocol.totals.{name}", "is missing")
    for name, terms in raw.items():
        totals[str(name)] = _expand(terms, lines, f"protocol.totals.{name}")
    return totals


def _parse_winner_rule(raw: Any, totals: Mapping[str, tuple[str, ...]], n: int) -> WinnerRule:
    kind = _require(raw, "kind", "winner_rule.kind")
    if kind != "absolute_majority":
        raise ProfileError("winner_rule.kind", f"{kind!r} is not a rule saylau knows")
    votes_cast = str(_require(raw, "votes_cast", "winner_rule.votes_cast"))
    if votes_cast not in totals:
        raise ProfileError(
            "winner_rule.votes_cast", f"{votes_cast!r} is not a total in protocol.totals"
        )
    try:
        share = Decimal(str(_require(raw, "share_above", "winner_rule.share_above")))
    except InvalidOperation as exc:
        raise ProfileError("winner_rule.share_above", "is not a number") from exc
    if not Decimal("0.5") <= share < 1:
        raise ProfileError(
            "winner_rule.share_above",
            f"{share} would allow two winners or none; it must be at least 0.5 and below 1",
        )
    runoff = _require(raw, "runoff", "winner_rule.runoff")
    size = _require(runoff, "candidates", "winner_rule.runoff.candidates")
    if not isinstance(size, int) or size < 2:
        raise ProfileError("winner_rule.runoff.candidates", f"{size!r} must be at least 2")
    if size > n:
        raise ProfileError(
            "winner_rule.runoff.candidates", f"runoff of {size} but only {n} candidates"
        )
    within = runoff.get("within_days")
    return WinnerRule(votes_cast, share, size, within)


def load_profile(raw: Mapping[str, Any]) -> Profile:
    """Validate a profile document (already parsed from YAML) into a `Profile`.

    Raises `ProfileError` naming the first rule that is missing or contradicts another.
    """
    if not isinstance(raw, Mapping):
        raise ProfileError("(document)", "is not a mapping")
    code = str(_require(raw, "code", "code"))
    name = str(_require(raw, "name", "name"))
    candidates = _parse_candidates(_require(raw, "candidates", "candidates"))
    against_all = raw.get("against_all", False)
    if not isinstance(against_all, bool):
        raise ProfileError("against_all", "must be true or false")
    protocol = _require(raw, "protocol", "protocol")
    lines = _parse_lines(_require(protocol, "lines", "protocol.lines"), candidates, against_all)
    relations = _parse_relations(_require(protocol, "relations", "protocol.relations"), lines)
    totals = _parse_totals(_require(protocol, "totals", "protocol.totals"), lines)
    rule = _parse_winner_rule(_require(raw, "winner_rule", "winner_rule"), totals, len(candidates))
    decimals = raw.get("percent_decimals", 2)
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise ProfileError("percent_decimals", f"{decimals!r} must be an integer from 0 to 6")
    return Profile(
        code=code,
        name=name,
        lines=lines,
        relations=relations,
        totals=totals,
        candidates=candidates,
        has_against_all=against_all,
        winner_rule=rule,
        percent_decimals=decimals,
        raw=raw,
    )
