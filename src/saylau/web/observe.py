"""The observation pages: the observers' checklist form (phone first) and the findings.

The form is rendered from the checklist's definition, in the page's language. Its skip logic
runs in the browser from the same parsed expressions the server checks with (sent as JSON
trees, so the browser evaluates, never parses, and cannot disagree on precedence); the server
checks every submission again and names the question it refuses. Submissions go to the API
with the observer's token and a device-made id, and wait in the browser's storage when the
network is down: sending one twice stores it once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from saylau.domain.expressions import (
    Binary,
    Call,
    Current,
    Expr,
    Literal,
    Negate,
    Ref,
    parse_expression,
)
from saylau.domain.forms import Form
from saylau.observation.checklists import form_of, latest_form, list_forms
from saylau.observation.copies import copy_differences
from saylau.observation.missions import Mission, get_mission
from saylau.observation.quality import station_view
from saylau.observation.reporting import mission_findings
from saylau.observation.submissions import list_submissions
from saylau.store.db import session_scope
from saylau.web.i18n import LANGUAGES
from saylau.web.routes import renderer

router = APIRouter(include_in_schema=False)


def expression_tree(expr: Expr) -> dict[str, Any]:
    """A parsed expression as JSON for the page's evaluator."""
    if isinstance(expr, Literal):
        return {"t": "lit", "v": expr.value}
    if isinstance(expr, Ref):
        return {"t": "ref", "n": expr.name}
    if isinstance(expr, Current):
        return {"t": "cur"}
    if isinstance(expr, Negate):
        return {"t": "neg", "e": expression_tree(expr.operand)}
    if isinstance(expr, Binary):
        return {
            "t": "bin",
            "op": expr.op,
            "l": expression_tree(expr.left),
            "r": expression_tree(expr.right),
        }
    if isinstance(expr, Call):
        return {"t": "call", "n": expr.name, "a": [expression_tree(a) for a in expr.args]}
    raise TypeError(f"unknown expression node {expr!r}")


def relevance(form: Form) -> dict[str, str]:
    return {
        q.name: json.dumps(expression_tree(parse_expression(q.relevant)))
        for q in form.questions
        if q.relevant
    }


Gather = Callable[[Session, Mission], dict[str, Any]]


async def _page(
    request: Request, lang: str, mission: str, path: str, template: str, gather: Gather
) -> Response:
    """One observation page: read what it shows in one session, render it in `lang`.

    `path` is the page's path after the mission (with its query), for the language links.
    """
    if lang not in LANGUAGES:
        raise HTTPException(404, f"no language {lang!r}")

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            context = gather(session, found)
            return renderer.render(
                lang,
                template,
                mission=found,
                alternates={o: f"/{o}/observe/{mission}/{path}" for o in LANGUAGES},
                **context,
            )

    html = await run_in_threadpool(render)
    return Response(html, media_type="text/html; charset=utf-8")


@router.get("/{lang}/observe/{mission}/")
async def mission_home(request: Request, lang: str, mission: str) -> Response:
    return await _page(
        request, lang, mission, "", "observe_home.html",
        lambda session, _: {"forms": list_forms(session)},
    )  # fmt: skip


def _form_context(session: Session, found: Mission, code: str) -> dict[str, Any]:
    record = latest_form(session, code)
    form = form_of(record)
    return {
        "form": form,
        "sha256": record.sha256,
        "relevance": relevance(form),
        "api": f"/api/v1/observation/missions/{found.code}/submissions",
    }


@router.get("/{lang}/observe/{mission}/form/{code}/")
async def checklist(request: Request, lang: str, mission: str, code: str) -> Response:
    return await _page(
        request, lang, mission, f"form/{code}/", "observe_form.html",
        lambda session, found: _form_context(session, found, code),
    )  # fmt: skip


@router.get("/{lang}/observe/{mission}/findings/{code}/")
async def findings_page(request: Request, lang: str, mission: str, code: str) -> Response:
    return await _page(
        request, lang, mission, f"findings/{code}/", "observe_findings.html",
        lambda session, found: {"document": mission_findings(session, found, code)},
    )  # fmt: skip


@router.get("/{lang}/observe/{mission}/submissions/")
async def submissions_page(
    request: Request, lang: str, mission: str, form: str, question: str | None = None,
    answer: str | None = None,
) -> Response:  # fmt: skip
    """The submissions behind one figure of the findings."""
    query = urlencode({k: v for k, v in (("form", form), ("question", question),
                                         ("answer", answer)) if v})  # fmt: skip
    return await _page(
        request, lang, mission, f"submissions/?{query}", "observe_submissions.html",
        lambda session, found: {
            "rows": list_submissions(session, found, form, question, answer),
            "form": form, "question": question, "answer": answer,
        },
    )  # fmt: skip


@router.get("/{lang}/observe/{mission}/copies/")
async def copies_page(request: Request, lang: str, mission: str) -> Response:
    return await _page(
        request, lang, mission, "copies/", "observe_copies.html",
        lambda session, found: {"document": copy_differences(session, found)},
    )  # fmt: skip


@router.get("/{lang}/observe/{mission}/station/{unit}/")
async def station_page(request: Request, lang: str, mission: str, unit: str) -> Response:
    """Every submission made at one station, side by side, with where teams disagree."""
    return await _page(
        request, lang, mission, f"station/{unit}/", "observe_station.html",
        lambda session, found: {"view": station_view(session, found, unit)},
    )  # fmt: skip
