"""When a voter may change where they vote: the profile's deadlines, as pure rules.

Report section IX: up to 30 days before election day a voter could ask to vote where they
live rather than where they are registered (about 80,000 did); absentee voting certificates
(AVC) were issued until 5 November for a 20 November election (22,578 issued, 13,282 used);
mobile voting needed a written application (footnote 39); election-day registration was
allowed only in PECs the CEC designated (4,053 for residents, 181 for people registered
nowhere). Each of these is a profile rule so another election states its own law, and a change
is accepted only when the date its application bears is inside the window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from saylau.domain.errors import ProfileError

CHANGE_KINDS = ("transfer", "absentee_certificate", "mobile_request")
SITE_SCOPES = ("residents", "unregistered")


@dataclass(frozen=True)
class Window:
    """Applications are accepted from `opens_days_before` (None: any time) up to and including
    `closes_days_before` days before election day."""

    closes_days_before: int
    opens_days_before: int | None = None

    def first_day(self, election_day: date) -> date | None:
        if self.opens_days_before is None:
            return None
        return election_day - timedelta(days=self.opens_days_before)

    def last_day(self, election_day: date) -> date:
        return election_day - timedelta(days=self.closes_days_before)


@dataclass(frozen=True)
class ChangeRules:
    """The profile's `register_changes` section."""

    windows: dict[str, Window]
    mobile_reasons: tuple[str, ...]
    mobile_requires_request: bool
    designated_sites_only: bool


def _window(section: Mapping[str, Any], kind: str) -> Window | None:
    raw = section.get(kind)
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ProfileError(f"register_changes.{kind}", "must map closes_days_before (and opens)")
    closes = raw.get("closes_days_before")
    opens = raw.get("opens_days_before")
    for name, value in (("closes_days_before", closes), ("opens_days_before", opens)):
        if value is None and name == "opens_days_before":
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ProfileError(
                f"register_changes.{kind}.{name}", f"must be a whole number of days, not {value!r}"
            )
    if opens is not None and opens < closes:
        raise ProfileError(
            f"register_changes.{kind}", f"opens {opens} days before but closes {closes} before"
        )
    return Window(closes, opens)


def change_rules(raw_profile: Mapping[str, Any]) -> ChangeRules:
    """Read the profile's `register_changes`; a kind it does not name is not allowed at all."""
    section = raw_profile.get("register_changes") or {}
    if not isinstance(section, Mapping):
        raise ProfileError("register_changes", "must be a mapping")
    windows = {kind: w for kind in CHANGE_KINDS if (w := _window(section, kind)) is not None}
    reasons = section.get("mobile_reasons") or []
    if not isinstance(reasons, list):
        raise ProfileError("register_changes.mobile_reasons", "must be a list of reason codes")
    sites = section.get("election_day_registration", "designated_sites")
    if sites not in ("designated_sites", "everywhere"):
        raise ProfileError(
            "register_changes.election_day_registration",
            f"must be designated_sites or everywhere, not {sites!r}",
        )
    return ChangeRules(
        windows=windows,
        mobile_reasons=tuple(str(r) for r in reasons),
        mobile_requires_request=bool(section.get("mobile_requires_request", True)),
        designated_sites_only=sites == "designated_sites",
    )


def window_problem(
    rules: ChangeRules, kind: str, applied_on: date, election_day: date, today: date
) -> str | None:
    """Why an application of `kind` dated `applied_on` cannot be accepted; None when it can.

    An application cannot bear a date after the day it is recorded (`today`): a future date is
    always a mistake. (A back-dated one cannot be told from an honest one here; the record keeps
    both the stated date and the time it was recorded, so a reviewer can.)
    """
    label = kind.replace("_", " ")
    window = rules.windows.get(kind)
    if window is None:
        return f"this election's law (profile) allows no {label}"
    if applied_on > today:
        return f"the application is dated {applied_on.isoformat()}, after today {today}"
    last = window.last_day(election_day)
    if applied_on > last:
        return (
            f"a {label} must be applied for by {last.isoformat()} "
            f"({window.closes_days_before} days before election day); "
            f"this application is dated {applied_on.isoformat()}"
        )
    first = window.first_day(election_day)
    if first is not None and applied_on < first:
        return (
            f"a {label} may be applied for from {first.isoformat()} "
            f"({window.opens_days_before} days before election day); "
            f"this application is dated {applied_on.isoformat()}"
        )
    return None
