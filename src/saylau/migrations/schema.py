"""Imports every context's models so that Alembic and `create_all` see the whole schema."""

from saylau.administration.models import CommissionMember, Election, Unit, UnitAncestor
from saylau.analytics.models import ImportedElectionRecord, ImportedStation, ImportedVote
from saylau.audit.models import AuditEvent
from saylau.observation.models import (
    ChecklistForm,
    Deployment,
    Incident,
    Mission,
    Observer,
    Submission,
    Team,
    TeamMember,
)
from saylau.register.models import (
    AbsenteeCertificate,
    BallotIssue,
    CheckinConflict,
    CheckinDevice,
    DuplicatePair,
    RegisterChange,
    SupplementarySite,
    Voter,
    VoterListRead,
)
from saylau.results.models import Decision, Protocol, ProtocolValue, ProtocolVersion
from saylau.store.base import Base
from saylau.users.models import ApiUser

__all__ = [
    "AbsenteeCertificate",
    "ApiUser",
    "AuditEvent",
    "BallotIssue",
    "Base",
    "CheckinConflict",
    "CheckinDevice",
    "ChecklistForm",
    "CommissionMember",
    "Decision",
    "Deployment",
    "DuplicatePair",
    "Election",
    "ImportedElectionRecord",
    "ImportedStation",
    "ImportedVote",
    "Incident",
    "Mission",
    "Observer",
    "Protocol",
    "ProtocolValue",
    "ProtocolVersion",
    "RegisterChange",
    "Submission",
    "SupplementarySite",
    "Team",
    "TeamMember",
    "Unit",
    "UnitAncestor",
    "Voter",
    "VoterListRead",
]
