"""An election's rules as data: the protocol's lines, its control relations, the winner rule
and every other section of the profile, each typed and checked when the profile loads.

The engine is general; another country's or another election's rules are a new profile, not new
code (docs/architecture.md, "The rules in code"). Loading checks the rules strictly, because a
profile with a missing or contradictory rule would let wrong results through silently: every
problem names the rule, and a key saylau does not know is refused rather than ignored (a
misspelt key would read as absent).

Which sections are required. Every election has results, so `code`, `name`, `timezone`,
`protocol`, `candidates` and `winner_rule` are required (`against_all` defaults to false and
`percent_decimals` to 2, as before). The timezone has no default any more: times shown to the
public are local, and a silent UTC would shift every one of them. The other sections belong to
one context each (`voters`, `register_changes`, `candidate_eligibility`, `signatures`,
`deposit`, `finance`, `free_airtime`, `complaint_deadlines_days`) and are optional, as are
`election_date`, `constituency` and `nist_election_type`: an election that does not use a
context leaves its section out, the field is None, and the context asks through its
`Profile.require_...()` accessor, which raises a `ProfileError` naming the section. A section
that is present must be complete and consistent, or the load fails. The shipped kz-2022 profile
carries every section (a test holds it to that).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, TypeVar

from saylau.domain.eligibility import VoterRules, voter_rules
from saylau.domain.errors import ProfileError
from saylau.domain.profile_fields import (
    day,
    one_of,
    only_keys,
    require,
    section,
    share,
    text,
    whole,
    zone,
)
from saylau.domain.profile_sections import (
    CandidateEligibility,
    ComplaintDeadlines,
    DepositRules,
    FinanceRules,
    FreeAirtime,
    SignatureRules,
    candidate_eligibility,
    check_candidate_age,
    complaint_deadlines,
    deposit_rules,
    finance_rules,
    free_airtime,
    signature_rules,
)
from saylau.domain.register_changes import ChangeRules, change_rules

LineKind = Literal["count", "candidate", "against_all"]
Operator = Literal["=", "<=", ">="]
Severity = Literal["hard", "explain"]

LINE_KINDS: tuple[str, ...] = ("count", "candidate", "against_all")
OPERATORS: tuple[str, ...] = ("=", "<=", ">=")
SEVERITIES: tuple[str, ...] = ("hard", "explain")
GROUPS = {"@candidates": "candidate", "@against_all": "against_all"}
REQUIRED_TOTALS: tuple[str, ...] = ("registered", "voters", "valid", "invalid")
# The NIST SP 1500-100 results CDF's ElectionType values saylau writes.
NIST_ELECTION_TYPES: tuple[str, ...] = ("general", "special", "runoff", "primary", "other")

# The optional sections, and what an election without one lacks (for the accessor's error).
OPTIONAL_SECTIONS: Mapping[str, str] = {
    "voters": "no voter-register rules (voting age and exclusions)",
    "register_changes": "no rules for transfers, absentee certificates or mobile voting",
    "candidate_eligibility": "no candidate-eligibility rules",
    "signatures": "no support-signature rules",
    "deposit": "no election-deposit rules",
    "finance": "no campaign-finance rules",
    "free_airtime": "no free-airtime rules",
    "complaint_deadlines_days": "no complaint deadlines",
}
TOP_LEVEL_KEYS: tuple[str, ...] = (
    "code",
    "name",
    "election_date",
    "timezone",
    "constituency",
    "nist_election_type",
    "protocol",
    "candidates",
    "against_all",
    "winner_rule",
    "percent_decimals",
    *OPTIONAL_SECTIONS,
)

WINNER_RULE_KEYS = ("kind", "votes_cast", "share_above", "runoff", "turnout_minimum")

T = TypeVar("T")


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


def _present(value: T | None, name: str) -> T:
    if value is None:
        raise ProfileError(name, f"is missing; this election has {OPTIONAL_SECTIONS[name]}")
    return value


@dataclass(frozen=True)
class Profile:
    """The validated rules of one election; an optional section it lacks is None."""

    code: str
    name: str
    timezone: str
    lines: tuple[Line, ...]
    relations: tuple[Relation, ...]
    totals: Mapping[str, tuple[str, ...]]
    candidates: tuple[Candidate, ...]
    has_against_all: bool
    winner_rule: WinnerRule
    percent_decimals: int
    election_date: date | None = None
    constituency: str | None = None
    nist_election_type: str | None = None
    voters: VoterRules | None = None
    register_changes: ChangeRules | None = None
    candidate_eligibility: CandidateEligibility | None = None
    signatures: SignatureRules | None = None
    deposit: DepositRules | None = None
    finance: FinanceRules | None = None
    free_airtime: FreeAirtime | None = None
    complaint_deadlines_days: ComplaintDeadlines | None = None

    # One accessor per optional section: the context that needs it gets the typed section or
    # a ProfileError naming it, never an AttributeError on None.
    def require_voters(self) -> VoterRules:
        return _present(self.voters, "voters")

    def require_register_changes(self) -> ChangeRules:
        return _present(self.register_changes, "register_changes")

    def require_candidate_eligibility(self) -> CandidateEligibility:
        return _present(self.candidate_eligibility, "candidate_eligibility")

    def require_signatures(self) -> SignatureRules:
        return _present(self.signatures, "signatures")

    def require_deposit(self) -> DepositRules:
        return _present(self.deposit, "deposit")

    def require_finance(self) -> FinanceRules:
        return _present(self.finance, "finance")

    def require_free_airtime(self) -> FreeAirtime:
        return _present(self.free_airtime, "free_airtime")

    def require_complaint_deadlines(self) -> ComplaintDeadlines:
        return _present(self.complaint_deadlines_days, "complaint_deadlines_days")

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


def _parse_candidates(raw: Any) -> tuple[Candidate, ...]:
    if not isinstance(raw, list) or not raw:
        raise ProfileError("candidates", "must list at least one candidate")
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        rule = f"candidates[{index}]"
        code = str(require(item, "code", f"{rule}.code"))
        name = str(require(item, "name", f"{rule}.name"))
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
        no = require(item, "number", f"{rule}.number")
        code = str(require(item, "code", f"{rule}.code"))
        kind = require(item, "kind", f"{rule}.kind")
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
        code = str(require(item, "code", f"{rule}.code"))
        rule = f"protocol.relations.{code}"
        if any(r.code == code for r in relations):
            raise ProfileError(rule, "relation code is used twice")
        op = require(item, "op", f"{rule}.op")
        severity = require(item, "severity", f"{rule}.severity")
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
    raw = section(raw, "winner_rule")
    only_keys(raw, WINNER_RULE_KEYS, "winner_rule")
    kind = require(raw, "kind", "winner_rule.kind")
    if kind != "absolute_majority":
        raise ProfileError("winner_rule.kind", f"{kind!r} is not a rule saylau knows")
    votes_cast = str(require(raw, "votes_cast", "winner_rule.votes_cast"))
    if votes_cast not in totals:
        raise ProfileError(
            "winner_rule.votes_cast", f"{votes_cast!r} is not a total in protocol.totals"
        )
    share_above = share(raw, "share_above", "winner_rule.share_above")
    if share_above < Decimal("0.5"):
        raise ProfileError(
            "winner_rule.share_above",
            f"{share_above} would allow two winners or none; it must be at least 0.5 and below 1",
        )
    if raw.get("turnout_minimum") is not None:
        # Nothing applies a turnout threshold yet; accepting one would declare a winner the
        # profile says the election may not have.
        raise ProfileError(
            "winner_rule.turnout_minimum", "saylau does not apply a turnout minimum; set it null"
        )
    runoff = section(require(raw, "runoff", "winner_rule.runoff"), "winner_rule.runoff")
    only_keys(runoff, ("candidates", "within_days"), "winner_rule.runoff")
    size = require(runoff, "candidates", "winner_rule.runoff.candidates")
    if not isinstance(size, int) or isinstance(size, bool) or size < 2:
        raise ProfileError("winner_rule.runoff.candidates", f"{size!r} must be at least 2")
    if size > n:
        raise ProfileError(
            "winner_rule.runoff.candidates", f"runoff of {size} but only {n} candidates"
        )
    within = runoff.get("within_days")
    if within is not None:
        within = whole(within, "winner_rule.runoff.within_days", 1)
    return WinnerRule(votes_cast, share_above, size, within)


def _optional(raw: Mapping[str, Any], key: str, parse: Callable[[Any], T]) -> T | None:
    """An optional section or value: absent or null is None, anything else must parse."""
    return None if raw.get(key) is None else parse(raw[key])


def load_profile(raw: Mapping[str, Any]) -> Profile:
    """Validate a profile document (already parsed from YAML) into a `Profile`.

    Raises `ProfileError` naming the first rule that is missing or contradicts another.
    """
    if not isinstance(raw, Mapping):
        raise ProfileError("(document)", "is not a mapping")
    only_keys(raw, TOP_LEVEL_KEYS, "")
    code = str(require(raw, "code", "code"))
    name = str(require(raw, "name", "name"))
    timezone = zone(require(raw, "timezone", "timezone"), "timezone")
    candidates = _parse_candidates(require(raw, "candidates", "candidates"))
    against_all = raw.get("against_all", False)
    if not isinstance(against_all, bool):
        raise ProfileError("against_all", "must be true or false")
    protocol = require(raw, "protocol", "protocol")
    lines = _parse_lines(require(protocol, "lines", "protocol.lines"), candidates, against_all)
    relations = _parse_relations(require(protocol, "relations", "protocol.relations"), lines)
    totals = _parse_totals(require(protocol, "totals", "protocol.totals"), lines)
    rule = _parse_winner_rule(require(raw, "winner_rule", "winner_rule"), totals, len(candidates))
    decimals = raw.get("percent_decimals", 2)
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise ProfileError("percent_decimals", f"{decimals!r} must be an integer from 0 to 6")
    voters = _optional(raw, "voters", voter_rules)
    candidacy = _optional(raw, "candidate_eligibility", candidate_eligibility)
    if voters is not None and candidacy is not None:
        check_candidate_age(candidacy, voters.minimum_age)
    return Profile(
        code=code,
        name=name,
        timezone=timezone,
        lines=lines,
        relations=relations,
        totals=totals,
        candidates=candidates,
        has_against_all=against_all,
        winner_rule=rule,
        percent_decimals=decimals,
        election_date=_optional(raw, "election_date", lambda v: day(v, "election_date")),
        constituency=_optional(raw, "constituency", lambda v: text(v, "constituency")),
        nist_election_type=_optional(
            raw,
            "nist_election_type",
            lambda v: one_of(v, NIST_ELECTION_TYPES, "nist_election_type"),
        ),
        voters=voters,
        register_changes=_optional(raw, "register_changes", change_rules),
        candidate_eligibility=candidacy,
        signatures=_optional(raw, "signatures", signature_rules),
        deposit=_optional(raw, "deposit", deposit_rules),
        finance=_optional(raw, "finance", finance_rules),
        free_airtime=_optional(raw, "free_airtime", free_airtime),
        complaint_deadlines_days=_optional(raw, "complaint_deadlines_days", complaint_deadlines),
    )
