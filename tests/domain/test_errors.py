"""The one refusal type: a record and its problems, each a field and a rule."""

from __future__ import annotations

from saylau.domain.errors import (
    BadInput,
    Conflict,
    NotFound,
    Problem,
    ProfileError,
    ProtocolConflict,
    ProtocolRejected,
    Rejected,
    as_problem,
    problems_from_validation,
)
from saylau.domain.iin import IinError
from saylau.observation.missions import ImportConflict, ImportRejected
from saylau.register.changes import ChangeRefused


def test_a_refusal_names_its_record_and_each_field() -> None:
    refused = Rejected("observer Ann", [Problem("role", "must be one of sto, lto")])
    assert str(refused) == "observer Ann: must be one of sto, lto"
    assert refused.as_dict() == {
        "detail": "observer Ann: must be one of sto, lto",
        "error": "Rejected",
        "record": "observer Ann",
        "problems": [{"field": "role", "rule": "must be one of sto, lto"}],
    }


def test_a_one_sentence_refusal_is_read_into_record_and_field() -> None:
    refused = ChangeRefused("mobile request for IIN 1, field reason: 'x' is not one of a, b")
    assert refused.record == "mobile request for IIN 1"
    assert refused.problems == [Problem("reason", "'x' is not one of a, b")]
    plain = Conflict("mission m already exists")
    assert plain.record is None and plain.problems == [Problem("", "mission m already exists")]
    user = Rejected("user bob: field role 'x' is not one of a, b")
    assert user.record == "user bob" and user.problems[0].field == "role"


def test_protocol_rules_name_their_lines() -> None:
    refused = ProtocolRejected(
        "75-0001",
        [
            "line 'valid' is missing",
            "relation boxes_balance broken: found 5 must equal valid 6",
            "explanation given for relation r1, which holds",
        ],
    )
    assert refused.record == "protocol PEC 75-0001"
    assert [p.field for p in refused.problems] == ["lines.valid", "lines", "explanations.r1"]
    assert str(refused).startswith("PEC 75-0001 protocol rejected: line 'valid' is missing; ")


def test_every_refusal_is_a_rejected_and_conflicts_are_conflicts() -> None:
    for refusal in (
        ProfileError("relations", "unknown line"),
        IinError("123", "must be 12 digits"),
        ImportRejected("observers file", ["row 2: column gender is missing"]),
        NotFound("no election 'x'"),
        BadInput("body", ["NaN"]),
    ):
        assert isinstance(refusal, Rejected)
        assert not isinstance(refusal, Conflict)
    assert isinstance(ProtocolConflict("75-0001", ["stale"]), ProtocolRejected)
    assert isinstance(ProtocolConflict("75-0001", ["stale"]), Conflict)
    assert isinstance(ImportConflict("batch", ["client_id used"]), Conflict)


def test_sentences_with_parts_name_the_parts_and_keep_the_whole_rule() -> None:
    problem = as_problem("submission p-1: field unit: no PEC 'x'")
    assert problem == Problem("submission p-1.unit", "submission p-1: field unit: no PEC 'x'")
    assert as_problem("row 3: column votes: not a number").field == "row 3.column votes"
    assert as_problem("row 3 is empty").field == "row 3"


def test_validation_errors_become_problems_without_the_body_prefix() -> None:
    errors = [
        {"loc": ("body", "lines", "valid"), "msg": "Input should be a valid integer"},
        {"loc": ("version",), "msg": "Value error, must be positive"},
    ]
    assert problems_from_validation(errors) == [
        Problem("lines.valid", "Input should be a valid integer"),
        Problem("version", "must be positive"),
    ]
