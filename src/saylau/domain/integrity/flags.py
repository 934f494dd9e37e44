"""Station flags: the polling stations a reader should look at first, each with its reasons.

A flag is a lead, not a finding: it says which figure is unusual and by how much. Reasons:

- `stuffing_pattern`: the leader's votes per registered voter lie more than `z_threshold`
  standard deviations above what the station's comparison group and its own votes for the
  others predict (`stuffing_z`): ballots added for the leader raise that figure and leave the
  others' as they were, which honest turnout differences never do.
- `turnout_outlier`, `share_outlier`: turnout or the leader's share lie more than `z_threshold`
  robust standard deviations above the comparison group.

  The comparison group is the station's district (median and MAD of its stations; a district
  with fewer than `min_group` stations borrows its region's, then the nation's). Spreads allow
  for each station's own counting noise, so a small station is not flagged for being small.
  Where stations carry a `kind` attribute (regular, special...), they are compared within their
  kind: a hospital station's high turnout is its nature, not a trace.
- `extreme_turnout`, `extreme_share`: at or above 99% with at least 100 voters.
- `integer_percent`: turnout and the leader's share both at a whole percentage (to the nearest
  vote) where stations of that size would show both by chance less than `integer_chance` of the
  time (Kobak et al. 2016 explain the collective test; per station it is only a lead).
- `boxes_above_voters`: more ballots found in the boxes than voters given ballots (the report's
  counting finding: ballots in boxes exceeded signatures in 13 of 110 counts observed).
- `voters_above_list`: more voters than registered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from saylau.domain.integrity.groups import (
    comparison_groups,
    group_center_spread,
    group_index,
    group_median,
)
from saylau.domain.integrity.integer_percent import chance_of_both, is_integer_percent
from saylau.domain.integrity.stations import StationTable

DEFAULT_Z = 3.1
SINGLE_FIGURE_MARGIN = 1.0
"""Turnout or share alone flags a station only this many sd beyond the pattern's threshold:
one figure alone is a weaker lead than the stuffing pattern, so it must be more extreme."""
DEFAULT_MIN_GROUP = 8
DEFAULT_INTEGER_CHANCE = 0.002
EXTREME_PCT = 99
EXTREME_MIN_VOTERS = 100
MIN_SPREAD = 0.005
"""Half a point: a floor under the spread so a district of identical stations flags nothing."""

OUTLIER_REASONS = ("stuffing_pattern", "turnout_outlier", "share_outlier")
REASONS = (
    "stuffing_pattern",
    "turnout_outlier",
    "share_outlier",
    "extreme_turnout",
    "extreme_share",
    "integer_percent",
    "boxes_above_voters",
    "voters_above_list",
)


@dataclass(frozen=True)
class StationFlag:
    code: str
    region: str
    district: str
    score: float
    """The largest robust z among the outlier reasons (0 when only factual reasons apply)."""
    reasons: tuple[str, ...]
    explanations: tuple[str, ...]
    turnout: float | None
    leader_share: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "station": self.code,
            "region": self.region,
            "district": self.district,
            "score": round(self.score, 3),
            "turnout": None if self.turnout is None else round(self.turnout, 5),
            "leader_share": None if self.leader_share is None else round(self.leader_share, 5),
            "reasons": list(self.reasons),
            "explanations": list(self.explanations),
        }


@dataclass(frozen=True)
class Flags:
    stations: int
    z_threshold: float
    min_group: int
    leader: str
    flagged: tuple[StationFlag, ...]
    by_reason: dict[str, int]
    mask: np.ndarray
    """True for every flagged station, in the table's order (for evaluation and subgroups)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "stations": self.stations,
            "z_threshold": self.z_threshold,
            "min_group": self.min_group,
            "leader": self.leader,
            "flagged_count": len(self.flagged),
            "by_reason": self.by_reason,
            "flagged": [f.to_dict() for f in self.flagged],
        }


def robust_z(
    rate: np.ndarray, size: np.ndarray, groups: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """(z, group median) of `rate` within its group, allowing for each station's size.

    sd_i^2 = max(MAD_sd^2 - median binomial variance, 0) + m(1-m)/size_i: the group's spread
    beyond counting noise, plus this station's own counting noise, so a small station is not
    flagged for being small.
    """
    median, spread, _ = group_center_spread(rate, groups, n_groups)
    m = median[groups]
    noise = group_median(m * (1 - m) / size, groups, n_groups)
    structural = np.maximum(spread**2 - noise, 0.0)
    sd = np.maximum(np.sqrt(structural[groups] + m * (1 - m) / size), MIN_SPREAD)
    return (rate - m) / sd, m


def pattern_score(conditional: np.ndarray, turnout: np.ndarray, share: np.ndarray) -> np.ndarray:
    """The three stuffing signals summed and divided by sqrt(3).

    Stuffing raises the leader's votes beyond the others' (`stuffing_z`), turnout and the
    leader's share, all at once; no one of them is as telling as their sum. The signals are
    correlated, so the score is not a unit z: its threshold is calibrated by simulation
    (docs/analytics.md) to keep the false-positive rate of all flags under 1%.
    """
    return (conditional + turnout + share) / math.sqrt(3)


def stuffing_z(
    leader: np.ndarray, others: np.ndarray, size: np.ndarray, groups: np.ndarray, n_groups: int
) -> np.ndarray:
    """How far a station's leader votes per registered voter lie above what its group and its
    own other votes predict, in standard deviations.

    Ballots stuffed for the leader raise leader votes per registered voter (L) and leave the
    other contestants' (O) as they were; honest differences in turnout move L and O together.
    The test for a shift in L alone is the conditional z of L given O under the station's
    covariance: the group's robust covariance beyond counting noise (MAD spreads, and the
    correlation of Gnanadesikan and Kettenring, Biometrics 28, 1972, from the spreads of the
    standardised sum and difference), plus the station's own multinomial counting covariance.
    """
    m_l, s_l, _ = group_center_spread(leader, groups, n_groups)
    m_o, s_o, _ = group_center_spread(others, groups, n_groups)
    s_l = np.maximum(s_l, MIN_SPREAD)
    s_o = np.maximum(s_o, MIN_SPREAD)
    d_l = leader - m_l[groups]
    d_o = others - m_o[groups]
    u, w = d_l / s_l[groups], d_o / s_o[groups]
    _, plus, _ = group_center_spread(u + w, groups, n_groups)
    _, minus, _ = group_center_spread(u - w, groups, n_groups)
    rho = np.clip((plus**2 - minus**2) / np.maximum(plus**2 + minus**2, 1e-12), -0.95, 0.95)

    ml, mo = m_l[groups], m_o[groups]
    b_ll, b_oo, b_lo = ml * (1 - ml) / size, mo * (1 - mo) / size, -ml * mo / size
    noise_ll = group_median(b_ll, groups, n_groups)
    noise_oo = group_median(b_oo, groups, n_groups)
    noise_lo = group_median(b_lo, groups, n_groups)
    st_ll = np.maximum(s_l**2 - noise_ll, 0.0)
    st_oo = np.maximum(s_o**2 - noise_oo, 0.0)
    st_lo = rho * s_l * s_o - noise_lo
    bound = 0.95 * np.sqrt(st_ll * st_oo)
    st_lo = np.clip(st_lo, -bound, bound)

    c_ll = st_ll[groups] + b_ll
    c_oo = np.maximum(st_oo[groups] + b_oo, 1e-12)
    c_lo = st_lo[groups] + b_lo
    conditional_var = np.maximum(c_ll - c_lo**2 / c_oo, MIN_SPREAD**2)
    return (d_l - c_lo / c_oo * d_o) / np.sqrt(conditional_var)


def station_flags(
    table: StationTable,
    *,
    z_threshold: float = DEFAULT_Z,
    min_group: int = DEFAULT_MIN_GROUP,
    integer_chance: float = DEFAULT_INTEGER_CHANCE,
) -> Flags:
    """Every station's reasons to be looked at, sorted by how unusual it is."""
    n = len(table)
    leader = table.leader_index()
    usable = table.turnout_known & (table.voters <= table.registered) & (table.valid > 0)
    registered = np.maximum(table.registered, 1)
    valid = np.maximum(table.valid, 1)
    turnout = np.where(usable, table.voters / registered, np.nan)
    share = np.where(table.valid > 0, table.votes[:, leader] / valid, np.nan)
    keys = comparison_groups(table, usable, min_group)
    index = np.flatnonzero(usable)
    _, groups = group_index(keys[index])
    k = int(groups.max()) + 1 if len(groups) else 0
    z_turnout = np.zeros(n)
    z_share = np.zeros(n)
    z_stuffing = np.zeros(n)
    turnout_centre = np.full(n, np.nan)
    share_centre = np.full(n, np.nan)
    if len(index):
        z_turnout[index], turnout_centre[index] = robust_z(
            turnout[index], registered[index].astype(np.float64), groups, k
        )
        z_share[index], share_centre[index] = robust_z(
            share[index], valid[index].astype(np.float64), groups, k
        )
        leader_votes = table.votes[index, leader]
        conditional = stuffing_z(
            leader_votes / registered[index],
            (table.valid[index] - leader_votes) / registered[index],
            registered[index].astype(np.float64),
            groups,
            k,
        )
        z_stuffing[index] = pattern_score(conditional, z_turnout[index], z_share[index])

    voters = table.voters
    reasons: dict[str, np.ndarray] = {
        "stuffing_pattern": usable & (z_stuffing >= z_threshold),
        "turnout_outlier": usable & (z_turnout >= z_threshold + SINGLE_FIGURE_MARGIN),
        "share_outlier": usable & (z_share >= z_threshold + SINGLE_FIGURE_MARGIN),
        "extreme_turnout": usable
        & (voters >= EXTREME_MIN_VOTERS)
        & (100 * voters >= EXTREME_PCT * registered),
        "extreme_share": (table.valid >= EXTREME_MIN_VOTERS)
        & (100 * table.votes[:, leader] >= EXTREME_PCT * table.valid),
    }
    chance = chance_of_both(registered, valid)
    reasons["integer_percent"] = (
        usable
        & is_integer_percent(table.voters, registered)
        & is_integer_percent(table.votes[:, leader], valid)
        & (chance < integer_chance)
    )
    found = table.ballots_found
    reasons["boxes_above_voters"] = table.has_voters & (found >= 0) & (found > voters)
    reasons["voters_above_list"] = table.turnout_known & (voters > table.registered)

    any_flag = np.zeros(n, dtype=bool)
    for mask in reasons.values():
        any_flag |= mask
    score = np.where(usable, np.maximum(np.maximum(z_turnout, z_share), z_stuffing), 0.0)

    flagged = []
    for i in np.flatnonzero(any_flag).tolist():
        names = tuple(r for r in REASONS if reasons[r][i])
        flagged.append(
            StationFlag(
                code=str(table.codes[i]),
                region=str(table.region[i]),
                district=str(table.district[i]),
                score=float(score[i]) if any(r in OUTLIER_REASONS for r in names) else 0.0,
                reasons=names,
                explanations=tuple(
                    _explain(
                        r,
                        i,
                        table,
                        leader,
                        z_turnout,
                        z_share,
                        z_stuffing,
                        turnout_centre,
                        share_centre,
                    )
                    for r in names
                ),
                turnout=None if math.isnan(turnout[i]) else float(turnout[i]),
                leader_share=None if math.isnan(share[i]) else float(share[i]),
            )
        )
    flagged.sort(key=lambda f: (-f.score, -len(f.reasons), f.code))
    return Flags(
        stations=n,
        z_threshold=z_threshold,
        min_group=min_group,
        leader=table.contestants[leader],
        flagged=tuple(flagged),
        by_reason={r: int(reasons[r].sum()) for r in REASONS},
        mask=any_flag,
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _explain(
    reason: str,
    i: int,
    table: StationTable,
    leader: int,
    z_turnout: np.ndarray,
    z_share: np.ndarray,
    z_stuffing: np.ndarray,
    turnout_centre: np.ndarray,
    share_centre: np.ndarray,
) -> str:
    voters, registered = int(table.voters[i]), int(table.registered[i])
    valid, leader_votes = int(table.valid[i]), int(table.votes[i, leader])
    turnout = voters / registered if registered > 0 else float("nan")
    share = leader_votes / valid if valid > 0 else float("nan")
    if reason == "turnout_outlier":
        return (
            f"turnout {_pct(turnout)} is {z_turnout[i]:.1f} sd above its comparison group "
            f"(median {_pct(turnout_centre[i])})"
        )
    if reason == "share_outlier":
        return (
            f"{table.contestants[leader]} {_pct(share)} is {z_share[i]:.1f} sd above its "
            f"comparison group (median {_pct(share_centre[i])})"
        )
    if reason == "stuffing_pattern":
        return (
            f"{table.contestants[leader]}'s votes per registered voter {z_stuffing[i]:.1f} sd "
            "above what its comparison group and its other votes predict: the trace of added "
            "ballots"
        )
    if reason == "extreme_turnout":
        return f"turnout {_pct(turnout)} ({voters:,} of {registered:,}) at or above 99%"
    if reason == "extreme_share":
        return (
            f"{table.contestants[leader]} {_pct(share)} ({leader_votes:,} of {valid:,}) "
            "at or above 99%"
        )
    if reason == "integer_percent":
        return (
            f"turnout {100 * turnout:.2f}% and {table.contestants[leader]} {100 * share:.2f}% "
            "are both whole percentages to the nearest vote"
        )
    if reason == "boxes_above_voters":
        return (
            f"ballots found {int(table.ballots_found[i]):,} above voters given ballots {voters:,}"
        )
    return f"voters {voters:,} above registered {registered:,}"
