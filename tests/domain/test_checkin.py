"""The check-in rule, from facts alone: every reason reachable, and the order they are tried in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import product

import pytest

from saylau.domain.checkin import (
    ISSUE,
    KINDS,
    REASONS,
    REFUSE,
    Asking,
    Certificate,
    Earlier,
    Facts,
    Verdict,
    VoterFacts,
    after_earlier,
    decide,
    on_the_list,
)
from saylau.domain.iin import make_iin
from saylau.domain.register_changes import ChangeRules

IIN = make_iin(date(1980, 6, 15), "female", 1)
assert IIN is not None
BAD_IIN = IIN[:11] + str((int(IIN[11]) + 1) % 10)
HERE, THERE = 7, 8
STRICT = ChangeRules({}, ("health",), mobile_requires_request=True, designated_sites_only=True)
LENIENT = ChangeRules({}, ("health",), mobile_requires_request=False, designated_sites_only=False)

ASK = Asking("kz-2022", IIN, HERE, "01-0001", "c1")
ON_LIST = VoterFacts(1, "active", None, HERE, "01-0001")
AWAY = replace(ON_LIST, pec_id=THERE, pec="01-0002")
ABSENTEE = replace(ON_LIST, status="absentee")
EXCLUDED = replace(ON_LIST, status="excluded", exclusion="serving_prison_sentence")
SUPERSEDED = replace(ON_LIST, status="superseded", exclusion="the same person as voter 9")
BEFORE = Earlier("01-0003", "2022-11-20T08:00:00+00:00", "station", "c0")
RETRY = replace(BEFORE, client_id="c1")  # this very check-in, its answer lost
CERT = Certificate("0000001", 1)
USED = replace(CERT, used_pec="01-0004", used_at="2022-11-20T09:00:00+00:00")
OTHERS = replace(CERT, voter_id=2)

# (name, asking, facts, rules, outcome, reason, kind): one row per path through the rule.
CASES = [
    ("station", ASK, Facts(ON_LIST), STRICT, ISSUE, "issued", "station"),
    ("bad iin", replace(ASK, iin=BAD_IIN), Facts(ON_LIST), STRICT, REFUSE, "bad_iin", None),
    ("unknown", ASK, Facts(None), STRICT, REFUSE, "unknown_voter", None),
    ("excluded", ASK, Facts(EXCLUDED, BEFORE), STRICT, REFUSE, "excluded", None),
    ("superseded", ASK, Facts(SUPERSEDED), STRICT, REFUSE, "superseded", None),
    ("not on list", ASK, Facts(AWAY), STRICT, REFUSE, "not_on_list", None),
    ("holds avc", ASK, Facts(ABSENTEE, certificate=CERT), STRICT, REFUSE, "holds_avc", None),
    ("voted", ASK, Facts(ON_LIST, BEFORE), STRICT, REFUSE, "already_voted", None),
    ("retry", ASK, Facts(ON_LIST, RETRY), STRICT, ISSUE, "issued", "station"),
    ("voted, not on list", ASK, Facts(AWAY, BEFORE), STRICT, REFUSE, "already_voted", None),
    ("retry, not on list", ASK, Facts(AWAY, RETRY), STRICT, REFUSE, "already_voted", None),
    # mobile
    ("mobile", replace(ASK, mobile=True), Facts(ON_LIST, mobile_request=True), STRICT,
     ISSUE, "issued", "mobile"),
    ("mobile unasked", replace(ASK, mobile=True), Facts(ON_LIST), STRICT,
     REFUSE, "no_mobile_request", None),
    ("mobile, no request needed", replace(ASK, mobile=True), Facts(ON_LIST), LENIENT,
     ISSUE, "issued", "mobile"),
    ("mobile elsewhere", replace(ASK, mobile=True, supplementary=True), Facts(AWAY), STRICT,
     REFUSE, "not_on_list", None),
    # supplementary registration
    ("supplementary", replace(ASK, supplementary=True), Facts(AWAY, site_scope="residents"),
     STRICT, ISSUE, "issued", "supplementary"),
    ("supplementary, undesignated", replace(ASK, supplementary=True), Facts(AWAY), STRICT,
     REFUSE, "not_designated", None),
    ("supplementary, any PEC", replace(ASK, supplementary=True), Facts(AWAY), LENIENT,
     ISSUE, "issued", "supplementary"),
    ("supplementary at home", replace(ASK, supplementary=True), Facts(ON_LIST), STRICT,
     ISSUE, "issued", "station"),
    ("supplementary, voted", replace(ASK, supplementary=True), Facts(AWAY, BEFORE), STRICT,
     REFUSE, "already_voted", None),
    # absentee voting certificates
    ("avc", replace(ASK, avc="0000001"), Facts(ABSENTEE, certificate=CERT), STRICT,
     ISSUE, "issued", "avc"),
    ("avc unknown", replace(ASK, avc="0000009"), Facts(ABSENTEE), STRICT,
     REFUSE, "avc_unknown", None),
    ("avc, another number", replace(ASK, avc="0000009"), Facts(ABSENTEE, certificate=CERT),
     STRICT, REFUSE, "avc_unknown", None),
    ("avc not theirs", replace(ASK, avc="0000001"), Facts(ABSENTEE, certificate=OTHERS),
     STRICT, REFUSE, "avc_not_theirs", None),
    ("avc used", replace(ASK, avc="0000001"), Facts(ON_LIST, BEFORE, certificate=USED),
     STRICT, REFUSE, "avc_used", None),
    ("avc unknown, voted", replace(ASK, avc="0000009"), Facts(ON_LIST, BEFORE), STRICT,
     REFUSE, "already_voted", None),
    ("avc, retried", replace(ASK, avc="0000001"), Facts(ABSENTEE, RETRY, certificate=CERT),
     STRICT, ISSUE, "issued", "station"),
    # people on no list
    ("newcomer", replace(ASK, person=True), Facts(None, site_scope="unregistered"), STRICT,
     ISSUE, "issued", "new"),
    ("newcomer, residents' site", replace(ASK, person=True), Facts(None, site_scope="residents"),
     STRICT, REFUSE, "not_designated", None),
    ("newcomer, any PEC", replace(ASK, person=True), Facts(None), LENIENT,
     ISSUE, "issued", "new"),
    ("newcomer, bad details", replace(ASK, person=True),
     Facts(None, site_scope="unregistered", person_problems=("field sex: odd", "field x: y")),
     STRICT, REFUSE, "invalid_person", None),
    ("newcomer on the register", replace(ASK, person=True), Facts(ON_LIST), STRICT,
     ISSUE, "issued", "station"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("asking", "facts", "rules", "outcome", "reason", "kind"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_path_gives_its_verdict(
    asking: Asking, facts: Facts, rules: ChangeRules, outcome: str, reason: str, kind: str | None
) -> None:
    verdict = decide(asking, facts, rules)
    assert (verdict.outcome, verdict.reason, verdict.kind) == (outcome, reason, kind)
    assert verdict.message  # every reason has its words
    assert "{" not in verdict.message  # and every blank in them is filled


def test_every_reason_is_reachable_and_every_kind_issued() -> None:
    verdicts = [decide(*case[1:4]) for case in CASES]
    assert {v.reason for v in verdicts} == set(REASONS)
    assert {v.kind for v in verdicts if v.outcome == ISSUE} == set(KINDS)


def test_refusals_name_where_and_when() -> None:
    voted = decide(ASK, Facts(ON_LIST, BEFORE), STRICT)
    assert (voted.earlier_pec, voted.earlier_at) == (BEFORE.pec, BEFORE.at)
    assert voted.message == (
        f"IIN {IIN} has already been given a ballot at PEC 01-0003 at {BEFORE.at}"
    )
    away = decide(ASK, Facts(AWAY), STRICT)
    assert away.earlier_pec == "01-0002" and "list of PEC 01-0002, not 01-0001" in away.message
    used = decide(replace(ASK, avc="0000001"), Facts(ON_LIST, certificate=USED), STRICT)
    assert (used.earlier_pec, used.earlier_at) == (USED.used_pec, USED.used_at)
    held = decide(ASK, Facts(ABSENTEE, certificate=CERT), STRICT)
    assert "certificate 0000001" in held.message
    unheld = decide(ASK, Facts(ABSENTEE), STRICT)
    assert "certificate ?" in unheld.message  # a gatherer that did not read it
    excluded = decide(ASK, Facts(EXCLUDED), STRICT)
    assert excluded.message.endswith("excluded on the register: serving_prison_sentence")
    bad = decide(replace(ASK, iin=BAD_IIN), Facts(None), STRICT)
    assert "check digit" in bad.message
    problems = Facts(None, site_scope="unregistered", person_problems=("a", "b"))
    assert decide(replace(ASK, person=True), problems, STRICT).message.endswith(": a; b")
    nowhere = decide(replace(ASK, person=True), Facts(None), STRICT)
    assert "registering people on no list" in nowhere.message and "kz-2022" in nowhere.message
    undesignated = decide(replace(ASK, supplementary=True), Facts(AWAY), STRICT)
    assert undesignated.earlier_pec == "01-0002"
    assert undesignated.message.endswith("votes at PEC 01-0002")


def test_a_replay_answers_with_the_first_ballot_and_writes_nothing() -> None:
    replay = decide(ASK, Facts(ON_LIST, RETRY), STRICT)
    assert replay.replay and not replay.issues and replay.outcome == ISSUE
    assert (replay.earlier_pec, replay.earlier_at, replay.kind) == (
        RETRY.pec, RETRY.at, RETRY.kind,
    )  # fmt: skip
    fresh = decide(ASK, Facts(ON_LIST), STRICT)
    assert fresh.issues and not fresh.replay


def test_after_earlier_is_what_a_lost_write_answers() -> None:
    assert after_earlier(ASK, BEFORE) == decide(ASK, Facts(ON_LIST, BEFORE), STRICT)
    assert after_earlier(ASK, RETRY) == decide(ASK, Facts(ON_LIST, RETRY), STRICT)
    assert isinstance(after_earlier(ASK, RETRY), Verdict)


def every_plain_situation() -> list[tuple[Asking, Facts, ChangeRules]]:
    """A plain asking (valid IIN or not) against every combination of the facts and rules."""
    voters = [None] + [
        VoterFacts(1, status, None, pec, code)
        for status in ("active", "absentee", "excluded", "superseded")
        for pec, code in ((HERE, "01-0001"), (THERE, "01-0002"), (None, None))
    ]
    return [
        (asking, Facts(voter, earlier, certificate, scope, request, problems), rules)
        for asking, voter, earlier, certificate, scope, request, problems, rules in product(
            (ASK, replace(ASK, iin=BAD_IIN)),
            voters,
            (None, BEFORE, RETRY),
            (None, CERT, OTHERS, USED),
            (None, "residents", "unregistered"),
            (False, True),
            ((), ("field sex: odd",)),
            (STRICT, LENIENT),
        )
    ]


def test_a_plain_asking_is_issued_exactly_on_the_list() -> None:
    """What the group commit writes before `decide` sees the facts (`on_the_list`) is exactly
    where `decide` issues: the voter active on the asking PEC's list, no earlier ballot, and
    the asking itself issuable. Were the rule changed without its selection, this fails."""
    situations = every_plain_situation()
    assert len(situations) == 2 * 13 * 3 * 4 * 3 * 2 * 2 * 2
    for asking, facts, rules in situations:
        wanted = on_the_list(asking)
        listed = decide(asking, wanted, rules)
        assert wanted.voter is not None and wanted.voter.pec_id == asking.pec_id
        voter = facts.voter
        selected = (
            listed.issues
            and voter is not None
            and (voter.status, voter.pec_id) == (wanted.voter.status, asking.pec_id)
            and facts.earlier is None
        )
        verdict = decide(asking, facts, rules)
        assert verdict.issues == selected, (asking.iin, facts, rules)
        if selected:
            assert verdict.kind == listed.kind
