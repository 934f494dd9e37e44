"""Who may be on the voter register: the profile's voting age and exclusions, as pure rules.

The register is checked against these when it is loaded, and every exclusion carries its reason
code, so the number excluded for each reason can be published (recommendation 13 of the report
asks that restrictions on the right to vote be individual and proportionate, not blanket, which
only counts per reason can show).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from saylau.domain.errors import ProfileError
from saylau.domain.profile_fields import codes, only_keys, require, section, whole


@dataclass(frozen=True)
class VoterRules:
    """The profile's `voters` section."""

    minimum_age: int
    exclusions: tuple[str, ...]


def voter_rules(raw: Any) -> VoterRules:
    """Parse the profile's `voters` section (called by `load_profile`).

    Both keys are required: an election with no exclusions says `exclusions: []`, so a section
    that merely forgot them cannot pass for one. An exclusion listed twice is refused, since
    counts per reason are published and a reason must be counted once.
    """
    rules: Mapping[str, Any] = section(raw, "voters")
    only_keys(rules, ("minimum_age", "exclusions"), "voters")
    age = whole(require(rules, "minimum_age", "voters.minimum_age"), "voters.minimum_age", 1)
    if age >= 100:
        raise ProfileError("voters.minimum_age", f"must be a whole number of years, not {age}")
    return VoterRules(age, codes(rules, "exclusions", "voters.exclusions", empty=True))


def age_on(born: date, day: date) -> int:
    """Completed years on `day` (a person born on 29 February comes of age on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def registration_problems(
    rules: VoterRules, born: date, election_day: date, exclusion: str | None
) -> list[str]:
    """Why a person cannot be on this election's register; empty when they can."""
    problems = []
    age = age_on(born, election_day)
    if age < rules.minimum_age:
        problems.append(
            f"is {age} on election day {election_day.isoformat()}; "
            f"the voting age is {rules.minimum_age}"
        )
    if exclusion is not None and exclusion not in rules.exclusions:
        problems.append(
            f"exclusion {exclusion!r} is not one the profile allows "
            f"({', '.join(rules.exclusions) or 'none'})"
        )
    return problems
