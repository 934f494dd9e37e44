"""The protocol document: the one JSON form of a protocol that the CLI reads from a file, the API
reads from a request body, and `saylau results protocol show --json` prints.

One pydantic model per document, used by both edges, so a file the CLI accepts is a body the
API accepts and a refusal names the same fields and rules in both. Counts and versions are
strict integers: `true`, `1.5` or `"12"` are refused, never coerced into a count.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, ValidationError

from saylau.domain.errors import Problem, ProtocolRejected, problems_from_validation
from saylau.results.service import ProtocolInput

# Text without NUL characters: PostgreSQL cannot store them and SQLite would keep them where
# PostgreSQL refuses, so both backends refuse them here with the field named.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
Code = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=32)]


class _ProtocolFields(BaseModel):
    """What every protocol document holds: the lines, explanations and identifying fields."""

    model_config = ConfigDict(extra="forbid", strict=True)

    election: Text | None = Field(
        default=None, description="The election's code; must be the election written to."
    )
    lines: dict[Text, StrictInt] = Field(description="Every protocol line: code -> count.")
    explanations: dict[Text, Text] = Field(
        default_factory=dict,
        description="Relation code -> written explanation, for explain-relations that break.",
    )
    flags: list[Any] | None = Field(
        default=None,
        description="Printed by `protocol show`; accepted and ignored (flags are derived).",
    )

    @classmethod
    def refusal(cls, raw: object, problems: list[Problem]) -> ProtocolRejected:
        """The refusal of a document that does not validate, naming its PEC when it has one:
        the CLI raises it and the API answers it, so both name the same record and rules."""
        pec = raw.get("pec") if isinstance(raw, Mapping) else None
        return ProtocolRejected(pec if isinstance(pec, str) else "?", problems)

    def _checked(
        self, record_pec: str, election: str, pec: str | None, version: int | None
    ) -> ProtocolInput:
        problems: list[Problem] = []
        if self.election not in (None, election):
            problems.append(
                Problem("election", f"is {self.election!r} but the election is {election!r}")
            )
        if pec is not None and record_pec != pec:
            problems.append(Problem("pec", f"is {record_pec!r} but the request names PEC {pec}"))
        if problems:
            raise ProtocolRejected(pec or record_pec, problems)
        return ProtocolInput(pec or record_pec, self.lines, self.explanations, version)


M = TypeVar("M", bound=_ProtocolFields)


class ProtocolDocument(_ProtocolFields):
    """A new PEC protocol as entered (`saylau results submit`, `POST .../protocols`)."""

    pec: Code = Field(description="The PEC's code, e.g. 75-0001.")
    version: StrictInt | None = Field(default=None, description="1 for a new protocol.")

    def to_input(self, election: str) -> ProtocolInput:
        """The service's input, refused when the document names another election."""
        return self._checked(self.pec, election, None, self.version)


class AmendmentDocument(_ProtocolFields):
    """A new version of an accepted protocol, by a recorded decision of the commission
    (`saylau results amend PEC`, `POST .../protocols/{pec}/amendments`)."""

    pec: Code | None = Field(default=None, description="Must be the PEC being amended.")
    version: StrictInt = Field(description="The version being amended (the current one).")
    decision: Text | None = Field(
        default=None, description="The decision's text or number, as recorded."
    )
    reason: Text | None = Field(default=None, description="Why the protocol changes.")

    def to_input(self, election: str, pec: str) -> ProtocolInput:
        """The service's input for amending `pec`, refused when the document names another."""
        return self._checked(self.pec or pec, election, pec, self.version)


def _validated(model: type[M], raw: object, pec: str | None) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from_validation(exc.errors())
        if pec is not None:
            raise ProtocolRejected(pec, problems) from exc
        raise model.refusal(raw, problems) from exc


def read_protocols(raw: object, election: str) -> list[ProtocolInput]:
    """A file's protocols (one document or a list of them), each checked as the API checks it.

    All or none: the problems of every refused document are listed together.
    """
    items = raw if isinstance(raw, list) else [raw]
    inputs: list[ProtocolInput] = []
    refused: list[ProtocolRejected] = []
    for item in items:
        try:
            inputs.append(_validated(ProtocolDocument, item, None).to_input(election))
        except ProtocolRejected as exc:
            refused.append(exc)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        listed = [
            Problem(f"PEC {exc.pec}" + (f" {p.field}" if p.field else ""), p.rule)
            for exc in refused
            for p in exc.problems
        ]
        raise ProtocolRejected(f"batch of {len(items)} ({len(refused)} refused)", listed)
    return inputs


def read_amendment(raw: object, election: str, pec: str) -> tuple[AmendmentDocument, ProtocolInput]:
    """An amendment file's document and the service's input for amending `pec`."""
    document = _validated(AmendmentDocument, raw, pec)
    return document, document.to_input(election, pec)
