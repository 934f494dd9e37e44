"""Findings of an observation mission: for every checklist question, how often a problem was
seen, with a 95% Wilson interval, overall and in breakdowns.

Observation counts are small (a few hundred counts observed nationally, a handful per region),
where the normal-approximation interval misbehaves near 0% and 100%; the Wilson score interval
keeps its coverage there (Brown, Cai and DasGupta, "Interval Estimation for a Binomial
Proportion", Statistical Science 16(2), 2001), and SciPy computes it.

A question counts for an observation only where it applies: its skip logic holds for that
observation's answers and it was answered. Percentages are of those observations, as the
report's are ("in 9 per cent of the observations"). Pure: plain values in, plain values out;
each figure keeps the ids of the observations behind it so a reader can check it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scipy.stats import binomtest

from saylau.domain.expressions import parse_expression, references
from saylau.domain.forms import Form, Question, is_problem, relevant_questions

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Observation:
    """One submission as findings see it: its id, its answers, and what it can be split by."""

    id: int
    answers: Mapping[str, object]
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Share:
    """`count` of `applicable` observations, as a percentage with its Wilson interval."""

    count: int
    applicable: int
    pct: float
    low: float
    high: float
    ids: tuple[int, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "count": self.count,
            "applicable": self.applicable,
            "pct": self.pct,
            "ci95": [self.low, self.high],
            "submissions": list(self.ids),
        }


@dataclass(frozen=True)
class QuestionFinding:
    """What the observations say about one question: each answer's share, and the problem's."""

    question: str
    labels: Mapping[str, str]
    applicable: int
    answers: dict[str, Share]
    problem: Share | None  # None for questions that record a fact, not a problem
    problem_answers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "labels": dict(self.labels),
            "applicable": self.applicable,
            "problem": self.problem.as_dict() if self.problem else None,
            "problem_answers": list(self.problem_answers),
            "answers": {name: share.as_dict() for name, share in self.answers.items()},
        }


def wilson(count: int, total: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval of count/total, in percent (0, 0 when nothing applies)."""
    if total <= 0:
        return (0.0, 0.0)
    interval = binomtest(count, total).proportion_ci(confidence_level=confidence, method="wilson")
    return (round(100 * float(interval.low), 2), round(100 * float(interval.high), 2))


def share(ids: Sequence[int], applicable: int) -> Share:
    low, high = wilson(len(ids), applicable)
    pct = round(100 * len(ids) / applicable, 2) if applicable else 0.0
    return Share(len(ids), applicable, pct, low, high, tuple(sorted(ids)))


def _skip_logic_inputs(form: Form) -> tuple[str, ...]:
    """The questions any skip logic reads: which questions apply depends on nothing else."""
    names: set[str] = set()
    for question in form.questions:
        if question.relevant:
            names |= references(parse_expression(question.relevant))
    return tuple(sorted(names))


def _applying(form: Form, observations: Sequence[Observation]) -> dict[str, list[Observation]]:
    """For each question, the observations where it applies and was answered.

    Skip logic is evaluated once per combination of the answers it reads (a handful), not once
    per observation: at a citizen mission's 50,000 submissions that is most of the work saved.
    """
    applying: dict[str, list[Observation]] = {q.name: [] for q in form.questions}
    inputs = _skip_logic_inputs(form)
    decided: dict[tuple[object, ...], list[Question]] = {}
    for observation in observations:
        key = tuple(observation.answers.get(name) for name in inputs)
        relevant = decided.get(key)
        if relevant is None:
            relevant = relevant_questions(form, dict(zip(inputs, key, strict=True)))
            decided[key] = relevant
        for question in relevant:
            if observation.answers.get(question.name) not in (None, ""):
                applying[question.name].append(observation)
    return applying


def _finding(question: Question, observations: Sequence[Observation]) -> QuestionFinding:
    n = len(observations)
    by_answer: dict[str, list[int]] = {choice.name: [] for choice in question.choices}
    problems: list[int] = []
    for observation in observations:
        answer = observation.answers[question.name]
        if question.choices:
            by_answer.setdefault(str(answer), []).append(observation.id)
        if is_problem(question, answer):
            problems.append(observation.id)
    return QuestionFinding(
        question=question.name,
        labels=question.labels,
        applicable=n,
        answers={name: share(ids, n) for name, ids in by_answer.items()},
        problem=share(problems, n) if question.problem else None,
        problem_answers=tuple(sorted(question.problem)),
    )


def findings(form: Form, observations: Sequence[Observation]) -> list[QuestionFinding]:
    """Every question of `form` that has choices (yes/no, a list): its shares, in form order."""
    applying = _applying(form, observations)
    return [
        _finding(question, applying[question.name])
        for question in form.questions
        if question.choices
    ]


def findings_by(
    form: Form, observations: Sequence[Observation], attribute: str
) -> dict[str, list[QuestionFinding]]:
    """The same findings within each value of an attribute (region, urban, PEC type, hour)."""
    groups: dict[str, list[Observation]] = {}
    for observation in observations:
        groups.setdefault(observation.attributes.get(attribute, "unknown"), []).append(observation)
    return {value: findings(form, groups[value]) for value in sorted(groups)}
