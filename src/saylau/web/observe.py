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
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
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
from saylau.observation.missions import get_mission
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


def _lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise HTTPException(404, f"no language {lang!r}")


def _html(html: str) -> Response:
    return Response(
        html, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


@router.get("/{lang}/observe/{mission}/")
async def mission_home(request: Request, lang: str, mission: str) -> Response:
    _lang(lang)

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            forms = list_forms(session)
            return renderer.render(
                lang, "observe_home.html", mission=found, forms=forms,
                alternates={o: f"/{o}/observe/{mission}/" for o in LANGUAGES},
            )  # fmt: skip

    return _html(await run_in_threadpool(render))


@router.get("/{lang}/observe/{mission}/form/{code}/")
async def checklist(request: Request, lang: str, mission: str, code: str) -> Response:
    _lang(lang)

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            record = latest_form(session, code)
            form = form_of(record)
            return renderer.render(
                lang,
                "observe_form.html",
                mission=found,
                form=form,
                sha256=record.sha256,
                relevance=relevance(form),
                api=f"/api/v1/observation/missions/{found.code}/submissions",
                alternates={o: f"/{o}/observe/{mission}/form/{code}/" for o in LANGUAGES},
            )

    return _html(await run_in_threadpool(render))


@router.get("/{lang}/observe/{mission}/findings/{code}/")
async def findings_page(request: Request, lang: str, mission: str, code: str) -> Response:
    _lang(lang)

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            document = mission_findings(session, found, code)
            return renderer.render(
                lang, "observe_findings.html", mission=found, document=document,
                alternates={o: f"/{o}/observe/{mission}/findings/{code}/" for o in LANGUAGES},
            )  # fmt: skip

    return _html(await run_in_threadpool(render))


@router.get("/{lang}/observe/{mission}/submissions/")
async def submissions_page(
    request: Request, lang: str, mission: str, form: str, question: str | None = None,
    answer: str | None = None,
) -> Response:  # fmt: skip
    _lang(lang)

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            rows = list_submissions(session, found, form, question, answer)
            query = (
                f"?form={form}"
                + (f"&question={question}" if question else "")
                + (f"&answer={answer}" if answer else "")
            )
            return renderer.render(
                lang, "observe_submissions.html", mission=found, rows=rows, form=form,
                question=question, answer=answer,
                alternates={o: f"/{o}/observe/{mission}/submissions/{query}" for o in LANGUAGES},
            )  # fmt: skip

    return _html(await run_in_threadpool(render))


@router.get("/{lang}/observe/{mission}/copies/")
async def copies_page(request: Request, lang: str, mission: str) -> Response:
    _lang(lang)

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            return renderer.render(
                lang, "observe_copies.html", mission=found,
                document=copy_differences(session, found),
                alternates={o: f"/{o}/observe/{mission}/copies/" for o in LANGUAGES},
            )  # fmt: skip

    return _html(await run_in_threadpool(render))


@router.get("/{lang}/observe/{mission}/station/{unit}/")
async def station_page(request: Request, lang: str, mission: str, unit: str) -> Response:
    """Every submission made at one station, side by side, with where teams disagree."""
    _lang(lang)

    def render() -> str:
        with session_scope(request.app.state.engine) as session:
            found = get_mission(session, mission)
            view = station_view(session, found, unit)
            return renderer.render(
                lang, "observe_station.html", mission=found, view=view,
                alternates={o: f"/{o}/observe/{mission}/station/{unit}/" for o in LANGUAGES},
            )  # fmt: skip

    return _html(await run_in_threadpool(render))
