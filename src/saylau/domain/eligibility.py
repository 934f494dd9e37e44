"""Who may be on the voter register: the profile's voting age and exclusions, as pure rules.

The register is checked against these when it is loaded, and every exclusion carries its reason
code, so the number excluded for each reason can be published (recommendation 13 of the report
asks that restrictions on the right to vote be individual and proportionate, not blanket, which
only counts per reason can show).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from saylau.domain.errors import ProfileError


@dataclass(frozen=True)
class VoterRules:
    """The profile's `voters` section."""

    minimum_age: int
    exclusions: tuple[str, ...]


def voter_rules(raw_profile: Mapping[str, Any]) -> VoterRules:
    section = raw_profile.get("voters")
    if not isinstance(section, Mapping):
        raise ProfileError("voters", "is missing (minimum_age and exclusions)")
    age = section.get("minimum_age")
    if not isinstance(age, int) or isinstance(age, bool) or not 0 < age < 100:
        raise ProfileError("voters.minimum_age", f"must be a whole number of years, not {age!r}")
    exclusions = section.get("exclusions") or []
    if not isinstance(exclusions, Sequence) or isinstance(exclusions, str):
        raise ProfileError("voters.exclusions", "must be a list of reason codes")
    return VoterRules(age, tuple(str(e) for e in exclusions))


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
