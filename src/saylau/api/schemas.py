"""Request and response bodies of the API, as the OpenAPI document describes them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

# Text without NUL characters: PostgreSQL cannot store them and SQLite would keep them where
# PostgreSQL refuses, so both backends refuse them here with the field named.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class Page(BaseModel):
    """One page of a list: `items`, and `total` matches before paging."""

    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class ProblemOut(BaseModel):
    """One broken rule: the field it concerns ("" for the record as a whole) and the rule."""

    field: str
    rule: str


class ErrorOut(BaseModel):
    """Every refusal: a message, the kind of error, the record refused and each broken rule."""

    detail: str
    error: str
    record: str | None
    problems: list[ProblemOut]


class AcceptedOut(BaseModel):
    pec: str
    version: int
    audit_hash: str
    status: str
    flags: list[str]


class HeadOut(BaseModel):
    seq: int
    hash: str


class NewPersonBody(BaseModel):
    """A person registered on election day: what their identity document says."""

    model_config = ConfigDict(extra="forbid")

    family_name: Text = Field(max_length=100)
    given_names: Text = Field(max_length=200)
    birth_date: date
    sex: Literal["female", "male"]
    address: Text = Field(max_length=300)


class CheckInBody(BaseModel):
    """One voter presenting themselves at a PEC on election day."""

    model_config = ConfigDict(extra="forbid")

    pec: Text = Field(description="The PEC's code.", max_length=32)
    iin: Text = Field(description="The voter's IIN (12 digits).", max_length=32)
    client_id: Text = Field(
        description="This check-in's key from the operator's device: a retry with the same key "
        "gets the same answer, not 'already voted'.",
        min_length=1,
        max_length=64,
    )
    mobile: StrictBool = Field(
        default=False,
        description="A ballot for mobile voting (needs the voter's written application).",
    )
    supplementary: StrictBool = Field(
        default=False,
        description="Add a voter on another PEC's list to this PEC's list (designated PECs).",
    )
    avc: Text | None = Field(
        default=None,
        description="The number of the absentee voting certificate the voter shows; the PEC "
        "retains it and the voter is added to this PEC's list.",
        max_length=16,
    )
    person: NewPersonBody | None = Field(
        default=None,
        description="For a person on no list at all, at a PEC designated for it: the details "
        "from the identity document, checked as the register checks every record.",
    )


class CheckInOut(BaseModel):
    """Issue a ballot or refuse, with the reason (and where and when an earlier ballot was)."""

    outcome: str
    reason: str
    message: str
    iin: str
    pec: str
    kind: str | None
    issued_at: str | None
    earlier_pec: str | None
    earlier_at: str | None


class BallotOut(BaseModel):
    """A ballot issued to a voter: kind (station, mobile, supplementary, ...), PEC and time."""

    kind: str
    pec: str
    issued_at: str


class VoterRowOut(BaseModel):
    """One voter on a PEC's list. on_list: `register` (the register puts them on this list) or
    `added` (added at this PEC on election day); ballot: null until one is issued."""

    iin: str
    family_name: str
    given_names: str
    birth_date: date
    address: str
    status: str
    exclusion: str | None
    on_list: str
    ballot: BallotOut | None


class VoterListOut(BaseModel):
    """A page of a PEC's voter list, in the Kazakh alphabetical order of family names."""

    election: str
    pec: str
    total: int
    limit: int
    offset: int
    items: list[VoterRowOut]


class ListReadOut(BaseModel):
    """One recorded read of a voter list: when (UTC), who and in what role (`cli` for the
    command line), which PEC, json or pdf (with its language), and `rows` entries from
    `first`."""

    read_at: str
    reader: str
    role: str
    pec: str
    form: Literal["json", "pdf"]
    lang: str | None
    first: int
    rows: int


class ListReadsOut(BaseModel):
    """The recorded reads of voter lists, newest first: of one PEC (`pec`), or of every PEC in
    the caller's `scope`."""

    election: str
    pec: str | None
    scope: str
    limit: int
    items: list[ListReadOut]


class WhereToVoteBody(BaseModel):
    """A voter's own IIN and date of birth, to find their polling station."""

    model_config = ConfigDict(extra="forbid")

    iin: Text = Field(description="The voter's IIN (12 digits).", max_length=32)
    birth_date: date = Field(description="The voter's date of birth, YYYY-MM-DD.")


class PollingStationOut(BaseModel):
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    settlement: str | None
    address: str | None


class WhereToVoteOut(BaseModel):
    """The polling station, or (found false) the same neutral message whatever the reason."""

    found: bool
    message: str
    station: PollingStationOut | None


class QueueUploadBody(BaseModel):
    """A PEC device's whole offline queue: its signed lines, in order."""

    model_config = ConfigDict(extra="forbid")

    lines: list[Annotated[str, StringConstraints(max_length=4000)]] = Field(
        description="The queue file's lines (JSON: entry and signature), first to last.",
        max_length=100_000,
    )


class QueueUploadOut(BaseModel):
    """What the upload did: entries verified, new ones replayed, ballots recorded, and every
    check-in the register would have refused, flagged for the commissions."""

    entries: int
    replayed: int
    issued: int
    conflicts: list[CheckInOut]


class TurnoutHourOut(BaseModel):
    """Ballots issued at check-in by the end of a local hour, and their share of the list."""

    hour: int
    ballots: int
    share: float


class HourlyTurnoutOut(BaseModel):
    """A unit's turnout from check-ins, hour by hour; `as_of` is when it was counted."""

    unit: str
    registered: int
    as_of: str
    hours: list[TurnoutHourOut]


class TransferBody(BaseModel):
    """A voter's application to vote at another PEC (before the profile's deadline)."""

    model_config = ConfigDict(extra="forbid")

    iin: Text = Field(max_length=32)
    to_pec: Text = Field(max_length=32, description="The PEC whose list the voter moves to.")
    applied_on: date = Field(description="The date the application bears.")
    reference: Text | None = Field(default=None, max_length=200)


class CertificateBody(BaseModel):
    """A voter's application for an absentee voting certificate."""

    model_config = ConfigDict(extra="forbid")

    iin: Text = Field(max_length=32)
    applied_on: date = Field(description="The date the application bears.")


class MobileRequestBody(BaseModel):
    """A voter's written application to vote at home, with one of the profile's reasons."""

    model_config = ConfigDict(extra="forbid")

    iin: Text = Field(max_length=32)
    reason: Text = Field(max_length=64)
    applied_on: date = Field(description="The date the application bears.")


class RegisterChangeOut(BaseModel):
    """What was recorded; `reference` is the certificate's number for an AVC."""

    kind: str
    iin: str
    from_pec: str | None
    to_pec: str | None
    applied_on: date
    reference: str | None
