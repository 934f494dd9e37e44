"""Request and response bodies of the API, as the OpenAPI document describes them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

# Text without NUL characters: PostgreSQL cannot store them and SQLite would keep them where
# PostgreSQL refuses, so both backends refuse them here with the field named.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]


class Page(BaseModel):
    """One page of a list: `items`, and `total` matches before paging."""

    total: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class ProtocolBody(BaseModel):
    """A PEC protocol as entered: the same document `saylau results submit` reads."""

    model_config = ConfigDict(extra="forbid")

    pec: Text = Field(description="The PEC's code, e.g. 75-0001.", max_length=32)
    lines: dict[Text, StrictInt] = Field(description="Every protocol line: code -> count.")
    explanations: dict[Text, Text] = Field(
        default_factory=dict,
        description="Relation code -> written explanation, for explain-relations that break.",
    )
    version: StrictInt | None = Field(default=None, description="1 for a new protocol.")
    election: Text | None = Field(default=None, description="Must match the URL's election.")


class AmendmentBody(BaseModel):
    """A new version of an accepted protocol, by a recorded decision of the commission."""

    model_config = ConfigDict(extra="forbid")

    version: StrictInt = Field(description="The version being amended (the current one).")
    lines: dict[Text, StrictInt]
    explanations: dict[Text, Text] = Field(default_factory=dict)
    decision: Text = Field(description="The decision's text or number, as recorded.")
    reason: Text = Field(description="Why the protocol changes.")


class AcceptedOut(BaseModel):
    pec: str
    version: int
    audit_hash: str
    status: str
    flags: list[str]


class HeadOut(BaseModel):
    seq: int
    hash: str


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
    mobile: bool = Field(default=False, description="A ballot for mobile voting.")
    supplementary: bool = Field(
        default=False, description="Add a voter on another PEC's list to this PEC's list."
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
