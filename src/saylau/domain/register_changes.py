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
from saylau.domain.profile_fields import codes, flag, one_of, only_keys, require, section, whole

CHANGE_KINDS = ("transfer", "absentee_certificate", "mobile_request")
SITE_SCOPES = ("residents", "unregistered")
REGISTRATION_MODES = ("designated_sites", "everywhere")
KEYS = (*CHANGE_KINDS, "mobile_reasons", "mobile_requires_request", "election_day_registration")


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

    windows: Mapping[str, Window]
    mobile_reasons: tuple[str, ...]
    mobile_requires_request: bool
    designated_sites_only: bool


def _window(rules: Mapping[str, Any], kind: str) -> Window | None:
    raw = rules.get(kind)
    if raw is None:
        return None
    rule = f"register_changes.{kind}"
    window = section(raw, rule)
    only_keys(window, ("closes_days_before", "opens_days_before"), rule)
    closes = whole(
        require(window, "closes_days_before", f"{rule}.closes_days_before"),
        f"{rule}.closes_days_before",
        0,
    )
    opens = window.get("opens_days_before")
    if opens is None:
        return Window(closes)
    opens = whole(opens, f"{rule}.opens_days_before", 0)
    if opens < closes:
        raise ProfileError(
            rule,
            f"opens {opens} days before election day, after it closes {closes} days before",
        )
    return Window(closes, opens)


def change_rules(raw: Any) -> ChangeRules:
    """Parse the profile's `register_changes` section (called by `load_profile`).

    A change kind the section does not name is not allowed at all. The two switches,
    `mobile_requires_request` and `election_day_registration`, have no default: each is a
    choice of the law, and a forgotten one must not read as the kz-2022 choice. Contradictions
    that would refuse every voter silently are refused here: a mobile-request window with no
    reason to give, or mobile voting that needs a request when no request can be made.
    """
    rules = section(raw, "register_changes")
    only_keys(rules, KEYS, "register_changes")
    windows = {kind: w for kind in CHANGE_KINDS if (w := _window(rules, kind)) is not None}
    reasons: tuple[str, ...] = ()
    if "mobile_request" in windows or rules.get("mobile_reasons") is not None:
        # With a request window the reasons are required and non-empty: an empty list would
        # refuse every request the window lets in.
        reasons = codes(
            rules,
            "mobile_reasons",
            "register_changes.mobile_reasons",
            empty="mobile_request" not in windows,
        )
    requires_request = flag(
        rules, "mobile_requires_request", "register_changes.mobile_requires_request"
    )
    if requires_request and "mobile_request" not in windows:
        raise ProfileError(
            "register_changes.mobile_requires_request",
            "is true but mobile_request names no window: no one could vote by mobile ballot box",
        )
    rule = "register_changes.election_day_registration"
    sites = one_of(require(rules, "election_day_registration", rule), REGISTRATION_MODES, rule)
    return ChangeRules(
        windows=windows,
        mobile_reasons=reasons,
        mobile_requires_request=requires_request,
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
