"""The election-day section of a mission's report, written from whatever submissions the
database holds: add or remove one and the figures in the text change with it.

The prose follows the report's own way of stating findings ("assessed negatively in 65 of
the 110 polling stations observed"), each figure with its 95% interval and, in a fold-out, the
submissions behind it. One self-contained HTML file (inline CSS and SVG bars): it can be
mailed, archived or printed as it is.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from saylau.administration.models import Election
from saylau.audit.service import peek_head
from saylau.domain.errors import NotFound
from saylau.observation.copies import copy_differences
from saylau.observation.models import Mission
from saylau.observation.quality import quality_report
from saylau.observation.reporting import mission_findings

STAGES = (
    ("opening", "Opening", "polling stations"),
    ("voting", "Voting", "observations"),
    ("counting", "Counting", "polling stations"),
    ("tabulation", "Tabulation", "territorial election commissions"),
)


def report_context(session: Session, mission: Mission, lang: str = "en") -> dict[str, Any]:
    """Everything the report states, computed now from the stored submissions."""
    election = session.get(Election, mission.election_id)
    stages = []
    for code, title, unit_word in STAGES:
        try:
            document = mission_findings(session, mission, code)
        except NotFound:
            continue
        findings = document["findings"]
        overall = next((f for f in findings if f["question"] == "overall"), None)
        stages.append(
            {
                "code": code,
                "title": title,
                "unit_word": unit_word,
                "observations": document["observations"],
                "overall": overall,
                "problems": sorted(
                    (f for f in findings if f["problem"] and f["question"] != "overall"),
                    key=lambda f: -f["problem"]["pct"],
                ),
                "facts": [f for f in findings if not f["problem"]],
            }
        )
    seq, head = peek_head(session)
    return {
        "mission": mission,
        "election": election,
        "lang": lang,
        "stages": stages,
        "copies": copy_differences(session, mission),
        "quality": quality_report(session, mission),
        "head_seq": seq,
        "head_hash": head,
    }


def render_report(session: Session, mission: Mission, lang: str = "en") -> str:
    env = Environment(
        loader=PackageLoader("saylau.observation", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html").render(**report_context(session, mission, lang))
