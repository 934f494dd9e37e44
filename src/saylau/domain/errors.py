"""Typed errors of the domain. Each names the record, the field and the rule broken.

Every refusal is a `Rejected`: which record was refused and a list of problems, each a field
and the rule it breaks. The edges render that one shape: the API as the body
`{detail, error, record, problems}` (api/errors.py), the command line as the same lines on
stderr with exit code 2 (console.reported). A `Conflict` is a refusal because of what is
already stored (HTTP 409), not because of the request alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class SaylauError(Exception):
    """Base of every error saylau reports to a user: the message is meant to be read as is."""


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field it concerns ("" for the record as a whole) and the rule."""

    field: str
    rule: str

    def __str__(self) -> str:
        return self.rule

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule}


# How a refusal written as one sentence names its field: "..., field keep: rule",
# "field scope: rule", "line 'valid' ...", "relation boxes_balance broken", "explanation given for
# relation r ...".
_FIELD_PATTERNS = (
    re.compile(r"^field (?P<field>[\w.]+)\b"),
    re.compile(r"^line '(?P<line>[^']+)'"),
    re.compile(r"^relation (?P<relation>[\w.-]+) broken"),
    re.compile(r"^explanation given for (?:unknown )?relation '?(?P<explanation>[\w.-]+)'?"),
    re.compile(r"^(?:row|item|entry) (?P<row>\d+)\b"),
)
_NAMED_FIELD = re.compile(r"^(?P<record>.*?),? field (?P<field>[\w.]+)$", re.DOTALL)


def as_problem(text: str | Problem, field: str = "") -> Problem:
    """A problem from a sentence, with its field read off the way saylau's messages name it.

    Rules written before `Problem` existed are sentences: "line 'valid' is missing", "relation
    r broken: ...", "submission p-1: field unit: no PEC 'x'". Reading the field off them keeps
    one source for the wording and still gives clients a field: a known opening names it,
    else the parts before the last ": " do ("field unit" is the field unit). The rule stays the
    whole sentence, so it reads on its own.
    """
    if isinstance(text, Problem):
        return text
    if field:
        return Problem(field, text)
    for pattern in _FIELD_PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        kind, value = next((k, v) for k, v in found.groupdict().items() if v is not None)
        if kind == "row" and ": " in text:
            break  # "row 3: column x: rule" names more than the row: read the parts
        named = {
            "field": value,
            "line": f"lines.{value}",
            "relation": "lines",
            "explanation": f"explanations.{value}",
            "row": f"{kind} {value}",
        }[kind]
        return Problem(named, text)
    *where, _ = text.split(": ")
    parts = [part.removeprefix("field ") for part in where]
    return Problem(".".join(parts), text)


def problems_from_validation(errors: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """Problems from a validator's error list (pydantic's `errors()`: loc, msg): the field is
    the location joined with dots, without FastAPI's leading "body"."""
    problems = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] == "body":
            loc = loc[1:]
        rule = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        problems.append(Problem(".".join(loc), rule))
    return problems


def _from_sentence(message: str) -> tuple[str | None, list[Problem]]:
    """Record and problem of a refusal written as one sentence, "record: rule"."""
    record, sep, rule = message.partition(": ")
    if not sep:
        return None, [Problem("", message)]
    named = _NAMED_FIELD.match(record)
    if named is not None:
        return named["record"], [Problem(named["field"], rule)]
    return record, [as_problem(rule)]


class Rejected(SaylauError):
    """A write (or a read's request) broke a rule and nothing was written.

    `Rejected(record, problems)` names the refused record ("protocol PEC 75-0001") and each
    problem as a `Problem` or a sentence; `Rejected(message)` is a one-sentence refusal
    "record: rule", read into the same parts. `detail` overrides the message when a caller's
    wording is established (tests and operators read it).
    """

    def __init__(
        self,
        record: str | None,
        problems: Iterable[Problem | str] | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        if problems is None:
            message = record or ""
            self.record, self.problems = _from_sentence(message)
        else:
            self.record = record
            self.problems = [as_problem(p) for p in problems]
            rules = "; ".join(p.rule for p in self.problems)
            message = detail or (f"{record}: {rules}" if record else rules)
        if detail is not None:
            message = detail
        super().__init__(message)

    def as_dict(self) -> dict[str, object]:
        """The refusal as the API's body and `--json` carry it."""
        return {
            "detail": str(self),
            "error": type(self).__name__,
            "record": self.record,
            "problems": [p.as_dict() for p in self.problems],
        }


class Conflict(Rejected):
    """The write contradicts what is already stored: a second, different protocol for a PEC,
    an amendment of a version that is no longer current, a name already taken (HTTP 409)."""


class ProfileError(Rejected):
    """An election profile is missing a rule or states contradictory rules."""

    def __init__(self, rule: str, problem: str) -> None:
        self.rule = rule
        self.problem = problem
        super().__init__(
            f"profile rule {rule}",
            [Problem(rule, problem)],
            detail=f"profile rule {rule}: {problem}",
        )


class ProtocolRejected(Rejected):
    """A protocol (or a batch of them) breaks a rule and is not written."""

    def __init__(self, pec: str, problems: Iterable[Problem | str]) -> None:
        self.pec = pec
        listed = [as_problem(p) for p in problems]
        detail = f"PEC {pec} protocol rejected: " + "; ".join(p.rule for p in listed)
        super().__init__(_protocol_record(pec), listed, detail=detail)


class ProtocolConflict(ProtocolRejected, Conflict):
    """A protocol that contradicts the stored one: a second, different protocol for a PEC, or
    an amendment of a version that is no longer current (HTTP 409)."""


def _protocol_record(pec: str) -> str:
    return f"protocol PEC {pec}" if not pec.startswith("batch") else f"protocols: {pec}"


class NotFound(Rejected):
    """A unit, election or protocol named by the user does not exist."""


class NotAuthenticated(Rejected):
    """A write came without a token, or with one that is unknown or revoked (HTTP 401)."""


class Forbidden(Rejected):
    """The token is valid but its role or commission scope does not allow this write (403)."""


class BadInput(Rejected):
    """Input that is not well-formed data at all (not JSON, NaN, nesting too deep): HTTP 400."""


def error_body(exc: SaylauError) -> dict[str, object]:
    """The standard body of a refusal, as the API answers it and `--json` prints it (a bare
    `SaylauError` becomes one problem without a field)."""
    if isinstance(exc, Rejected):
        return exc.as_dict()
    return {
        "detail": str(exc),
        "error": type(exc).__name__,
        "record": None,
        "problems": [Problem("", str(exc)).as_dict()],
    }
