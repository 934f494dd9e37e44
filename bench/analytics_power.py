"""How honest and how sharp the integrity tests are, on simulated elections (docs/analytics.md).

Run from the repository root (about ten minutes on 2 cores at the defaults):

    .venv/bin/python bench/analytics_power.py
    .venv/bin/python bench/analytics_power.py --clean-runs 40 --fingerprint-runs 20   # quicker

Figures, each over independent simulated elections of 3,000 stations (`CleanModel` defaults):

1. False alarms: for every test, the share of clean elections where it reports p < 0.05
   (its stated size is 5%), including the classic reference laws (uniform last digit, Benford
   second digit) beside saylau's redraw nulls.
2. Station flags against ballot stuffing of 5, 10, 15 and 20 points in 5% of stations: recall
   on the planted stations and false-positive rate on the others, pooled, and recall by
   station size at 10 points.
3. Integer-percent detection when 0.5%, 1% and 2% of stations were rounded, at 3,000 and
   10,000 stations: the share of elections where the combined test gives p < 0.05.
4. The fingerprint's fit against stuffing in 5% and 20% of stations.

Prints Markdown tables (paste into docs/analytics.md) and writes bench/out/analytics_power.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from rich.console import Console

from benchkit import ROOT, machine
from saylau.domain.integrity.evaluation import (
    alarm_rates,
    clean_election,
    flag_performance,
    rounded_election,
    stuffed_election,
)
from saylau.domain.integrity.flags import station_flags
from saylau.domain.integrity.simulate import CleanModel, plant_stuffing, simulate_clean

console = Console(width=None if sys.stdout.isatty() else 200, highlight=False)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def recall_by_size(model: CleanModel, runs: int) -> list[list[str]]:
    bands = ((0, 300), (300, 600), (600, 1000), (1000, 10**9))
    tally = {band: [0, 0, 0, 0] for band in bands}
    for seed in range(runs):
        planted = plant_stuffing(
            simulate_clean(model, seed=seed), share=0.05, points=0.10, seed=seed + 10_000
        )
        flagged = station_flags(planted.table).mask
        size = planted.table.registered
        for low, high in bands:
            inside = (size >= low) & (size < high)
            t = tally[(low, high)]
            t[0] += int((flagged & planted.mask & inside).sum())
            t[1] += int((planted.mask & inside).sum())
            t[2] += int((flagged & ~planted.mask & inside).sum())
            t[3] += int((~planted.mask & inside).sum())
    return [
        [
            f"{low:,} to {high - 1:,}" if high < 10**9 else f"{low:,} and more",
            f"{t[1]:,}",
            f"{t[0] / t[1]:.3f}" if t[1] else "-",
            pct(t[2] / t[3]) if t[3] else "-",
        ]
        for (low, high), t in tally.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean-runs", type=int, default=200)
    parser.add_argument("--fingerprint-runs", type=int, default=60)
    parser.add_argument("--flag-runs", type=int, default=30)
    parser.add_argument("--detection-runs", type=int, default=40)
    parser.add_argument("--repetitions", type=int, default=200)
    parser.add_argument("--bootstrap", type=int, default=40)
    args = parser.parse_args()
    model = CleanModel()
    started = time.perf_counter()
    results: dict[str, object] = {"machine": machine(None), "args": vars(args)}

    clean = alarm_rates(clean_election(model), args.clean_runs, repetitions=args.repetitions)
    fingerprint_clean = alarm_rates(
        clean_election(model),
        args.fingerprint_runs,
        repetitions=20,
        bootstrap=args.bootstrap,
        first_seed=50_000,
    )
    rows = [[name, pct(rate), str(clean.runs)] for name, rate in clean.rates.items()]
    rows += [
        [name, pct(rate), str(fingerprint_clean.runs)]
        for name, rate in fingerprint_clean.rates.items()
        if name.startswith("fingerprint")
    ]
    results["false_alarms"] = {r[0]: r[1] for r in rows}
    console.print("\n## False alarms on clean elections (share of runs with p < 0.05)\n")
    console.print(table(["test", "p < 0.05 in", "clean runs"], rows))

    flag_rows = []
    for points in (0.05, 0.10, 0.15, 0.20):
        perf = flag_performance(model, points=points, share=0.05, runs=args.flag_runs)
        flag_rows.append(
            [
                f"{100 * points:.0f} points",
                f"{perf.planted:,}",
                f"{perf.recall:.3f}",
                pct(perf.false_positive_rate),
            ]
        )
    results["flags"] = flag_rows
    console.print("\n## Station flags against stuffing in 5% of stations\n")
    console.print(table(["stuffing", "planted stations", "recall", "false-positive rate"],
                        flag_rows))  # fmt: skip
    by_size = recall_by_size(model, args.flag_runs)
    results["flags_by_size"] = by_size
    console.print("\n## Recall at 10 points by station size (registered voters)\n")
    console.print(table(["registered", "planted", "recall", "false-positive rate"], by_size))

    detect_rows = []
    for stations in (3000, 10_000):
        sized = CleanModel(stations=stations, regions=max(10, stations // 300))
        for share in (0.005, 0.01, 0.02):
            rates = alarm_rates(
                rounded_election(sized, share),
                args.detection_runs,
                repetitions=args.repetitions,
                first_seed=20_000,
            ).rates
            detect_rows.append(
                [
                    f"{stations:,}",
                    pct(share),
                    pct(rates["integer percent: combined (weighted both)"]),
                    pct(rates["integer percent: both"]),
                    pct(rates["integer percent: either"]),
                ]
            )
    results["integer_detection"] = detect_rows
    console.print("\n## Integer-percent detection (share of runs with p < 0.05)\n")
    console.print(
        table(["stations", "rounded", "combined (weighted)", "both", "either"], detect_rows)
    )

    fp_rows = []
    for share in (0.05, 0.20):
        rates = alarm_rates(
            stuffed_election(model, share, 0.15),
            args.fingerprint_runs // 2,
            repetitions=20,
            bootstrap=args.bootstrap,
            first_seed=30_000,
        ).rates
        fp_rows.append(
            [
                f"{pct(share)} of stations, 15 points",
                pct(rates["fingerprint: incremental fraud"]),
                pct(rates["leader slope above 1"]),
            ]
        )
    results["fingerprint_detection"] = fp_rows
    console.print("\n## Fingerprint fit against stuffing (share of runs with p < 0.05)\n")
    console.print(table(["planted", "incremental fraud", "leader slope above 1"], fp_rows))

    results["seconds"] = time.perf_counter() - started
    out = ROOT / "bench" / "out" / "analytics_power.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    console.print(f"\n{time.perf_counter() - started:.0f} s; written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
