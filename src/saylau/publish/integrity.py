"""The integrity analysis of the published results, as two more open files.

Journalists and observers should not need a command line to see whether the per-station results
carry the traces of stuffing or rewritten protocols. The site therefore publishes, beside the
results, the same report `saylau analyze --html` writes and the flagged stations as CSV, computed
from the very snapshot the pages show: the report names the audit-chain head it was computed at.
The site has no observation data, so its subgroups are the stations' kind and urban or rural.

The options trade a little precision for time (a few seconds for 10,000 stations), so a site
publish or the first request after a new head stays quick; `saylau analyze` runs the defaults.
"""

from __future__ import annotations

from saylau.analytics.analyze import flags_csv_text
from saylau.analytics.protocol_table import ProtocolStation, protocol_station_table
from saylau.analytics.report import render_report
from saylau.domain.integrity.analysis import Analysis, Options, analyze
from saylau.domain.integrity.stations import StationTable
from saylau.publish.dataset import Dataset
from saylau.publish.downloads import Download

SITE_OPTIONS = Options(repetitions=1000, bootstrap=40)
REPORT_NAME = "integrity-report.html"
FLAGS_NAME = "integrity-flags.csv"
NAMES = (REPORT_NAME, FLAGS_NAME)


def dataset_station_table(dataset: Dataset) -> StationTable:
    """Every PEC of the snapshot with a protocol, in code order."""
    stations = []
    for unit in dataset.pecs():
        protocol = dataset.protocols.get(unit.id)
        if protocol is None:
            continue
        region = dataset.region_of(unit)
        parent = dataset.units[unit.parent_id] if unit.parent_id is not None else unit
        stations.append(
            ProtocolStation(
                code=unit.code,
                region=region.code if region is not None else "",
                district=parent.code,
                kind=unit.subtype,
                urban=unit.urban,
                observed=None,
                values=protocol.current.lines,
            )
        )
    return protocol_station_table(dataset.profile, stations)


def site_analysis(dataset: Dataset) -> Analysis:
    return analyze(
        dataset_station_table(dataset),
        name=dataset.election_code,
        title=dataset.election_name,
        options=SITE_OPTIONS,
        source={
            "kind": "saylau",
            "election": dataset.election_code,
            "audit_seq": dataset.head_seq,
            "audit_head": dataset.head_hash,
        },
    )


def integrity_files(dataset: Dataset) -> list[Download]:
    """The report and the flagged stations; nothing when no protocol has been published yet."""
    if not dataset.protocols:
        return []
    analysis = site_analysis(dataset)
    return [
        Download(
            REPORT_NAME,
            render_report(analysis, flags_csv=FLAGS_NAME).encode("utf-8"),
            "text/html; charset=utf-8",
            "",
        ),
        Download(
            FLAGS_NAME, flags_csv_text(analysis).encode("utf-8"), "text/csv; charset=utf-8", ""
        ),
    ]
