"""The reference observation mission of kz-2022: synthetic submissions whose findings are the
figures of the report's section XIII.

The report gives, per checklist, how many observations there were and in how many a problem was
seen (a count, or a percentage of the observations). The generator places exactly that many
problem answers on randomly chosen observations (seeded), every other observation answering
the question without a problem, so that `saylau observe findings` computed from the stored
submissions prints the report's figures. Where the report is vague ("in a few cases", "in more
than one-third") the count chosen is marked ASSUMED below. A negative overall assessment is put
on the observations that saw the most problems, as an observer's judgement would be.

At counting, observers copy the signed protocol: their copy is the official protocol of that
PEC, except at three PECs (ASSUMED) where the official figures were changed after the count:
the comparison of copies against official protocols must find exactly those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from saylau.domain.forms import Form, Question, relevant_questions
from saylau.observation.submissions import SubmissionInput

SEED = 20221120
LOCAL = timezone(timedelta(hours=6))  # Kazakhstan's time on 20 November 2022
DAY = datetime(2022, 11, 20, tzinfo=LOCAL)


@dataclass(frozen=True)
class Checklist:
    """How many observations a form had, and how many answered each question one way."""

    form: str
    observations: int
    negative: int  # overall assessment bad or very bad
    counts: Mapping[str, int]  # question -> observations with the problem answer (or "yes")


# Section XIII, figure by figure ("n%" of the observations is rounded to a count).
REFERENCE = (
    Checklist(
        "opening",
        127,  # "observed the opening in 127 polling stations"
        3,  # "assessed the opening positively in all but three"
        {
            "opened_on_time": 0,  # "which all opened on time"
            "ballots_counted_announced": 30,  # "in 30 cases, the ballots were not counted"
            "boxes_shown_empty_sealed": 4,  # ASSUMED: "in a few cases"
            "ballot_security": 4,  # ASSUMED: "in a few cases"
            "procedures_followed": 6,  # ASSUMED: "by and large, followed"
        },
    ),
    Checklist(
        "voting",
        1131,  # "95 per cent of the 1,131 observations" (positively): 57 negative
        57,
        {
            "identical_signatures": 90,  # 8%
            "group_voting": 34,  # 3%
            "ballot_stuffing": 6,  # ASSUMED: "in a few instances"
            "voters_tracked": 57,  # 5%
            "photos_of_ballots": 28,  # ASSUMED: "in a number of polling stations"
            "secrecy_ensured": 45,  # 4% not ensured
            "avc_voters": 1131,  # ASSUMED: AVC voters at every station, so the AVC figures
            "avc_retained": 102,  # are of all observations: 9% never retained
            "avc_added_to_list": 90,  # 8% never added
            "voter_refused": 158,  # 14%
            "voter_without_id_allowed": 34,  # 3%
            "unauthorized_present": 68,  # 6%
            "party_observers_present": 770,  # "over two-thirds" (ASSUMED 68%)
            "citizen_observers_present": 961,  # 85%
            "clear_view": 79,  # 7% no clear view
            "observers_restricted": 57,  # 5%
            "independent_access": 317,  # 28% not ensured
            "braille_sleeve": 68,  # 6% not equipped
            "chair_gender": 713,  # 63% of chairpersons women
        },
    ),
    Checklist(
        "counting",
        110,  # "negatively in 65 of the 110 polling stations observed"
        65,
        {
            "clear_view": 47,
            "observers_restricted": 40,  # ASSUMED: "in more than one-third"
            "poorly_organized": 47,
            "procedures_followed": 58,  # ASSUMED: "in more than half"
            "choice_announced": 88,
            "list_total_announced": 72,
            "issued_from_signatures": 71,
            "counted_before_sorting": 67,
            "boxes_above_signatures": 13,
            "marks_visible": 58,  # ASSUMED: "in more than half"
            "validity_reasonable": 34,
            "validity_consistent": 30,
            "protocol_in_pen": 24,
            "figures_announced": 60,
            "protocol_posted": 33,
            "protocol_copy": 110,  # every team copied the signed protocol
        },
    ),
    Checklist(
        "tabulation",
        96,  # "negatively in 30 out of the 96 TECs observed"
        30,
        {
            "pecs_completing_at_tec": 15,
            "modified_without_decision": 5,
            "inadequate_conditions": 18,
            "overcrowding": 9,
            "observers_denied_access": 14,
            "told_elsewhere": 5,
            "restricted": 32,  # "in one-third of the cases"
        },
    ),
)
CHANGED_COPIES = 3  # ASSUMED: counts whose official protocol differs from the observers' copy
STO_TEAMS = 150  # 299 STOs in teams of two


def _applies(form: Form, question: Question, answers: Mapping[str, object]) -> bool:
    """Skip logic on the answers given so far (conditions only look back in the form)."""
    return question.relevant is None or question in relevant_questions(form, answers)


def _marked_answer(question: Question) -> str:
    """The answer the reference counts: the problem answer, or "yes" / the first choice."""
    if question.problem:
        return sorted(question.problem)[0]
    names = [c.name for c in question.choices]
    return "yes" if "yes" in names else ("female" if "female" in names else names[0])


def _other_answer(question: Question, marked: str) -> str:
    others = [
        c.name for c in question.choices if c.name != marked and c.name not in question.problem
    ]
    return others[0]


def reference_answers(
    form: Form, checklist: Checklist, rng: np.random.Generator
) -> list[dict[str, object]]:
    """The answers of every observation of one checklist (copies of protocols left out)."""
    n = checklist.observations
    answers: list[dict[str, object]] = [{} for _ in range(n)]
    problems = np.zeros(n, dtype=int)
    for question in form.questions:
        if question.name == "overall" or not question.choices:
            continue
        count = checklist.counts.get(question.name, 0)
        marked = _marked_answer(question)
        eligible = [i for i in range(n) if _applies(form, question, answers[i])]
        if count > len(eligible):
            raise ValueError(f"{form.code}.{question.name}: {count} of {len(eligible)} applicable")
        chosen = set(rng.choice(eligible, size=count, replace=False).tolist()) if count else set()
        for index in eligible:
            hit = index in chosen
            answers[index][question.name] = marked if hit else _other_answer(question, marked)
            if hit and question.problem:
                problems[index] += 1
    order = np.lexsort((rng.random(n), -problems))  # most problems first, ties at random
    negative = set(order[: checklist.negative].tolist())
    for index in range(n):
        if index in negative:
            answers[index]["overall"] = "bad" if rng.random() < 0.85 else "very_bad"
        else:
            answers[index]["overall"] = "good" if rng.random() < 0.6 else "very_good"
    return answers


@dataclass(frozen=True)
class Places:
    """Where each checklist was filled, and which counted PECs had their protocol changed."""

    by_form: dict[str, list[str]]
    changed: frozenset[str]


def reference_places(pecs: Sequence[str], tecs: Sequence[str], seed: int = SEED) -> Places:
    """Draw the visited PECs and TECs: distinct per form; opening and counting at stations the
    mission also observed voting at (teams open, vote and count at stations on their route)."""
    rng = np.random.default_rng(seed)
    size = {c.form: c.observations for c in REFERENCE}
    voting = sorted(rng.choice(sorted(pecs), size=size["voting"], replace=False).tolist())
    counting = sorted(rng.choice(voting, size=size["counting"], replace=False).tolist())
    return Places(
        {
            "opening": sorted(rng.choice(voting, size=size["opening"], replace=False).tolist()),
            "voting": voting,
            "counting": counting,
            "tabulation": sorted(
                rng.choice(sorted(tecs), size=size["tabulation"], replace=False).tolist()
            ),
        },
        frozenset(rng.choice(counting, size=CHANGED_COPIES, replace=False).tolist()),
    )


def reference_submissions(
    forms: Mapping[str, Form],
    places: Places,
    protocols: Mapping[str, Mapping[str, int]],
    seed: int = SEED,
) -> list[SubmissionInput]:
    """Every reference submission, ready for `submit_observations`.

    `protocols` holds the official protocol (by line code) of every counted PEC.
    """
    rng = np.random.default_rng(seed + 1)
    inputs: list[SubmissionInput] = []
    for checklist in REFERENCE:
        form = forms[checklist.form]
        visited = places.by_form[checklist.form]
        for index, (place, answers) in enumerate(
            zip(visited, reference_answers(form, checklist, rng), strict=True)
        ):
            arrived = _arrival(checklist.form, index, checklist.observations, rng)
            if checklist.form == "counting":
                answers |= copy_of(protocols[place], altered=place in places.changed)
            stay = timedelta(minutes=int(rng.integers(25, 60)))
            inputs.append(
                SubmissionInput(
                    client_id=f"ref-{checklist.form}-{index + 1:04d}",
                    form=checklist.form,
                    unit=place,
                    arrived_at=arrived.isoformat(),
                    departed_at=(arrived + stay).isoformat(),
                    team=f"T{index % STO_TEAMS + 1:03d}",
                    answers=answers,
                )
            )
    return inputs


def copy_of(protocol: Mapping[str, int], altered: bool) -> dict[str, object]:
    """An observer's copy of a signed protocol: `copy_<line>` answers.

    `altered`: the official protocol was changed after the count; the copy shows the count as
    signed: 40 votes fewer for the leader and 40 more for another candidate than the official
    protocol now says.
    """
    copy: dict[str, object] = {f"copy_{code}": int(value) for code, value in protocol.items()}
    if altered:
        moved = min(40, int(protocol["tokayev"]))
        copy["copy_tokayev"] = int(protocol["tokayev"]) - moved
        copy["copy_abden"] = int(protocol["abden"]) + moved
    return copy


def _arrival(form: str, index: int, total: int, rng: np.random.Generator) -> datetime:
    if form == "opening":
        return DAY + timedelta(hours=7, minutes=int(rng.integers(0, 40)))
    if form == "voting":
        return DAY + timedelta(hours=8) + timedelta(minutes=int(690 * index / total))
    if form == "counting":
        return DAY + timedelta(hours=19, minutes=int(rng.integers(30, 59)))
    return DAY + timedelta(hours=21, minutes=int(rng.integers(0, 240)))
