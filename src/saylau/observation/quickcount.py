"""A citizen mission's quick count over the database: the frame, the sample, the running estimate.

The statistics are `saylau.domain.quickcount` (pure); this module supplies what they are computed
from. The sampling frame is the election's polling stations at home with their region and
registered voters; the sample is drawn from it by a published size and seed, and the frame's
SHA-256 is published beside them, so anyone can check they redraw from the same list. Reports
are the protocol copies of the mission's `counting` checklists at sampled stations. When the
official national result is complete, each official figure is set against the quick count's
interval for it: the check a quick count exists to make.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from saylau.administration.models import Election, Unit, UnitAncestor
from saylau.administration.service import profile_of
from saylau.domain.errors import Rejected
from saylau.domain.profile import Profile
from saylau.domain.quickcount import (
    DEFAULT_ALPHA,
    TURNOUT,
    Estimate,
    Quantity,
    Report,
    Representativeness,
    Station,
    allocation,
    compare,
    draw_sample,
    estimate,
    strata_sizes,
)
from saylau.observation.models import ChecklistForm, Mission, Submission
from saylau.results.reads import first_version_totals
from saylau.results.tabulation import summary

COUNTING_FORM = "counting"
COPIED = "protocol_copy"
COPY_PREFIX = "copy_"
AGAINST_ALL = "against_all"
Z = 1.96
CONFIDENCE_PCT = 95
SHOWN_MISSING = 10


class QuickCountError(Rejected):
    """The quick count cannot be drawn or computed as asked (the message says why)."""


class FrameIncomplete(QuickCountError):
    """Some stations of the frame have no protocol yet, so their registered voters are unknown."""


# --- The sampling frame ---------------------------------------------------------------------


def _home_pecs(session: Session, election: Election) -> list[tuple[int, str, str | None]]:
    """(unit id, PEC code, region code) of every PEC at home; region None if it has none."""
    region = aliased(Unit)
    ancestry = aliased(UnitAncestor)
    in_region = select(ancestry.unit_id, region.code.label("region")).join(
        region, (region.id == ancestry.ancestor_id) & (region.level == 1)
    )
    regions = in_region.subquery()
    rows = session.execute(
        select(Unit.id, Unit.code, regions.c.region)
        .outerjoin(regions, regions.c.unit_id == Unit.id)
        .where(Unit.election_id == election.id, Unit.kind == "pec", Unit.subtype != "abroad")
    ).all()
    return [(unit_id, code, region_code) for unit_id, code, region_code in rows]


def _registered_by_pec(session: Session, election: Election) -> dict[int, int]:
    """Registered voters per PEC id from the first, accepted version of its protocol.

    The first version, not the one in force: an amendment after the draw must not change the
    frame, or the published size, seed and hash would no longer redraw the published sample.
    """
    profile = profile_of(election)
    numbers = [profile.line(code).no for code in profile.totals.get("registered", ())]
    return first_version_totals(session, election, numbers)


def _shown(codes: Sequence[str]) -> str:
    listed = ", ".join(sorted(codes)[:SHOWN_MISSING])
    return listed + (
        f" and {len(codes) - SHOWN_MISSING} more" if len(codes) > SHOWN_MISSING else ""
    )


def sampling_frame(session: Session, election: Election) -> list[Station]:
    """Every polling station at home with its region (the stratum) and registered voters.

    Stations abroad are left out: a citizen mission cannot send observers to embassies and
    consulates, and a station that can never report would leave its stratum short by design.
    The estimate is therefore of the vote at home.

    Registered voters come from each PEC's official protocol (voters on the list + added on
    the day, the profile's `registered` total). In a real election the frame must exist before
    the vote, from the voter register per PEC, and saylau's voter-register work will supply it;
    until then this version requires every frame PEC's protocol, and refuses with the missing
    PECs named rather than draw from a partial list (a station left out could never be drawn,
    and the published hash would describe a frame that later changes).
    """
    pecs = _home_pecs(session, election)
    no_region = [code for _, code, region in pecs if region is None]
    if no_region:
        raise QuickCountError(
            f"election {election.code}: PECs {_shown(no_region)} belong to no region, "
            "so they have no stratum"
        )
    registered = _registered_by_pec(session, election)
    missing = [code for unit_id, code, _ in pecs if unit_id not in registered]
    if missing:
        raise FrameIncomplete(
            f"election {election.code}: {len(missing)} of {len(pecs)} PECs at home have no "
            f"protocol yet ({_shown(missing)}); the sampling frame takes registered voters from "
            "protocols, so it needs all of them"
        )
    return sorted(
        (Station(code, str(region), registered[unit_id]) for unit_id, code, region in pecs),
        key=lambda station: station.code,
    )


def frame_sha256(frame: Sequence[Station]) -> str:
    """SHA-256 of the frame as sorted "code,stratum,registered" lines, each ending in a newline.

    Written so that anyone can check it with standard tools: a CSV of the frame without a
    header, `LC_ALL=C sort frame.csv | sha256sum` (the codes are ASCII, so Python's string order
    is byte order).
    """
    lines = sorted(f"{s.code},{s.stratum},{s.registered}\n" for s in frame)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


# --- The sample -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickCountSample:
    """A drawn sample with everything needed to redraw and to check it.

    `stations` are the sampled frame rows (code order); `strata_stations` the frame's stations
    per region (the estimator's N_h); `allocation` the sampled stations per region.
    """

    election: str
    size: int
    seed: int
    frame_size: int
    frame_sha256: str
    allocation: Mapping[str, int]
    strata_stations: Mapping[str, int]
    strata_registered: Mapping[str, int]
    region_names: Mapping[str, str]
    stations: tuple[Station, ...] = field(repr=False)

    @property
    def codes(self) -> list[str]:
        return [station.code for station in self.stations]

    def as_dict(self, codes: bool = True) -> dict[str, Any]:
        """The sample as published: allocation per region, the frame hash and (optionally) codes."""
        document: dict[str, Any] = {
            "election": self.election,
            "size": self.size,
            "seed": self.seed,
            "frame_stations": self.frame_size,
            "frame_sha256": self.frame_sha256,
            "allocation": [
                {
                    "region": region,
                    "name": self.region_names.get(region, region),
                    "stations": self.strata_stations[region],
                    "registered": self.strata_registered[region],
                    "sampled": sampled,
                }
                for region, sampled in self.allocation.items()
            ],
        }
        if codes:
            document["codes"] = self.codes
        return document


def _region_names(session: Session, election: Election) -> dict[str, str]:
    return dict(
        session.execute(
            select(Unit.code, Unit.name_en).where(Unit.election_id == election.id, Unit.level == 1)
        ).all()
    )


def draw_from_frame(
    frame: Sequence[Station], size: int, seed: int, election: str = ""
) -> QuickCountSample:
    """Draw the stratified sample from a frame already read (see `draw_sample` for the method)."""
    try:
        codes = set(draw_sample(frame, size, seed))
        per_region = allocation(frame, size)
    except ValueError as exc:
        raise QuickCountError(f"cannot draw a sample of {size}: {exc}") from exc
    registered: dict[str, int] = {}
    for station in frame:
        registered[station.stratum] = registered.get(station.stratum, 0) + station.registered
    return QuickCountSample(
        election=election,
        size=size,
        seed=seed,
        frame_size=len(frame),
        frame_sha256=frame_sha256(frame),
        allocation=per_region,
        strata_stations=strata_sizes(frame),
        strata_registered=dict(sorted(registered.items())),
        region_names={},
        stations=tuple(sorted((s for s in frame if s.code in codes), key=lambda s: s.code)),
    )


def draw(session: Session, election: Election, size: int, seed: int) -> QuickCountSample:
    """The sample of `size` stations drawn with `seed` from the election's frame at home."""
    drawn = draw_from_frame(sampling_frame(session, election), size, seed, election.code)
    return replace(drawn, region_names=_region_names(session, election))


# --- Reports from protocol copies -----------------------------------------------------------


def _count(value: object) -> int | None:
    """A copied figure as an integer; None when it is not a whole number (or not there)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _needed_lines(profile: Profile) -> list[str]:
    """Protocol lines a report is built from: the totals used and every contestant's line."""
    lines = [
        code
        for total in ("registered", "voters", "valid")
        for code in profile.totals.get(total, ())
    ]
    lines += [line.code for line in profile.candidate_lines]
    if profile.against_all_line is not None:
        lines.append(profile.against_all_line.code)
    return list(dict.fromkeys(lines))


def _copied_lines(answers: Mapping[str, object], profile: Profile) -> dict[str, int | None]:
    """The copied value of every line a report needs, None where the copy has none."""
    return {code: _count(answers.get(COPY_PREFIX + code)) for code in _needed_lines(profile)}


def missing_copies(answers: Mapping[str, object], profile: Profile) -> list[str]:
    """Lines a report needs that the copy lacks (a form version without them, or a bad value)."""
    return [code for code, value in _copied_lines(answers, profile).items() if value is None]


def report_from_answers(
    station: Station, answers: Mapping[str, object], profile: Profile
) -> Report | None:
    """The quick-count report of one protocol copy, or None if the copy lacks a needed line.

    registered and voters are the profile's totals of the copied lines (for kz-2022: voters on
    the list + added, ballots issued in the station + for mobile voting) and valid its valid
    line, so the estimate means what the official summary means; votes are keyed by candidate
    code, plus "against_all". The stratum is the frame's, never the observer's.
    """
    found = _copied_lines(answers, profile)
    if any(value is None for value in found.values()):
        return None
    lines = {code: int(value or 0) for code, value in found.items()}

    def total(name: str) -> int:
        return sum(lines[code] for code in profile.totals.get(name, ()))

    votes = {str(line.candidate): lines[line.code] for line in profile.candidate_lines}
    against = profile.against_all_line
    if against is not None:
        votes[AGAINST_ALL] = lines[against.code]
    return Report(
        code=station.code,
        stratum=station.stratum,
        registered=total("registered"),
        voters=total("voters"),
        valid=total("valid"),
        votes=votes,
    )


@dataclass(frozen=True)
class Copy:
    """One stored `counting` submission that copied the protocol."""

    submission: int
    pec: str
    team: str | None
    answers: Mapping[str, object]

    @property
    def figures(self) -> dict[str, object]:
        """Every copied line (whole numbers normalised, so 12 and 12.0 are the same figure)."""
        copied = {k: v for k, v in self.answers.items() if k.startswith(COPY_PREFIX)}
        return {k: v if _count(v) is None else _count(v) for k, v in copied.items()}


@dataclass(frozen=True)
class Collected:
    """The reports the estimate takes, and the copies it leaves out, each with why."""

    reports: list[Report]
    conflicts: list[dict[str, Any]]
    incomplete: list[dict[str, Any]]
    outside_sample: list[str]


def mission_copies(session: Session, mission: Mission) -> list[Copy]:
    """Every `counting` submission of the mission that copied the protocol, oldest first."""
    rows = session.execute(
        select(Submission.id, Unit.code, Submission.team, Submission.answers)
        .join(ChecklistForm, ChecklistForm.id == Submission.form_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.mission_id == mission.id, ChecklistForm.code == COUNTING_FORM)
        .order_by(Submission.id)
    ).all()
    copies = [Copy(sid, pec, team, json.loads(answers)) for sid, pec, team, answers in rows]
    return [c for c in copies if c.answers.get(COPIED) == "yes"]


def _latest_per_team(copies: Sequence[Copy]) -> dict[str, list[Copy]]:
    """Per PEC, each team's latest copy: a team's later copy is its correction of the earlier.

    A later counting checklist without a copy does not erase the team's copy: `copies` holds
    only submissions that copied. Submissions without a team count as one team.
    """
    latest: dict[tuple[str, str | None], Copy] = {}
    for copy in sorted(copies, key=lambda c: c.submission):
        latest[(copy.pec, copy.team)] = copy
    per_pec: dict[str, list[Copy]] = {}
    for (pec, _), copy in sorted(latest.items(), key=lambda item: item[1].submission):
        per_pec.setdefault(pec, []).append(copy)
    return per_pec


def collect_reports(
    sample: Sequence[Station], copies: Sequence[Copy], profile: Profile
) -> Collected:
    """Turn the mission's copies into one report per sampled station, or say why not.

    - copies of stations outside the sample are left out: they were not drawn at random, and
      a station the mission chose would bias the estimate (listed in `outside_sample`);
    - when teams at one station copied different figures, one of them misread the protocol and
      nothing here can tell which, so neither is used and the station is listed as a conflict
      for the data team to call back; teams that copied the same figures confirm each other;
    - a copy without a line the estimate needs is listed as incomplete.
    """
    drawn = {station.code: station for station in sample}
    per_pec = _latest_per_team(copies)
    reports: list[Report] = []
    conflicts: list[dict[str, Any]] = []
    incomplete: list[dict[str, Any]] = []
    for pec in sorted(per_pec):
        station = drawn.get(pec)
        if station is None:
            continue
        teams = per_pec[pec]
        if len({json.dumps(c.figures, sort_keys=True) for c in teams}) > 1:
            conflicts.append(
                {
                    "pec": pec,
                    "teams": [c.team for c in teams],
                    "submissions": [c.submission for c in teams],
                }
            )
            continue
        chosen = teams[-1]
        report = report_from_answers(station, chosen.answers, profile)
        if report is None:
            incomplete.append(
                {
                    "pec": pec,
                    "submission": chosen.submission,
                    "missing": missing_copies(chosen.answers, profile),
                }
            )
            continue
        reports.append(report)
    outside = sorted(pec for pec in per_pec if pec not in drawn)
    return Collected(reports, conflicts, incomplete, outside)


# --- The running estimate -------------------------------------------------------------------


def _labels(profile: Profile) -> dict[str, str]:
    """Readable names of the quantities: turnout, candidates by name, against all."""
    labels = {TURNOUT: "Turnout"}
    labels |= {c.code: c.name for c in profile.candidates}
    labels[AGAINST_ALL] = "Against all"
    return labels


def _order(profile: Profile) -> list[str]:
    """Quantities as the official summary lists them: turnout, candidates, against all."""
    names = [TURNOUT, *(c.code for c in profile.candidates)]
    return [*names, AGAINST_ALL] if profile.against_all_line is not None else names


def official_proportions(result: Mapping[str, Any], profile: Profile) -> dict[str, float] | None:
    """The official figures as exact proportions, or None until every PEC has reported.

    From the summary's counts, not its rounded percentages: rounding to 0.01% could move a
    figure just across an interval's end. Turnout is of registered voters, shares of valid.
    """
    total = int(result.get("pecs_total") or 0)
    if total == 0 or int(result.get("pecs_reported") or 0) != total:
        return None
    registered, valid = int(result["registered"]), int(result["valid"])
    if registered <= 0 or valid <= 0:
        return None
    code_of = {c.name: c.code for c in profile.candidates}
    official = {TURNOUT: int(result["voters"]) / registered}
    for row in result["candidates"]:
        official[code_of[row["name"]]] = int(row["votes"]) / valid
    if result.get("against_all") is not None:
        official[AGAINST_ALL] = int(result["against_all"]["votes"]) / valid
    return official


def _pct(value: float) -> float:
    return 100.0 * value


def _quantity_row(quantity: Quantity, label: str) -> dict[str, Any]:
    return {
        "name": quantity.name,
        "label": label,
        "point_pct": _pct(quantity.point),
        "se_pct": _pct(quantity.se),
        "margin_pct": _pct(quantity.margin),
        "interval_pct": [_pct(quantity.low), _pct(quantity.high)],
    }


def _representativeness_doc(seen: Representativeness, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "regions": [
            {
                "region": row.stratum,
                "name": names.get(row.stratum, row.stratum),
                "sampled": row.sampled,
                "reported": row.reported,
                "arrived_pct": _pct(row.reported_share),
                "sample_composition_pct": _pct(row.sample_composition),
                "reported_composition_pct": _pct(row.reported_composition),
            }
            for row in seen.strata
        ],
        "chi2": seen.chi2,
        "dof": seen.dof,
        "p_value": seen.p_value,
        "alpha": DEFAULT_ALPHA,
        "flagged": seen.flagged(),
        "composition_distance_pct": _pct(seen.composition_distance),
        "missing_regions": list(seen.missing),
    }


def _comparison_doc(
    result: Estimate, official: Mapping[str, float], labels: Mapping[str, str]
) -> list[dict[str, Any]]:
    present = {name: value for name, value in official.items() if name in result.quantities}
    return [
        {
            "name": row.name,
            "label": labels.get(row.name, row.name),
            "official_pct": _pct(row.official),
            "estimate_pct": _pct(row.estimate),
            "difference_pct": _pct(row.difference),
            "margin_pct": _pct(row.margin),
            "interval_pct": [_pct(row.low), _pct(row.high)],
            "outside": row.outside,
        }
        for row in compare(result, present)
    ]


def _abroad_stations(session: Session, election: Election) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                Unit.election_id == election.id, Unit.kind == "pec", Unit.subtype == "abroad"
            )
        )
        or 0
    )


def running_estimate(
    session: Session, mission: Mission, election: Election, size: int, seed: int
) -> dict[str, Any]:
    """The mission's quick count from the copies that have arrived, as a JSON-able document.

    Redraws the sample from `size` and `seed` (the mission publishes both, with the frame
    hash), estimates turnout and every share with 95% intervals from the sampled stations
    reported so far, says whether the arrived part looks like the sample region by region,
    and, once the official national result is complete, whether each official figure lies
    inside its interval. The official figures include the stations abroad the frame leaves
    out (`sample.abroad_excluded`); where those are few the difference is far inside the margin.
    """
    if mission.election_id != election.id:
        raise QuickCountError(f"mission {mission.code} does not observe election {election.code}")
    profile = profile_of(election)
    drawn = draw(session, election, size, seed)
    collected = collect_reports(drawn.stations, mission_copies(session, mission), profile)
    labels = _labels(profile)
    document: dict[str, Any] = {
        "mission": mission.code,
        "election": election.code,
        "confidence_pct": CONFIDENCE_PCT,
        "sample": {
            "size": drawn.size,
            "seed": drawn.seed,
            "frame_sha256": drawn.frame_sha256,
            "frame_stations": drawn.frame_size,
            "abroad_excluded": _abroad_stations(session, election),
        },
        "reported": len(collected.reports),
        "conflicts": collected.conflicts,
        "incomplete": collected.incomplete,
        "outside_sample": len(collected.outside_sample),
        "quantities": [],
        "representativeness": None,
        "comparison": None,
    }
    if not collected.reports:
        return document
    try:
        result = estimate(collected.reports, drawn.stations, drawn.strata_stations, z=Z)
    except ValueError as exc:
        raise QuickCountError(f"mission {mission.code}: cannot estimate: {exc}") from exc
    quantities = result.quantities
    document["quantities"] = [
        _quantity_row(quantities[name], labels[name])
        for name in _order(profile)
        if name in quantities
    ]
    document["representativeness"] = _representativeness_doc(
        result.representativeness, drawn.region_names
    )
    official = official_proportions(summary(session, election), profile)
    if official is not None:
        document["comparison"] = _comparison_doc(result, official, labels)
    return document
