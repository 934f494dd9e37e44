"""One consistent snapshot of an election's public results, read in a few bulk queries.

Every public view (web pages, CSV, JSON, NIST CDF, the static site) is rendered from one
`Dataset`, taken at one audit-chain head: a page and a download published together can never
disagree, and each names the head it was taken at so anyone can check it against the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from saylau.administration.models import Election, Unit
from saylau.administration.service import profile_of
from saylau.audit.service import event_time, peek_head
from saylau.domain.profile import Profile
from saylau.domain.protocol import RelationCheck, check_relations
from saylau.results.reads import election_values, histories
from saylau.results.tabulation import tabulate_all

LANGUAGES = ("kk", "ru", "en")


@dataclass(frozen=True)
class PublicUnit:
    """A commission as the public sees it: codes, names in every language, where it sits."""

    id: int
    code: str
    kind: str
    level: int
    subtype: str
    parent_id: int | None
    names: dict[str, str]
    settlement: str | None
    address: str | None
    urban: bool | None

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["en"]


@dataclass(frozen=True)
class PublicVersion:
    """One version of a PEC protocol, with the decision that made it when it is an amendment."""

    number: int
    lines: dict[str, int]
    explanations: dict[str, str]
    entered_by: str
    created_at: str
    audit_seq: int
    audit_hash: str
    decision: dict[str, Any] | None
    reason: str | None


@dataclass(frozen=True)
class PublicProtocol:
    """A PEC's protocol: the version in force, every earlier one, and its relation checks."""

    pec_id: int
    versions: tuple[PublicVersion, ...]
    checks: tuple[RelationCheck, ...]

    @property
    def current(self) -> PublicVersion:
        return self.versions[-1]


@dataclass
class Dataset:
    """Everything published about one election, at one audit-chain head."""

    election_code: str
    election_name: str
    election_date: date
    profile: Profile
    profile_sha256: str
    head_seq: int
    head_hash: str
    head_time: str
    units: dict[int, PublicUnit]
    children: dict[int | None, list[int]]
    results: dict[str, dict[str, Any]]
    protocols: dict[int, PublicProtocol]
    last_update: dict[int, str | None] = field(default_factory=dict)

    @property
    def timezone(self) -> str:
        """Where times are shown: the profile's `timezone` (an IANA zone)."""
        return self.profile.timezone

    @property
    def complete(self) -> bool:
        return len(self.protocols) == sum(1 for u in self.units.values() if u.kind == "pec")

    @property
    def national(self) -> PublicUnit:
        return self.units[self.children[None][0]]

    def by_code(self, code: str) -> PublicUnit | None:
        return self._codes().get(code)

    def _codes(self) -> dict[str, PublicUnit]:
        cached = self.__dict__.get("_code_index")
        if cached is None:
            cached = {unit.code: unit for unit in self.units.values()}
            self.__dict__["_code_index"] = cached
        return cached

    def ancestors(self, unit: PublicUnit) -> list[PublicUnit]:
        """From the CEC down to the unit's parent."""
        chain: list[PublicUnit] = []
        parent = unit.parent_id
        while parent is not None:
            chain.append(self.units[parent])
            parent = self.units[parent].parent_id
        return list(reversed(chain))

    def region_of(self, unit: PublicUnit) -> PublicUnit | None:
        """The level-1 commission (oblast or city) a unit lies in; None for the CEC."""
        for ancestor in [*self.ancestors(unit), unit]:
            if ancestor.level == 1:
                return ancestor
        return None

    def pecs(self) -> Iterator[PublicUnit]:
        """Every PEC, in code order."""
        return iter(sorted((u for u in self.units.values() if u.kind == "pec"), key=_code_key))


def _code_key(unit: PublicUnit) -> str:
    return unit.code


def load_dataset(session: Session, election: Election) -> Dataset:
    """Read the whole public record of `election` (one read transaction, one head)."""
    profile = profile_of(election)
    head_seq, head_hash = peek_head(session)
    units = _load_units(session, election)
    children: dict[int | None, list[int]] = {}
    for unit in sorted(units.values(), key=_code_key):
        children.setdefault(unit.parent_id, []).append(unit.id)
    protocols = _load_protocols(session, election, profile)
    dataset = Dataset(
        election_code=election.code,
        election_name=election.name,
        election_date=election.election_date,
        profile=profile,
        profile_sha256=election.profile_sha256,
        head_seq=head_seq,
        head_hash=head_hash,
        head_time=event_time(session, head_seq) or "",
        units=units,
        children=children,
        results=tabulate_all(session, election),
        protocols=protocols,
    )
    dataset.last_update = _last_updates(dataset)
    return dataset


def _load_units(session: Session, election: Election) -> dict[int, PublicUnit]:
    rows = session.execute(select(Unit).where(Unit.election_id == election.id)).scalars()
    return {
        u.id: PublicUnit(
            id=u.id,
            code=u.code,
            kind=u.kind,
            level=u.level,
            subtype=u.subtype,
            parent_id=u.parent_id,
            names={"en": u.name_en, "ru": u.name_ru, "kk": u.name_kk},
            settlement=u.settlement,
            address=u.address,
            urban=u.urban,
        )
        for u in rows
    }


def _load_protocols(
    session: Session, election: Election, profile: Profile
) -> dict[int, PublicProtocol]:
    codes = {line.no: line.code for line in profile.lines}
    values = {
        version_id: {codes[no]: value for no, value in lines.items() if no in codes}
        for version_id, lines in election_values(session, election).items()
    }
    protocols: dict[int, PublicProtocol] = {}
    for pec_id, history in histories(session, election).items():
        listed = [
            PublicVersion(
                number=version.number,
                lines=values.get(version.id, {}),
                explanations=json.loads(version.explanations),
                entered_by=version.entered_by,
                created_at=version.created_at,
                audit_seq=version.audit_seq,
                audit_hash=version.audit_hash,
                decision=(
                    {
                        **version.decision.reference(),
                        "recorded_by": version.decision.recorded_by,
                        "time": version.decision.created_at,
                    }
                    if version.decision is not None
                    else None
                ),
                reason=version.reason,
            )
            # a version after the one in force cannot come through the services; never shown
            for version in history
            if version.number <= version.current_number
        ]
        if listed:
            checks = check_relations(profile, listed[-1].lines)
            protocols[pec_id] = PublicProtocol(pec_id, tuple(listed), tuple(checks))
    return protocols


def _last_updates(dataset: Dataset) -> dict[int, str | None]:
    """The time of the newest protocol version below each unit (None where none has come)."""
    latest: dict[int, str | None] = dict.fromkeys(dataset.units)
    for pec_id, protocol in dataset.protocols.items():
        stamp = protocol.current.created_at
        unit_id: int | None = pec_id
        while unit_id is not None:
            seen = latest[unit_id]
            if seen is not None and seen >= stamp:
                break
            latest[unit_id] = stamp
            unit_id = dataset.units[unit_id].parent_id
    return latest
