"""The check-in rule: may this voter be given a ballot at this PEC, and if not, why not.

One pure decision, `decide`, shaped like the protocol's `judge`: the facts in, a `Verdict`
out. The register gathers the facts for one check-in (`register.checkin`) or for a batch of
them (`register.checkin_batch`) and writes what the verdict says; neither restates the rule, so
the single and the batch path cannot drift apart (`tests/register/test_checkin_batch.py`
checks that they agree on every combination of facts).

The verdict is what is known before the write. One ballot per voter is still the database's
(a UNIQUE constraint the write runs into): two PECs can both be told "issue" here, and the
loser's answer is then `after_earlier`, from the ballot that won.

Order matters where several refusals apply: an earlier ballot explains most refusals better
than anything else, so it is named instead of them (`already_voted`); a used certificate, an
exclusion, an unknown or malformed IIN are named as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from saylau.domain.iin import IinError, parse_iin
from saylau.domain.register_changes import ChangeRules

ISSUE = "issue"
REFUSE = "refuse"

# Every answer's reason code and the message it gives (str.format over the verdict's details).
REASONS: dict[str, str] = {
    "issued": "issue a ballot to IIN {iin}",
    "already_voted": (
        "IIN {iin} has already been given a ballot at PEC {earlier_pec} at {earlier_at}"
    ),
    "not_on_list": (
        "IIN {iin} is on the list of PEC {earlier_pec}, not {pec}; "
        "add the voter here as a supplementary registration if this PEC is designated"
    ),
    "holds_avc": (
        "IIN {iin} holds absentee voting certificate {avc} and is on no list: "
        "the voter votes with the certificate, which the PEC retains"
    ),
    "avc_unknown": "no absentee voting certificate {avc} in {election}",
    "avc_not_theirs": "absentee voting certificate {avc} was not issued to IIN {iin}",
    "avc_used": (
        "absentee voting certificate {avc} was already used at PEC {earlier_pec} at {earlier_at}"
    ),
    "excluded": "IIN {iin} is excluded on the register: {exclusion}",
    "superseded": "IIN {iin} is superseded on the register: {exclusion}",
    "no_mobile_request": "IIN {iin} has no written application for mobile voting at PEC {pec}",
    "not_designated": "PEC {pec} is not designated for {registering}; IIN {iin} {instead}",
    "invalid_person": "IIN {iin} cannot be registered: {problems}",
    "unknown_voter": (
        "IIN {iin} is not on the register of {election}; a person registered "
        "nowhere may be added at a PEC designated for it"
    ),
    "bad_iin": "{problems}",
}

# The kinds of ballot, by what goes with it: nothing (station, mobile), a list move
# (supplementary), the certificate retained (avc), a new record (new).
KINDS = ("station", "mobile", "supplementary", "avc", "new")


@dataclass(frozen=True)
class Asking:
    """What the operator asks: this IIN, at this PEC, in this way."""

    election: str  # the election's code (messages name it)
    iin: str
    pec_id: int
    pec: str  # the PEC's code
    client_id: str
    mobile: bool = False
    supplementary: bool = False
    avc: str | None = None  # the number of the certificate shown
    person: bool = False  # a newcomer's identity details are given


@dataclass(frozen=True)
class VoterFacts:
    """The voter's register record, as read under the check-in's lock."""

    id: int
    status: str  # active | absentee | excluded | superseded
    exclusion: str | None
    pec_id: int | None  # the PEC whose list the voter is on (None: on no list)
    pec: str | None  # its code


@dataclass(frozen=True)
class Earlier:
    """A ballot already given to the voter in this election."""

    pec: str
    at: str
    kind: str
    client_id: str


@dataclass(frozen=True)
class Certificate:
    """An absentee voting certificate: the one shown, or else the one the voter holds."""

    number: str
    voter_id: int
    used_pec: str | None = None  # where it was retained, if it was
    used_at: str | None = None


@dataclass(frozen=True)
class Facts:
    """What the register knows that bears on the asking. A fact the asking cannot need may be
    left out (the batch, which asks only the plain case, gathers only what that needs)."""

    voter: VoterFacts | None  # None: the IIN is on no list of this election
    earlier: Earlier | None = None
    certificate: Certificate | None = None
    site_scope: str | None = None  # the asking PEC's designation: residents | unregistered
    mobile_request: bool = False  # a written application for mobile voting at the asking PEC
    person_problems: tuple[str, ...] = ()  # a newcomer's details against the register's rules


@dataclass(frozen=True)
class Verdict:
    """Issue (a ballot of `kind`) or refuse (with `reason`), and the message to show.

    `replay`: the ballot was already given in answer to this very check-in (the same client
    key, its answer lost): the answer is that ballot's again, and nothing is written."""

    outcome: str
    reason: str
    message: str
    kind: str | None = None
    earlier_pec: str | None = None
    earlier_at: str | None = None
    replay: bool = False

    @property
    def issues(self) -> bool:
        """A ballot is to be written now (not refused, not a replay)."""
        return self.outcome == ISSUE and not self.replay


def _say(asking: Asking, reason: str, **details: str | None) -> str:
    known = {"iin": asking.iin, "pec": asking.pec, "election": asking.election, "avc": asking.avc}
    return REASONS[reason].format(**{**known, **details})


def refused(asking: Asking, reason: str, **details: str | None) -> Verdict:
    """A refusal with its message; `earlier_pec` and `earlier_at`, when given, go with it."""
    return Verdict(
        REFUSE,
        reason,
        _say(asking, reason, **details),
        earlier_pec=details.get("earlier_pec"),
        earlier_at=details.get("earlier_at"),
    )


def issued(asking: Asking, kind: str) -> Verdict:
    return Verdict(ISSUE, "issued", _say(asking, "issued"), kind)


def after_earlier(asking: Asking, earlier: Earlier) -> Verdict:
    """The answer when the voter already has a ballot: this check-in's own (the same client
    key: a retry whose answer was lost), or "already voted, there, then"."""
    if earlier.client_id == asking.client_id:
        return Verdict(
            ISSUE,
            "issued",
            _say(asking, "issued"),
            earlier.kind,
            earlier.pec,
            earlier.at,
            replay=True,
        )
    return refused(asking, "already_voted", earlier_pec=earlier.pec, earlier_at=earlier.at)


# The one register status in which a voter is given a ballot without a certificate.
ISSUING_STATUS = "active"


def on_the_list(asking: Asking) -> Facts:
    """The facts under which a plain asking is most plainly issued: its voter active on the
    asking PEC's list, with no ballot yet and no certificate.

    Why: a group commit (`register.checkin_batch`) writes in the same statement that reads, so
    it must pick the rows to write before `decide` has seen them. It asks `decide` what these
    facts would give (the asking's own parts, such as its IIN, are judged there) and writes
    only where the database holds exactly these facts: the voter found, in ISSUING_STATUS, on
    this list, and no earlier ballot (the UNIQUE constraint's part). `decide` then judges every
    answer from the facts the statement read. `tests/domain/test_checkin.py` checks, over every
    combination of facts a plain asking can meet, that `decide` issues exactly there, so the
    selection cannot drift from the rule unnoticed."""
    listed = VoterFacts(0, ISSUING_STATUS, None, asking.pec_id, asking.pec)
    return Facts(listed)


def decide(asking: Asking, facts: Facts, rules: ChangeRules) -> Verdict:
    """Issue or refuse, from the facts alone."""
    try:
        parse_iin(asking.iin)
    except IinError as exc:
        return refused(asking, "bad_iin", problems=str(exc))
    voter = facts.voter
    if voter is None:
        return _newcomer(asking, facts, rules)
    if voter.status in ("excluded", "superseded"):
        return refused(asking, voter.status, exclusion=voter.exclusion)
    if asking.avc is not None:
        verdict = _with_certificate(asking, voter, facts.certificate)
    else:
        verdict = _without_certificate(asking, voter, facts, rules)
    earlier = facts.earlier
    if earlier is None or verdict.reason == "avc_used":
        return verdict
    if verdict.outcome == ISSUE:  # the write would run into it: the answer it would give
        return after_earlier(asking, earlier)
    return refused(asking, "already_voted", earlier_pec=earlier.pec, earlier_at=earlier.at)


def _newcomer(asking: Asking, facts: Facts, rules: ChangeRules) -> Verdict:
    """An IIN on no list: unknown, unless a person's details are given at a PEC for them."""
    if not asking.person:
        return refused(asking, "unknown_voter")
    if rules.designated_sites_only and facts.site_scope != "unregistered":
        return refused(
            asking,
            "not_designated",
            registering="registering people on no list",
            instead=f"is not on the register of {asking.election}",
        )
    if facts.person_problems:
        return refused(asking, "invalid_person", problems="; ".join(facts.person_problems))
    return issued(asking, "new")


def _with_certificate(asking: Asking, voter: VoterFacts, held: Certificate | None) -> Verdict:
    """Vote with an absentee certificate: it must exist, be this voter's and be unused."""
    if held is None or held.number != asking.avc:
        return refused(asking, "avc_unknown")
    if held.voter_id != voter.id:
        return refused(asking, "avc_not_theirs")
    if held.used_pec is not None:
        return refused(asking, "avc_used", earlier_pec=held.used_pec, earlier_at=held.used_at)
    return issued(asking, "avc")


def _without_certificate(
    asking: Asking, voter: VoterFacts, facts: Facts, rules: ChangeRules
) -> Verdict:
    """At the station or mobile, on this PEC's list or moved to it on the day."""
    if voter.status == "absentee":
        held = facts.certificate
        return refused(asking, "holds_avc", avc=held.number if held is not None else "?")
    if voter.pec_id != asking.pec_id:
        if not asking.supplementary or asking.mobile:
            return refused(asking, "not_on_list", earlier_pec=voter.pec)
        if rules.designated_sites_only and facts.site_scope is None:
            return refused(
                asking,
                "not_designated",
                earlier_pec=voter.pec,
                registering="election-day registration",
                instead=f"votes at PEC {voter.pec}",
            )
        return issued(asking, "supplementary")
    if asking.mobile:
        if rules.mobile_requires_request and not facts.mobile_request:
            return refused(asking, "no_mobile_request")
        return issued(asking, "mobile")
    return issued(asking, "station")
