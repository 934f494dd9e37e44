"""One election's results as a NIST SP 1500-100 Rev. 2 Election Results Reporting CDF report.

The CDF is the format results tools outside saylau already read, so publishing it lets anyone
load the count into their own software instead of scraping our pages. The JSON form follows
`NIST_V2_election_results_reporting.json` (Draft 4: every object carries `@type`, unknown
properties are rejected); the XML form is derived from the same dict and follows the XSD of the
same version. Everything here is a pure function of a `Dataset`, so the report names the same
audit-chain head as every other view published from that snapshot.

How saylau's concepts map onto the CDF, and why:

- Units. The CEC is a `country`. A level-1 TEC is a `state` when it is an oblast (the CDF's
  "state and/or the district that encompasses it" is a first-order subdivision) and a `city`
  for a city of republican significance. A district TEC is a `county` when rural (an audan is
  a second-order subdivision, the CDF's county), a `borough` when it is a district of a
  city of republican significance (the CDF's word for a city's own districts) and a `city`
  for an urban district under an oblast (a town of regional significance). A PEC is a
  `precinct`: its area is what the law calls an electoral precinct, and results are counted
  and reported per precinct, not per building (`polling-place`). Anything else is `other`
  with `OtherType` naming saylau's kind and subtype. The hierarchy is `ComposingGpUnitIds`.
- `Format` is `precinct-level`: every PEC that has reported carries its own counts, and every
  commission above carries the tabulated totals, so a reader can re-add one from the other.
- The election is `special` when the profile says it is an early election (the CDF: "not
  regularly scheduled"); `general` otherwise. A profile may name the type outright under
  `nist_election_type`.
- "Against all" is a `CandidateSelection` with no `CandidateIds` and `IsWriteIn` false. It is a
  valid vote for no candidate; making it a `Candidate` would have every CDF reader count it as a
  contestant, and a `BallotMeasureSelection` belongs to ballot-measure contests. The CDF gives
  a selection no name of its own, so its stable id is `cs-against-all` and the report's `Notes`
  give its label in every language of the protocol.
- Invalid ballots are `BallotsRejected` of `Election.BallotCounts` (per unit, type `total`),
  next to `BallotsCast` = valid + invalid ballots. `OtherCounts` only has over- and undervotes,
  which a one-mark paper ballot declared invalid is not. Registered voters and voters who
  received a ballot are the unit's `VotersRegistered` and `VotersParticipated`.
- The audit-chain head is two `ExternalIdentifier`s of the report (`saylau-audit-head-seq`,
  `saylau-audit-head-hash`) and is repeated in `Notes` for people.
- Object ids are the saylau codes behind a prefix (`gpu-`, `cand-`, `cs-`, `election-`), so
  they are the same in every report of the election and valid XML IDs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from saylau import __version__
from saylau.domain.profile import Line, Profile
from saylau.publish.dataset import LANGUAGES, Dataset, PublicUnit

NAMESPACE = "http://itl.nist.gov/ns/voting/1500-100/v2"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
TYPE_PREFIX = "ElectionResults."
ISSUER = "saylau"
CONTEST_ID = "contest-president"
CONTEST_NAME = "President"
AGAINST_ALL_ID = "cs-against-all"
UNIT_CODE_TYPE = "saylau-unit-code"
COMPLETE, PARTIAL = "unofficial-complete", "unofficial-partial"

# The schema's DateTimeWithZone, anchored: a report without a zone would fail validation.
_DATETIME_WITH_ZONE = re.compile(
    r"[0-9]{4}-(0?[1-9]|1[012])-(0?[1-9]|[12][0-9]|3[01])T"
    r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]|(24:00:00))"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9.-]")


@dataclass(frozen=True)
class Figures:
    """What one unit reports: the totals of its protocol(s) and one vote count per selection."""

    registered: int
    voters: int
    valid: int
    invalid: int
    votes: tuple[int, ...]


@dataclass(frozen=True)
class Selection:
    """One line of the protocol that voters mark: a candidate's, or "against all"."""

    id: str
    line: Line
    candidate_index: int | None


# --------------------------------------------------------------------------- ids and text


def object_id(prefix: str, code: str) -> str:
    """A stable XML ID for a saylau code.

    Codes may hold characters an XML ID cannot (an NCName); those are written as `_xHH_`, and
    `_` itself is escaped too, so two different codes can never share an id.
    """
    return f"{prefix}-" + _NOT_IN_ID.sub(lambda m: f"_x{ord(m.group()):x}_", code)


def unit_id(unit: PublicUnit) -> str:
    """The GpUnit id of a commission's area: its code, so it is the same in every report."""
    return object_id("gpu", unit.code)


def _typed(name: str, **properties: Any) -> dict[str, Any]:
    """A CDF object: `@type` first, then the properties that have a value."""
    return {"@type": TYPE_PREFIX + name, **{k: v for k, v in properties.items() if v is not None}}


def internationalized(texts: Mapping[str, str | None]) -> dict[str, Any]:
    """An InternationalizedText with one LanguageString per language that has a text."""
    ordered = [lang for lang in LANGUAGES if lang in texts] + sorted(
        lang for lang in texts if lang not in LANGUAGES
    )
    strings = [
        _typed("LanguageString", Content=texts[lang], Language=lang)
        for lang in ordered
        if texts[lang]
    ]
    return _typed("InternationalizedText", Text=strings)


def external_id(kind: str, value: str) -> dict[str, Any]:
    """An identifier outside the CDF's fixed kinds: saylau names it in `OtherType`."""
    return _typed("ExternalIdentifier", Type="other", OtherType=kind, Value=value)


# --------------------------------------------------------------------------- classification


def reporting_unit_type(dataset: Dataset, unit: PublicUnit) -> tuple[str, str | None]:
    """The CDF `ReportingUnitType` of a commission's area (the module docstring says why)."""
    if unit.kind == "cec":
        return "country", None
    if unit.kind == "pec":
        return "precinct", None
    if unit.level == 1 and unit.subtype in ("oblast", "city"):
        return ("state" if unit.subtype == "oblast" else "city"), None
    if unit.kind == "tec" and unit.subtype == "district":
        if not unit.urban:
            return "county", None
        parent = dataset.units.get(unit.parent_id) if unit.parent_id is not None else None
        in_city = parent is not None and parent.level == 1 and parent.subtype == "city"
        return ("borough" if in_city else "city"), None
    return "other", f"{unit.kind}-{unit.subtype}"


def election_type(profile: Profile) -> str:
    """`special` for an early election, `general` otherwise, unless the profile names one
    (its `nist_election_type`, checked against the CDF's values when the profile loads).

    The profile is where an election's rules live as data; the kz-2022 profile calls itself an
    "Early presidential election", which is what the CDF means by "not regularly scheduled".
    """
    if profile.nist_election_type is not None:
        return profile.nist_election_type
    return "special" if "early" in profile.name.lower() else "general"


def pec_counts(dataset: Dataset) -> tuple[int, int]:
    """(PECs whose protocol is in, PECs in total)."""
    pecs = [unit.id for unit in dataset.units.values() if unit.kind == "pec"]
    return sum(1 for pec in pecs if pec in dataset.protocols), len(pecs)


def results_status(dataset: Dataset) -> str:
    """`unofficial-complete` once every PEC has reported, else `unofficial-partial`.

    Never `certified`: the dataset holds the count as entered, not the CEC's certification,
    and an election without PECs has nothing complete to report.
    """
    reported, total = pec_counts(dataset)
    return COMPLETE if total > 0 and reported == total else PARTIAL


# --------------------------------------------------------------------------- figures


def selections(profile: Profile) -> list[Selection]:
    """The lines voters mark, in protocol order (the order printed on the form)."""
    index = {candidate.code: i for i, candidate in enumerate(profile.candidates)}
    chosen: list[Selection] = []
    for line in sorted(profile.lines, key=lambda line: line.no):
        if line.kind == "candidate" and line.candidate is not None:
            code = object_id("cs", line.candidate)
            chosen.append(Selection(code, line, index[line.candidate]))
        elif line.kind == "against_all":
            chosen.append(Selection(AGAINST_ALL_ID, line, None))
    return chosen


def _pec_figures(dataset: Dataset, unit: PublicUnit, chosen: Sequence[Selection]) -> Figures | None:
    """A PEC's figures straight from its protocol in force; None before it has reported."""
    protocol = dataset.protocols.get(unit.id)
    if protocol is None:
        return None
    lines = protocol.current.lines
    totals = dataset.profile.totals

    def total(name: str) -> int:
        return sum(lines.get(code, 0) for code in totals.get(name, ()))

    return Figures(
        registered=total("registered"),
        voters=total("voters"),
        valid=total("valid"),
        invalid=total("invalid"),
        votes=tuple(lines.get(s.line.code, 0) for s in chosen),
    )


def _aggregate_figures(
    dataset: Dataset, unit: PublicUnit, chosen: Sequence[Selection]
) -> Figures | None:
    """A commission's tabulated totals; None while no PEC below it has reported.

    Zeros for a unit nobody has reported from would read as a count of zero, which it is not.
    """
    summary = dataset.results.get(unit.code)
    if summary is None or not summary["pecs_reported"]:
        return None
    votes = tuple(
        summary["candidates"][s.candidate_index]["votes"]
        if s.candidate_index is not None
        else (summary["against_all"] or {"votes": 0})["votes"]
        for s in chosen
    )
    return Figures(
        registered=summary["registered"],
        voters=summary["voters"],
        valid=summary["valid"],
        invalid=summary["invalid"],
        votes=votes,
    )


def unit_figures(dataset: Dataset, unit: PublicUnit, chosen: Sequence[Selection]) -> Figures | None:
    """What a unit reports: a PEC its protocol, any other commission its tabulated totals."""
    if unit.kind == "pec":
        return _pec_figures(dataset, unit, chosen)
    return _aggregate_figures(dataset, unit, chosen)


def units_in_order(dataset: Dataset) -> list[PublicUnit]:
    """Every unit, each followed by everything below it (children in code order)."""
    ordered: list[PublicUnit] = []
    stack = list(reversed(dataset.children.get(None, [])))
    while stack:
        unit = dataset.units[stack.pop()]
        ordered.append(unit)
        stack.extend(reversed(dataset.children.get(unit.id, [])))
    return ordered


# --------------------------------------------------------------------------- objects


def _count_status(dataset: Dataset, unit: PublicUnit) -> list[dict[str, Any]]:
    """How far the count has come in a unit, so a partial total is not read as final."""
    summary = dataset.results.get(unit.code)
    if unit.kind == "pec":
        done = unit.id in dataset.protocols
        status = "completed" if done else "not-processed"
    elif summary is None or not summary["pecs_total"]:
        status = "unknown"
    elif summary["pecs_reported"] == summary["pecs_total"]:
        status = "completed"
    else:
        status = "in-process" if summary["pecs_reported"] else "not-processed"
    return [_typed("CountStatus", Status=status, Type="total")]


def reporting_unit(dataset: Dataset, unit: PublicUnit, figures: Figures | None) -> dict[str, Any]:
    """A commission's area as a ReportingUnit, with its sub-units and its voters."""
    kind, other = reporting_unit_type(dataset, unit)
    children = [unit_id(dataset.units[c]) for c in dataset.children.get(unit.id, [])]
    summary = dataset.results.get(unit.code) if unit.kind != "pec" else None
    address = _typed("ContactInformation", AddressLine=[unit.address]) if unit.address else None
    return _typed(
        "ReportingUnit",
        **{"@id": unit_id(unit)},
        ComposingGpUnitIds=children or None,
        ExternalIdentifier=[external_id(UNIT_CODE_TYPE, unit.code)],
        Name=internationalized(unit.names),
        ContactInformation=address,
        CountStatus=_count_status(dataset, unit),
        SubUnitsReported=summary["pecs_reported"] if summary else None,
        TotalSubUnits=summary["pecs_total"] if summary else None,
        Type=kind,
        OtherType=other,
        VotersParticipated=figures.voters if figures else None,
        VotersRegistered=figures.registered if figures else None,
    )


def _post_election_status(dataset: Dataset) -> dict[str, str]:
    """Candidate code -> status once the outcome is known (results are complete).

    `projected-winner`, not `winner`: this report is unofficial; the CDF keeps `winner` for the
    official result.
    """
    national = dataset.results.get(dataset.national.code) or {}
    outcome = national.get("outcome") or {"kind": "pending", "names": []}
    if outcome["kind"] == "pending":
        return {}
    named = "projected-winner" if outcome["kind"] == "winner" else "advanced-to-runoff"
    return {
        c.code: named if c.name in outcome["names"] else "defeated"
        for c in dataset.profile.candidates
    }


def candidates(dataset: Dataset) -> list[dict[str, Any]]:
    """One Candidate per contestant: ballot name in every language the profile spells it."""
    statuses = _post_election_status(dataset)
    listed: list[dict[str, Any]] = []
    for candidate in dataset.profile.candidates:
        names = {"en": candidate.name, **candidate.names}
        listed.append(
            _typed(
                "Candidate",
                **{"@id": object_id("cand", candidate.code)},
                BallotName=internationalized(names),
                ExternalIdentifier=[external_id("saylau-candidate-code", candidate.code)],
                PostElectionStatus=statuses.get(candidate.code),
            )
        )
    return listed


def _vote_counts(gpu: str, count: int) -> dict[str, Any]:
    """A selection's count in one unit; `total` because protocols do not split by channel."""
    return _typed("VoteCounts", GpUnitId=gpu, Type="total", Count=count)


def contest(
    dataset: Dataset,
    chosen: Sequence[Selection],
    reported: Sequence[tuple[str, Figures]],
) -> dict[str, Any]:
    """The one candidate contest, each selection with a count for every unit that reported."""
    rule = dataset.profile.winner_rule
    pecs_reported, pecs_total = pec_counts(dataset)
    contest_selections = [
        _typed(
            "CandidateSelection",
            **{"@id": s.id},
            SequenceOrder=i + 1,
            VoteCounts=[_vote_counts(gpu, figures.votes[i]) for gpu, figures in reported],
            CandidateIds=(
                [object_id("cand", s.line.candidate)] if s.line.candidate is not None else None
            ),
            IsWriteIn=False,
        )
        for i, s in enumerate(chosen)
    ]
    return _typed(
        "CandidateContest",
        **{"@id": CONTEST_ID},
        ContestSelection=contest_selections,
        ElectionDistrictId=unit_id(dataset.national),
        Name=CONTEST_NAME,
        SubUnitsReported=pecs_reported,
        TotalSubUnits=pecs_total,
        VoteVariation="majority" if rule.share_above == Decimal("0.5") else "super-majority",
        NumberElected=1,
        NumberRunoff=rule.runoff_candidates,
        VotesAllowed=1,
    )


def ballot_counts(reported: Sequence[tuple[str, Figures]]) -> list[dict[str, Any]]:
    """Ballots cast (valid + invalid) and rejected as invalid, per unit that reported."""
    return [
        _typed(
            "BallotCounts",
            GpUnitId=gpu,
            Type="total",
            BallotsCast=figures.valid + figures.invalid,
            BallotsRejected=figures.invalid,
        )
        for gpu, figures in reported
    ]


def election(
    dataset: Dataset, chosen: Sequence[Selection], reported: Sequence[tuple[str, Figures]]
) -> dict[str, Any]:
    """The one election: scope the nation, one polling day, its candidates and contest."""
    day = dataset.election_date.isoformat()
    return _typed(
        "Election",
        BallotCounts=ballot_counts(reported),
        Candidate=candidates(dataset),
        Contest=[contest(dataset, chosen, reported)],
        ElectionScopeId=unit_id(dataset.national),
        ExternalIdentifier=[
            external_id("saylau-election-code", dataset.election_code),
            external_id("saylau-profile-code", dataset.profile.code),
            external_id("saylau-profile-sha256", dataset.profile_sha256),
        ],
        Name=internationalized({"en": dataset.election_name}),
        StartDate=day,
        EndDate=day,
        Type=election_type(dataset.profile),
    )


def notes(dataset: Dataset) -> str:
    """What a reader needs to know that the CDF has no field for."""
    parts = [
        f"Published by saylau at audit-chain head {dataset.head_seq} "
        f"(hash {dataset.head_hash}, recorded {dataset.head_time}); every figure can be "
        "checked against the chain.",
        "Invalid ballots are Election.BallotCounts.BallotsRejected; BallotsCast is valid plus "
        "invalid ballots.",
    ]
    against = dataset.profile.against_all_line
    if against is not None:
        labels = "; ".join(f"{lang}: {text}" for lang, text in against.label.items())
        parts.append(
            f"Selection {AGAINST_ALL_ID} is protocol line {against.no} ({labels}), a valid "
            "vote for no candidate."
        )
    return " ".join(parts)


# --------------------------------------------------------------------------- the report


def _check_timestamp(generated_at: str) -> None:
    if not _DATETIME_WITH_ZONE.fullmatch(generated_at):
        raise ValueError(
            f"generated_at {generated_at!r} must be a date-time with a zone, "
            "e.g. 2022-11-21T06:00:00+06:00"
        )


def _check_unique(report: Mapping[str, Any]) -> None:
    """Object ids come from codes; two codes that collide would make the report ambiguous."""
    seen: set[str] = set()
    election_ = report["Election"][0]
    objects = [
        *report["GpUnit"],
        *election_["Candidate"],
        *election_["Contest"],
        *election_["Contest"][0]["ContestSelection"],
    ]
    for obj in objects:
        if obj["@id"] in seen:
            raise ValueError(f"two objects would share the id {obj['@id']!r}")
        seen.add(obj["@id"])


def nist_report(dataset: Dataset, generated_at: str) -> dict[str, Any]:
    """The JSON form of the CDF `ElectionReport` for `dataset`, generated at `generated_at`.

    `generated_at` is an ISO date-time with a zone (the schema requires one); the caller
    passes it so that the same dataset always gives the same report.
    """
    _check_timestamp(generated_at)
    chosen = selections(dataset.profile)
    units = units_in_order(dataset)
    figures = {unit.id: unit_figures(dataset, unit, chosen) for unit in units}
    reported = [(unit_id(u), f) for u in units if (f := figures[u.id]) is not None]
    report = _typed(
        "ElectionReport",
        Election=[election(dataset, chosen, reported)],
        ExternalIdentifier=[
            external_id("saylau-audit-head-seq", str(dataset.head_seq)),
            external_id("saylau-audit-head-hash", dataset.head_hash),
        ],
        Format="precinct-level",
        GeneratedDate=generated_at,
        GpUnit=[reporting_unit(dataset, unit, figures[unit.id]) for unit in units],
        Issuer=ISSUER,
        IssuerAbbreviation=dataset.national.code,
        Notes=notes(dataset),
        SequenceStart=1,
        SequenceEnd=1,
        Status=results_status(dataset),
        VendorApplicationId=f"saylau {__version__}",
    )
    _check_unique(report)
    return report


# --------------------------------------------------------------------------- XML

_COUNTS = ("DeviceClass", "GpUnitId", "IsSuppressedForPrivacy", "Round", "Type", "OtherType")
_CONTEST = (
    "Abbreviation",
    "BallotSubTitle",
    "BallotTitle",
    "ContestSelection",
    "CountStatus",
    "ElectionDistrictId",
    "ExternalIdentifier",
    "HasRotation",
    "Name",
    "OtherCounts",
    "SequenceOrder",
    "SubUnitsReported",
    "TotalSubUnits",
    "VoteVariation",
    "OtherVoteVariation",
)
_GP_UNIT = ("ComposingGpUnitIds", "ExternalIdentifier", "Name")

# Child elements of each type in the order the XSD's sequences declare them (a base type's
# elements come before its extension's). Only the types this module writes are listed.
XML_ORDER: dict[str, tuple[str, ...]] = {
    "ElectionReport": (
        "Election",
        "ExternalIdentifier",
        "Format",
        "GeneratedDate",
        "GpUnit",
        "Header",
        "Issuer",
        "IssuerAbbreviation",
        "IsTest",
        "Notes",
        "Office",
        "OfficeGroup",
        "Party",
        "Person",
        "SequenceStart",
        "SequenceEnd",
        "Status",
        "TestType",
        "VendorApplicationId",
    ),
    "Election": (
        "BallotCounts",
        "BallotStyle",
        "Candidate",
        "ContactInformation",
        "Contest",
        "CountStatus",
        "ElectionScopeId",
        "ExternalIdentifier",
        "Name",
        "StartDate",
        "EndDate",
        "Type",
        "OtherType",
    ),
    "BallotCounts": (*_COUNTS, "BallotsCast", "BallotsOutstanding", "BallotsRejected"),
    "VoteCounts": (*_COUNTS, "Count"),
    "Candidate": (
        "BallotName",
        "CampaignSlogan",
        "ContactInformation",
        "ExternalIdentifier",
        "FileDate",
        "IsIncumbent",
        "IsTopTicket",
        "PartyId",
        "PersonId",
        "PostElectionStatus",
        "PreElectionStatus",
    ),
    "CandidateContest": (
        *_CONTEST,
        "NumberElected",
        "NumberRunoff",
        "OfficeIds",
        "PrimaryPartyIds",
        "VotesAllowed",
    ),
    "CandidateSelection": (
        "SequenceOrder",
        "VoteCounts",
        "CandidateIds",
        "EndorsementPartyIds",
        "IsWriteIn",
    ),
    "ReportingUnit": (
        *_GP_UNIT,
        "AuthorityIds",
        "ContactInformation",
        "CountStatus",
        "ElectionAdministration",
        "IsDistricted",
        "IsMailOnly",
        "Number",
        "PartyRegistration",
        "SpatialDimension",
        "SubUnitsReported",
        "TotalSubUnits",
        "Type",
        "OtherType",
        "VotersParticipated",
        "VotersRegistered",
    ),
    "ContactInformation": (
        "AddressLine",
        "Directions",
        "Email",
        "Fax",
        "LatLng",
        "Name",
        "Phone",
        "Schedule",
        "Uri",
    ),
    "CountStatus": ("Status", "Type", "OtherType"),
    "ExternalIdentifier": ("Type", "OtherType", "Value"),
    "InternationalizedText": ("Text",),
    "OtherCounts": ("DeviceClass", "GpUnitId", "Overvotes", "Undervotes", "WriteIns"),
}
# Elements declared with an abstract (or extensible) type: the instance names its own type.
_POLYMORPHIC = frozenset({"GpUnit", "Contest", "ContestSelection", "Party"})
# Properties that the XSD makes attributes of their element rather than child elements.
_ATTRIBUTES = {"@id": "ObjectId", "Label": "Label"}


def _text(value: Any) -> str:
    """XSD spells booleans in lower case; Python's str() would write True."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_element(tag: str, obj: Mapping[str, Any]) -> ET.Element:
    """`obj` (a CDF JSON object) as the XML element `tag`, children in XSD order."""
    kind = obj["@type"].removeprefix(TYPE_PREFIX)
    element = ET.Element(tag)
    if tag in _POLYMORPHIC and kind != tag:
        element.set("xsi:type", kind)
    for key, attribute in _ATTRIBUTES.items():
        if key in obj:
            element.set(attribute, _text(obj[key]))
    if kind == "LanguageString":
        element.set("Language", obj["Language"])
        element.text = obj["Content"]
        return element
    order = XML_ORDER[kind]
    unknown = set(obj) - set(order) - set(_ATTRIBUTES) - {"@type"}
    if unknown:
        raise ValueError(f"{kind} has properties with no place in the XSD order: {unknown}")
    for name in order:
        if name in obj:
            _xml_children(element, name, obj[name])
    return element


def _xml_children(parent: ET.Element, name: str, value: Any) -> None:
    """Append `value` under `parent`: objects as elements, id lists as one IDREFS element."""
    if isinstance(value, list):
        if name.endswith("Ids"):
            ET.SubElement(parent, name).text = " ".join(value)
            return
        for item in value:
            _xml_children(parent, name, item)
        return
    if isinstance(value, Mapping):
        parent.append(_xml_element(name, value))
        return
    ET.SubElement(parent, name).text = _text(value)


def report_to_xml(report: Mapping[str, Any]) -> bytes:
    """The XML form of a CDF JSON report (UTF-8, with declaration)."""
    root = _xml_element("ElectionReport", report)
    # Namespace declarations written as plain attributes: ElementTree's own namespace handling
    # refuses unqualified attributes (ObjectId) next to a default namespace.
    root.set("xmlns", NAMESPACE)
    root.set("xmlns:xsi", XSI_NAMESPACE)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def nist_report_xml(dataset: Dataset, generated_at: str) -> bytes:
    """The XML form of `nist_report(dataset, generated_at)`, valid against the CDF's XSD."""
    return report_to_xml(nist_report(dataset, generated_at))
