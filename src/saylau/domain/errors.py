"""Typed errors of the domain. Each names the record, the field and the rule broken."""

from __future__ import annotations


class SaylauError(Exception):
    """Base of every error saylau reports to a user: the message is meant to be read as is."""


class ProfileError(SaylauError):
    """An election profile is missing a rule or states contradictory rules."""

    def __init__(self, rule: str, problem: str) -> None:
        self.rule = rule
        self.problem = problem
        super().__init__(f"profile rule {rule}: {problem}")


class ProtocolRejected(SaylauError):
    """A protocol (or a batch of them) breaks a rule and is not written."""

    def __init__(self, pec: str, problems: list[str]) -> None:
        self.pec = pec
        self.problems = problems
        super().__init__(f"PEC {pec} protocol rejected: " + "; ".join(problems))


class NotFound(SaylauError):
    """A unit, election or protocol named by the user does not exist."""


class Conflict(SaylauError):
    """The write contradicts what is already stored (a second, different protocol for a PEC)."""


class NotAuthenticated(SaylauError):
    """A write came without a token, or with one that is unknown or revoked (HTTP 401)."""


class Forbidden(SaylauError):
    """The token is valid but its role or commission scope does not allow this write (403)."""
