"""The profile's campaign-side sections: candidacy, signatures, deposit, finance, airtime,
complaint deadlines. Each is a frozen value parsed and checked once, when the profile loads.

Figures for kz-2022 are from the OSCE/ODIHR final report: section VII and footnotes 44 and 50
(eligibility, signatures, deposit), IX and footnote 59 (finance), X and footnote 71 (free
airtime), XI and footnotes 76-77 (complaint deadlines). The checks refuse what would otherwise
let a wrong decision through without anyone noticing: a cap on a part of a fund above the cap
on the whole fund, a collection period whose shortest length is above its longest, a share
that is not a share, a deadline of zero days.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from saylau.domain.errors import ProfileError
from saylau.domain.profile_fields import (
    codes,
    flag,
    money,
    only_keys,
    positive,
    require,
    section,
    share,
    whole,
)


@dataclass(frozen=True)
class CandidateEligibility:
    """Who may stand (section VII): the age, the residence and service years, the conditions
    that are a yes or a no, and the kinds of body that may nominate."""

    minimum_age: int
    citizen_by_birth: bool
    residence_years: int
    higher_education: bool
    civil_service_or_elected_years: int
    kazakh_language_test: bool
    no_criminal_record: bool
    nominated_by: tuple[str, ...]


def candidate_eligibility(raw: Any) -> CandidateEligibility:
    rule = "candidate_eligibility"
    rules = section(raw, rule)
    only_keys(rules, tuple(CandidateEligibility.__dataclass_fields__), rule)
    years = {
        key: whole(require(rules, key, f"{rule}.{key}"), f"{rule}.{key}", 0)
        for key in ("residence_years", "civil_service_or_elected_years")
    }
    return CandidateEligibility(
        minimum_age=positive(rules, "minimum_age", f"{rule}.minimum_age"),
        citizen_by_birth=flag(rules, "citizen_by_birth", f"{rule}.citizen_by_birth"),
        residence_years=years["residence_years"],
        higher_education=flag(rules, "higher_education", f"{rule}.higher_education"),
        civil_service_or_elected_years=years["civil_service_or_elected_years"],
        kazakh_language_test=flag(rules, "kazakh_language_test", f"{rule}.kazakh_language_test"),
        no_criminal_record=flag(rules, "no_criminal_record", f"{rule}.no_criminal_record"),
        nominated_by=codes(rules, "nominated_by", f"{rule}.nominated_by", empty=False),
    )


@dataclass(frozen=True)
class SignatureRules:
    """Support signatures (section VII): a share of the registered voters, from at least
    `minimum_regions` regions, collected over `collection_min_days` to `collection_max_days`
    days and verified within `verification_days`."""

    share_of_registered: Decimal
    minimum_regions: int
    collection_min_days: int
    collection_max_days: int
    verification_days: int

    def required(self, registered: int) -> int:
        """Signatures a nominee needs: the share of `registered`, rounded up (1 per cent of
        11,827,277 is 118,272.77; the report's figure is 118,273)."""
        exact = self.share_of_registered * registered
        return int(exact.to_integral_value(rounding=ROUND_CEILING))


def signature_rules(raw: Any) -> SignatureRules:
    rule = "signatures"
    rules = section(raw, rule)
    only_keys(
        rules,
        ("share_of_registered", "minimum_regions", "collection_days", "verification_days"),
        rule,
    )
    days = section(
        require(rules, "collection_days", f"{rule}.collection_days"), f"{rule}.collection_days"
    )
    only_keys(days, ("min", "max"), f"{rule}.collection_days")
    shortest = positive(days, "min", f"{rule}.collection_days.min")
    longest = positive(days, "max", f"{rule}.collection_days.max")
    if shortest > longest:
        raise ProfileError(
            f"{rule}.collection_days",
            f"min {shortest} days is above max {longest} days",
        )
    return SignatureRules(
        share_of_registered=share(rules, "share_of_registered", f"{rule}.share_of_registered"),
        minimum_regions=positive(rules, "minimum_regions", f"{rule}.minimum_regions"),
        collection_min_days=shortest,
        collection_max_days=longest,
        verification_days=positive(rules, "verification_days", f"{rule}.verification_days"),
    )


@dataclass(frozen=True)
class DepositRules:
    """The election deposit (footnote 50): `minimum_wages` minimum monthly wages, returned to
    a candidate with no less than `returned_at_share` of the votes."""

    minimum_wages: int
    returned_at_share: Decimal


def deposit_rules(raw: Any) -> DepositRules:
    rule = "deposit"
    rules = section(raw, rule)
    only_keys(rules, ("minimum_wages", "returned_at_share"), rule)
    return DepositRules(
        minimum_wages=positive(rules, "minimum_wages", f"{rule}.minimum_wages"),
        returned_at_share=share(rules, "returned_at_share", f"{rule}.returned_at_share"),
    )


@dataclass(frozen=True)
class FinanceRules:
    """A candidate's campaign fund (section IX, footnote 59), in whole units of `currency`.

    The own-and-nominator cap and the donations cap limit two parts of one fund whose total is
    capped too; they may add up to more than the total (then not both can be reached), never
    exceed it one by one.
    """

    currency: str
    total_cap: int
    own_and_nominator_cap: int
    donations_cap: int
    banned_sources: tuple[str, ...]
    report_days_after_results: int


def finance_rules(raw: Any) -> FinanceRules:
    rule = "finance"
    rules = section(raw, rule)
    only_keys(rules, tuple(FinanceRules.__dataclass_fields__), rule)
    currency = require(rules, "currency", f"{rule}.currency")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise ProfileError(f"{rule}.currency", f"must be a code such as KZT, not {currency!r}")
    if not (currency.isascii() and currency.isupper()):
        raise ProfileError(f"{rule}.currency", f"must be a code such as KZT, not {currency!r}")
    total = money(rules, "total_cap", f"{rule}.total_cap")
    parts = {
        key: money(rules, key, f"{rule}.{key}")
        for key in ("own_and_nominator_cap", "donations_cap")
    }
    for key, cap in parts.items():
        if cap > total:
            raise ProfileError(
                f"{rule}.{key}",
                f"{cap:,} {currency} is above the fund's total cap of {total:,} {currency}",
            )
    return FinanceRules(
        currency=currency,
        total_cap=total,
        own_and_nominator_cap=parts["own_and_nominator_cap"],
        donations_cap=parts["donations_cap"],
        banned_sources=codes(rules, "banned_sources", f"{rule}.banned_sources", empty=True),
        report_days_after_results=positive(
            rules, "report_days_after_results", f"{rule}.report_days_after_results"
        ),
    )


@dataclass(frozen=True)
class FreeAirtime:
    """State-paid airtime and space per candidate (section X, footnote 71)."""

    tv_minutes: int
    radio_minutes: int
    print_items: int


def free_airtime(raw: Any) -> FreeAirtime:
    """Each allowance may be 0 (none of that kind), but a section granting nothing at all is
    refused: leave the section out instead, so "no free airtime" is said one way only."""
    rule = "free_airtime"
    rules = section(raw, rule)
    keys = tuple(FreeAirtime.__dataclass_fields__)
    only_keys(rules, keys, rule)
    values = {key: whole(require(rules, key, f"{rule}.{key}"), f"{rule}.{key}", 0) for key in keys}
    if not any(values.values()):
        raise ProfileError(rule, "grants nothing; leave the section out for an election without")
    return FreeAirtime(**values)


@dataclass(frozen=True)
class ComplaintDeadlines:
    """Statutory deadlines in days (section XI, footnotes 76-77, and the results appeal)."""

    file: int
    decide: int
    appeal_to_higher_commission: int
    candidate_registration_to_supreme_court: int
    supreme_court_decision: int
    results_appeal: int


def complaint_deadlines(raw: Any) -> ComplaintDeadlines:
    """Every deadline is required and a whole number of days, at least 1: a deadline of 0
    days would close a complaint before it could be filed."""
    rule = "complaint_deadlines_days"
    rules = section(raw, rule)
    keys = tuple(ComplaintDeadlines.__dataclass_fields__)
    only_keys(rules, keys, rule)
    return ComplaintDeadlines(**{key: positive(rules, key, f"{rule}.{key}") for key in keys})


def check_candidate_age(candidacy: CandidateEligibility, voting_age: int) -> None:
    """A candidate must first have the right to vote (section VII), so a candidate age below
    the voting age states a rule that can never apply."""
    if candidacy.minimum_age < voting_age:
        raise ProfileError(
            "candidate_eligibility.minimum_age",
            f"{candidacy.minimum_age} is below the voting age {voting_age}",
        )
