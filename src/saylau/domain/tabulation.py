"""Results arithmetic: percentages as published and the outcome under the profile's winner rule.

Percentages are of valid votes and turnout is voters who received ballots over registered voters
(report Annex I and section XIV), rounded half up to the profile's decimals as Annex I prints them
(6,456,392 of 7,940,477 is 81.31; 8,300,046 of 11,953,465 is 69.44). Decimal throughout: a float
would put representation error into published figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from saylau.domain.profile import Profile

OutcomeKind = Literal["winner", "runoff", "pending"]


def percent(part: int, whole: int, decimals: int = 2) -> Decimal:
    """`part` as a percentage of `whole`, rounded half up; 0 when there is nothing to divide."""
    if whole <= 0:
        return Decimal(0).quantize(Decimal(1).scaleb(-decimals))
    exact = Decimal(part) * 100 / Decimal(whole)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Outcome:
    """`winner` (one name), `runoff` (the names going to a second round) or `pending`.

    Pending while any PEC has not reported: an outcome is declared only on complete results.
    A tie at the runoff cut-off puts every tied candidate on the list rather than picking one
    silently; the law's tie-break is then for the commission to apply, on the record.
    """

    kind: OutcomeKind
    names: tuple[str, ...]
    reason: str


def decide_outcome(
    profile: Profile,
    candidate_votes: Mapping[str, int],
    votes_cast: int,
    complete: bool,
) -> Outcome:
    """Apply the absolute-majority rule to a set of results.

    `candidate_votes` maps candidate codes to votes; "against all" is not a candidate and can
    neither win nor go to a runoff, but it counts in `votes_cast` when the profile says so.
    """
    rule = profile.winner_rule
    if not complete:
        return Outcome("pending", (), "not every PEC has reported")
    if votes_cast <= 0:
        return Outcome("pending", (), "no votes cast")
    ranked = sorted(profile.candidates, key=lambda c: (-candidate_votes.get(c.code, 0), c.name))
    leader = ranked[0]
    leader_votes = candidate_votes.get(leader.code, 0)
    if Decimal(leader_votes) > rule.share_above * votes_cast:
        return Outcome(
            "winner",
            (leader.name,),
            f"{leader_votes} of {votes_cast} {rule.votes_cast} votes is more than "
            f"{rule.share_above * 100}%",
        )
    cut = candidate_votes.get(ranked[rule.runoff_candidates - 1].code, 0)
    going = [c for c in ranked if candidate_votes.get(c.code, 0) >= cut]
    return Outcome(
        "runoff",
        tuple(c.name for c in going),
        f"no candidate has more than {rule.share_above * 100}% of {votes_cast} "
        f"{rule.votes_cast} votes; the top {rule.runoff_candidates} go to a second round"
        + (f" within {rule.runoff_within_days} days" if rule.runoff_within_days else ""),
    )


def _float(value: Decimal) -> float:
    """JSON has no decimals; a 2-decimal Decimal converts to the float that prints the same."""
    return float(value)


def build_summary(
    profile: Profile,
    unit: str,
    line_totals: Mapping[str, int],
    pecs_reported: int,
    pecs_total: int,
) -> dict[str, object]:
    """The published result of a unit from its summed protocol lines (the CLI/API contract).

    Lines with no reported protocol count as 0, so a partial count is shown as it stands.
    """
    decimals = profile.percent_decimals

    def total(name: str) -> int:
        return sum(line_totals.get(code, 0) for code in profile.totals.get(name, ()))

    valid = total("valid")
    candidate_votes = {
        line.candidate: line_totals.get(line.code, 0)
        for line in profile.candidate_lines
        if line.candidate is not None
    }
    against = profile.against_all_line
    outcome = decide_outcome(
        profile,
        candidate_votes,
        total(profile.winner_rule.votes_cast),
        complete=pecs_total > 0 and pecs_reported == pecs_total,
    )
    summary: dict[str, object] = {
        "unit": unit,
        "registered": total("registered"),
        "voters": total("voters"),
        "valid": valid,
        "invalid": total("invalid"),
        "avc": total("avc"),
        "mobile": total("mobile"),
        "turnout_pct": _float(percent(total("voters"), total("registered"), decimals)),
        "candidates": [
            {
                "name": c.name,
                "votes": candidate_votes[c.code],
                "pct": _float(percent(candidate_votes[c.code], valid, decimals)),
            }
            for c in profile.candidates
        ],
        "against_all": (
            {
                "votes": line_totals.get(against.code, 0),
                "pct": _float(percent(line_totals.get(against.code, 0), valid, decimals)),
            }
            if against is not None
            else None
        ),
        "pecs_reported": pecs_reported,
        "pecs_total": pecs_total,
        "outcome": {"kind": outcome.kind, "names": list(outcome.names)},
    }
    return summary
