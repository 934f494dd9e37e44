"""The profile's sections beyond the protocol: typed on load, each broken rule named exactly,
and an optional section's absence named by its accessor when a context asks for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from saylau.domain.errors import ProfileError
from saylau.domain.profile import OPTIONAL_SECTIONS, Profile, load_profile
from saylau.domain.register_changes import Window
from tests.domain.fixtures import profile, profile_dict

DROP = object()


def change(path: str, value: Any = DROP) -> Callable[[dict[str, Any]], None]:
    """Set the value at a dotted `path` of the document, or remove the key (DROP)."""

    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = doc
        for key in parents:
            target = target[key]
        if value is DROP:
            del target[last]
        else:
            target[last] = value

    return mutate


# (what is broken, the exact rule the error must name, words the message must hold)
CASES: list[tuple[Callable[[dict[str, Any]], None], str, str]] = [
    # top level
    (change("timezone"), "timezone", "is missing"),
    (change("timezone", "Asia/Almaty_"), "timezone", "not an IANA time zone"),
    (change("timezone", "asia/almaty"), "timezone", "not an IANA time zone"),
    (change("timezone", "Asia"), "timezone", "not an IANA time zone"),
    (change("timezone", "+06:00"), "timezone", "not an IANA time zone"),
    (change("timezone", 6), "timezone", "not an IANA time zone"),
    (change("finances", {"total_cap": 1}), "finances", "not a rule saylau knows"),
    (change("election_date", "20 November 2022"), "election_date", "must be a date"),
    (change("nist_election_type", "snap"), "nist_election_type", "must be one of general"),
    (change("constituency", 1), "constituency", "must be text"),
    # winner rule
    (change("winner_rule.share_above", 0.5), "winner_rule.share_above", "quoted decimal"),
    (change("winner_rule.turnout_minimum", "0.5"), "winner_rule.turnout_minimum", "set it null"),
    (change("winner_rule.share_abov", "0.5"), "winner_rule.share_abov", "not a rule"),
    (change("winner_rule.runoff.within_days", 0), "winner_rule.runoff.within_days", "at least 1"),
    # voters
    (change("voters", [18]), "voters", "must be a mapping"),
    (change("voters.minimum_age"), "voters.minimum_age", "is missing"),
    (change("voters.minimum_age", "18"), "voters.minimum_age", "whole number"),
    (change("voters.minimum_age", True), "voters.minimum_age", "whole number"),
    (change("voters.minimum_age", 0), "voters.minimum_age", "at least 1"),
    (change("voters.exclusions"), "voters.exclusions", "is missing"),
    (change("voters.exclusions", "serving_prison_sentence"), "voters.exclusions", "a list"),
    (
        change("voters.exclusions", ["serving_prison_sentence", "serving_prison_sentence"]),
        "voters.exclusions",
        "'serving_prison_sentence' is listed twice",
    ),
    # register changes
    (
        change(
            "register_changes.mobile_request", {"opens_days_before": 10, "closes_days_before": 12}
        ),
        "register_changes.mobile_request",
        "opens 10 days before election day, after it closes 12 days before",
    ),
    (
        change("register_changes.transfer", {"closes_days_before": -1}),
        "register_changes.transfer.closes_days_before",
        "at least 0",
    ),
    (
        change("register_changes.transfer", {"opens_days_before": 40}),
        "register_changes.transfer.closes_days_before",
        "is missing",
    ),
    (
        change("register_changes.transfer", {"closes_day_before": 30}),
        "register_changes.transfer.closes_day_before",
        "not a rule",
    ),
    (
        change("register_changes.election_day_registration", "anywhere"),
        "register_changes.election_day_registration",
        "must be one of designated_sites, everywhere",
    ),
    (
        change("register_changes.election_day_registration"),
        "register_changes.election_day_registration",
        "is missing",
    ),
    (
        change("register_changes.mobile_reasons", []),
        "register_changes.mobile_reasons",
        "at least one",
    ),
    (
        change("register_changes.mobile_reasons", ["health", "health"]),
        "register_changes.mobile_reasons",
        "listed twice",
    ),
    (
        change("register_changes.mobile_requires_request"),
        "register_changes.mobile_requires_request",
        "is missing",
    ),
    (
        change("register_changes.mobile_requires_request", "yes"),
        "register_changes.mobile_requires_request",
        "true or false",
    ),
    (
        change("register_changes.mobile_request"),
        "register_changes.mobile_requires_request",
        "no one could vote by mobile ballot box",
    ),
    # candidate eligibility
    (
        change("candidate_eligibility.minimum_age", 16),
        "candidate_eligibility.minimum_age",
        "16 is below the voting age 18",
    ),
    (
        change("candidate_eligibility.minimum_age", 0),
        "candidate_eligibility.minimum_age",
        "least 1",
    ),
    (
        change("candidate_eligibility.residence_years", -15),
        "candidate_eligibility.residence_years",
        "at least 0",
    ),
    (
        change("candidate_eligibility.citizen_by_birth", "yes"),
        "candidate_eligibility.citizen_by_birth",
        "true or false",
    ),
    (
        change("candidate_eligibility.higher_education"),
        "candidate_eligibility.higher_education",
        "is missing",
    ),
    (change("candidate_eligibility.nominated_by", []), "candidate_eligibility.nominated_by", "one"),
    (
        change("candidate_eligibility.nominated_by", ["political_party", "political_party"]),
        "candidate_eligibility.nominated_by",
        "listed twice",
    ),
    # signatures
    (
        change("signatures.share_of_registered", 0.01),
        "signatures.share_of_registered",
        "quoted decimal",
    ),
    (change("signatures.share_of_registered", "1"), "signatures.share_of_registered", "between"),
    (change("signatures.share_of_registered", "0"), "signatures.share_of_registered", "between"),
    (change("signatures.share_of_registered", "NaN"), "signatures.share_of_registered", "between"),
    (change("signatures.share_of_registered", "1%"), "signatures.share_of_registered", "decimal"),
    (change("signatures.minimum_regions", 0), "signatures.minimum_regions", "at least 1"),
    (
        change("signatures.collection_days", {"min": 9, "max": 8}),
        "signatures.collection_days",
        "min 9 days is above max 8 days",
    ),
    (change("signatures.collection_days.max"), "signatures.collection_days.max", "is missing"),
    (change("signatures.collection_days", 8), "signatures.collection_days", "mapping"),
    (change("signatures.verification_days", 2.5), "signatures.verification_days", "whole"),
    # deposit
    (change("deposit.returned_at_share", "1.05"), "deposit.returned_at_share", "between"),
    (change("deposit.returned_at_share", "0"), "deposit.returned_at_share", "between"),
    (change("deposit.minimum_wages", -50), "deposit.minimum_wages", "at least 1"),
    (change("deposit.minimum_wages"), "deposit.minimum_wages", "is missing"),
    # finance
    (
        change("finance.own_and_nominator_cap", 2_000_000_000),
        "finance.own_and_nominator_cap",
        "2,000,000,000 KZT is above the fund's total cap of 1,620,000,000 KZT",
    ),
    (change("finance.donations_cap", 1_620_000_001), "finance.donations_cap", "total cap"),
    (change("finance.total_cap", "1.62 billion"), "finance.total_cap", "whole number"),
    (change("finance.total_cap", 1.62e9), "finance.total_cap", "whole number"),
    (change("finance.total_cap", 0), "finance.total_cap", "at least 1"),
    (change("finance.donations_cap"), "finance.donations_cap", "is missing"),
    (change("finance.currency", "kzt"), "finance.currency", "code such as KZT"),
    (change("finance.currency", "Tenge"), "finance.currency", "code such as KZT"),
    (change("finance.banned_sources", ["foreign", "foreign"]), "finance.banned_sources", "twice"),
    (
        change("finance.report_days_after_results", 0),
        "finance.report_days_after_results",
        "at least 1",
    ),
    # free airtime
    (
        change("free_airtime", {"tv_minutes": 0, "radio_minutes": 0, "print_items": 0}),
        "free_airtime",
        "grants nothing",
    ),
    (change("free_airtime.tv_minutes", -15), "free_airtime.tv_minutes", "at least 0"),
    (change("free_airtime.print_items"), "free_airtime.print_items", "is missing"),
    # complaint deadlines
    (change("complaint_deadlines_days.file", 0), "complaint_deadlines_days.file", "at least 1"),
    (change("complaint_deadlines_days.decide", 2.5), "complaint_deadlines_days.decide", "whole"),
    (
        change("complaint_deadlines_days.results_appeal", "10"),
        "complaint_deadlines_days.results_appeal",
        "whole number",
    ),
    (
        change("complaint_deadlines_days.supreme_court_decision"),
        "complaint_deadlines_days.supreme_court_decision",
        "is missing",
    ),
    (change("complaint_deadlines_days.appeal", 3), "complaint_deadlines_days.appeal", "not a rule"),
]


@pytest.mark.parametrize(("mutate", "rule", "words"), CASES)
def test_each_broken_rule_is_named_exactly(
    mutate: Callable[[dict[str, Any]], None], rule: str, words: str
) -> None:
    doc = profile_dict()
    mutate(doc)
    with pytest.raises(ProfileError) as caught:
        load_profile(doc)
    assert caught.value.rule == rule, str(caught.value)
    assert words in caught.value.problem, str(caught.value)


def test_the_shipped_profile_carries_every_section_typed() -> None:
    p = profile()
    assert [name for name in OPTIONAL_SECTIONS if getattr(p, name) is None] == []
    assert "raw" not in {f.name for f in fields(Profile)}
    assert p.timezone == "Asia/Almaty"
    assert p.election_date == date(2022, 11, 20)
    assert p.nist_election_type is None
    voters = p.require_voters()
    assert (voters.minimum_age, voters.exclusions) == (
        18,
        ("court_declared_incapacity", "serving_prison_sentence"),
    )
    changes = p.require_register_changes()
    assert changes.windows == {
        "transfer": Window(30),
        "absentee_certificate": Window(15),
        "mobile_request": Window(0, 15),
    }
    assert changes.mobile_reasons == ("health", "caring_for_sick", "remote_location")
    assert changes.mobile_requires_request and changes.designated_sites_only
    candidacy = p.require_candidate_eligibility()
    assert (candidacy.minimum_age, candidacy.residence_years) == (40, 15)
    assert candidacy.civil_service_or_elected_years == 5
    assert candidacy.nominated_by == ("political_party", "national_public_association")
    signatures = p.require_signatures()
    assert signatures.share_of_registered == Decimal("0.01")
    assert (signatures.minimum_regions, signatures.verification_days) == (14, 5)
    assert (signatures.collection_min_days, signatures.collection_max_days) == (3, 8)
    deposit = p.require_deposit()
    assert (deposit.minimum_wages, deposit.returned_at_share) == (50, Decimal("0.05"))
    finance = p.require_finance()
    assert finance.currency == "KZT"
    assert (finance.total_cap, finance.own_and_nominator_cap, finance.donations_cap) == (
        1_620_000_000,
        720_000_000,
        900_000_000,
    )
    assert "anonymous" in finance.banned_sources and finance.report_days_after_results == 5
    airtime = p.require_free_airtime()
    assert (airtime.tv_minutes, airtime.radio_minutes, airtime.print_items) == (15, 10, 2)
    deadlines = p.require_complaint_deadlines()
    assert (deadlines.file, deadlines.decide, deadlines.appeal_to_higher_commission) == (10, 5, 3)
    assert deadlines.candidate_registration_to_supreme_court == 10
    assert (deadlines.supreme_court_decision, deadlines.results_appeal) == (10, 10)


def test_signatures_needed_are_the_share_rounded_up() -> None:
    """Section VII: 1 per cent of the 11,827,277 voters of 1 July is "at least 118,273"."""
    signatures = profile().require_signatures()
    assert signatures.required(11_827_277) == 118_273
    assert signatures.required(11_827_200) == 118_272


ACCESSORS: dict[str, Callable[[Profile], object]] = {
    "voters": Profile.require_voters,
    "register_changes": Profile.require_register_changes,
    "candidate_eligibility": Profile.require_candidate_eligibility,
    "signatures": Profile.require_signatures,
    "deposit": Profile.require_deposit,
    "finance": Profile.require_finance,
    "free_airtime": Profile.require_free_airtime,
    "complaint_deadlines_days": Profile.require_complaint_deadlines,
}


@pytest.mark.parametrize("name", list(OPTIONAL_SECTIONS))
def test_a_profile_without_an_optional_section_loads_and_the_accessor_names_it(
    name: str,
) -> None:
    doc = profile_dict()
    del doc[name]
    p = load_profile(doc)
    assert getattr(p, name) is None
    with pytest.raises(ProfileError) as caught:
        ACCESSORS[name](p)
    assert caught.value.rule == name
    assert caught.value.problem == f"is missing; this election has {OPTIONAL_SECTIONS[name]}"
    others = [other for other in ACCESSORS if other != name]
    assert all(ACCESSORS[other](p) is getattr(p, other) for other in others)


def test_a_minimal_profile_needs_only_the_results_rules() -> None:
    doc = profile_dict()
    for name in (*OPTIONAL_SECTIONS, "election_date", "constituency"):
        del doc[name]
    p = load_profile(doc)
    assert p.timezone == "Asia/Almaty" and p.election_date is None
    assert [name for name in OPTIONAL_SECTIONS if getattr(p, name) is not None] == []
    with pytest.raises(ProfileError, match="profile rule finance: is missing; this election"):
        p.require_finance()


def test_a_null_section_reads_as_absent() -> None:
    doc = profile_dict()
    doc["deposit"] = None
    assert load_profile(doc).deposit is None
