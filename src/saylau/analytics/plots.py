"""The integrity report's figures, drawn with matplotlib and returned as text to inline.

The report is one file that must open offline, be mailed and archived as it is, so no figure
is a separate file: small line and bar plots become inline SVG (crisp at any zoom, a few tens
of kilobytes, their text selectable), and the fingerprint becomes a base64 PNG because an SVG
of a 100 x 100 image is one element per cell and would weigh megabytes.

Figures are built with `matplotlib.figure.Figure` on the Agg canvas, never through pyplot:
pyplot keeps every figure in a global registry until it is closed, which leaks memory in a
long-running server and is shared between threads. A `Figure` made here is referenced only
by the function that draws it and is cleared before the function returns.

Every function takes plain numbers, not domain objects, so a figure can be checked against
the numbers it was given.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

BAR = "#2b6cb0"
NULL = "#c05621"
HIGH = "#9b2c2c"
GRID = "#d9dee5"
INK = "#1a202c"

STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.edgecolor": "#4a5568",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "svg.fonttype": "none",
}
"""Figures are drawn small (about 5 inches wide) and scaled by the page: at a phone's 360 px the
labels stay about 10 px high, and on a desktop the page caps their width.

Text stays text in the SVG (`svg.fonttype: none`): a tenth of the size of glyph outlines,
and a reader's screen reader and search can find it."""

_ID = re.compile(r'\bid="([^"]+)"')


def thousands(value: float, _position: object = None) -> str:
    """Axis labels with thousands separators, as every number in the report has."""
    return f"{value:,.0f}"


@contextmanager
def _figure(width: float, height: float, salt: str) -> Iterator[Figure]:
    """A detached figure in the report's style; cleared when the block ends.

    `salt` makes matplotlib's generated clip-path ids differ between figures, as ids must be
    unique in the one document that inlines them all.
    """
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": salt}):
        figure = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(figure)
        try:
            yield figure
        finally:
            figure.clear()


def _svg(figure: Figure, prefix: str, label: str) -> str:
    """The figure as an `<svg>` element to inline in HTML, ids prefixed, scalable, labelled.

    The XML prologue and DOCTYPE go (they are not allowed inside HTML); the fixed width and
    height go so CSS can scale the figure to a phone's width through its viewBox; every id is
    prefixed so two figures' `figure_1` or `patch_2` do not collide in one page.
    """
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    ids = set(_ID.findall(text))
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    for name in sorted(ids, key=len, reverse=True):
        text = text.replace(f"url(#{name})", f"url(#{prefix}-{name})")
        text = text.replace(f'href="#{name}"', f'href="#{prefix}-{name}"')
    head_end = text.index(">")
    head = text[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    head += f' role="img" aria-label="{escaped}" class="plot"'
    return head + text[head_end:]


def _png(figure: Figure, dpi: int) -> str:
    """The figure as a data: URL (base64 PNG) for an `<img>` element."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _grid(axes: Axes) -> None:
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)


def percent_histogram_svg(
    counts: Sequence[float],
    *,
    xlabel: str,
    ylabel: str,
    label: str,
    prefix: str,
    mark: float | None = None,
    mark_label: str = "",
) -> str:
    """Voters per 1-point bin from 0 to 100% as bars, with an optional vertical marker.

    `mark` is a percentage (the national figure), drawn so a reader sees where the whole
    electorate sits against the stations' spread.
    """
    values = np.asarray(counts, dtype=float)
    edges = np.arange(len(values)) * (100.0 / max(len(values), 1))
    with _figure(5.2, 2.9, prefix) as figure:
        axes = figure.add_subplot()
        axes.bar(edges, values, width=100.0 / max(len(values), 1), align="edge", color=BAR)
        if mark is not None and np.isfinite(mark):
            axes.axvline(mark, color=NULL, linewidth=1.5, linestyle="--", label=mark_label)
            if mark_label:
                figure.legend(frameon=False, loc="outside upper left")
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_locator(MultipleLocator(10))
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        axes.yaxis.set_major_formatter(FuncFormatter(thousands))
        axes.yaxis.set_major_locator(MaxNLocator(5))
        _grid(axes)
        return _svg(figure, prefix, label)


def integer_window(observed: Sequence[int], null: Sequence[float], pad: int = 2) -> tuple[int, int]:
    """The integer-percent values worth showing: where stations are, observed or expected.

    Outside the range where any station lands or the null expects at least half a station,
    both series are zero and the bars would shrink to slivers for nothing.
    """
    seen = [
        value for value, (o, n) in enumerate(zip(observed, null, strict=True)) if o > 0 or n >= 0.5
    ]
    if not seen:
        return 0, len(observed) - 1
    return max(0, min(seen) - pad), min(len(observed) - 1, max(seen) + pad)


def above_chance(observed: Sequence[int], null: Sequence[float], z: float = 3.0) -> list[bool]:
    """Values whose observed count exceeds the null mean by more than `z` Poisson sd.

    A count of rare events has variance about its mean, so observed > mean + z*sqrt(mean)
    marks a value more stations landed on than chance explains (z = 3: about one false mark
    in 700 values on clean data). Only a visual guide: the test is the collective one.
    """
    return [o > n + z * max(float(np.sqrt(n)), 1.0) for o, n in zip(observed, null, strict=True)]


def integer_values_svg(
    by_value: Sequence[tuple[int, int, float]],
    *,
    quantity: str,
    label: str,
    prefix: str,
) -> str:
    """Stations on each integer percentage: observed bars against the null mean as a line.

    Bars well above the line (drawn darker) are the values a target-setter would pick.
    """
    values = [v for v, _, _ in by_value]
    observed = [o for _, o, _ in by_value]
    null = [n for _, _, n in by_value]
    low, high = integer_window(observed, null)
    xs = np.array(values[low : high + 1])
    obs = np.array(observed[low : high + 1])
    exp = np.array(null[low : high + 1])
    marked = np.array(above_chance(obs.tolist(), exp.tolist()), dtype=bool)
    with _figure(5.2, 3.1, prefix) as figure:
        axes = figure.add_subplot()
        axes.bar(xs[~marked], obs[~marked], width=0.8, color=BAR, label="stations observed")
        if marked.any():
            axes.bar(
                xs[marked],
                obs[marked],
                width=0.8,
                color=HIGH,
                label="above chance by > 3 sd",
            )
        axes.plot(xs, exp, color=NULL, linewidth=1.8, label="expected by chance")
        axes.set_xlim(low - 0.7, high + 0.7)
        axes.set_xlabel(f"{quantity}, whole percent")
        axes.set_ylabel("Stations")
        axes.xaxis.set_major_locator(MultipleLocator(5 if high - low <= 50 else 10))
        axes.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        axes.yaxis.set_major_formatter(FuncFormatter(thousands))
        figure.legend(frameon=False, loc="outside upper left", ncols=2 if marked.any() else 3)
        _grid(axes)
        return _svg(figure, prefix, label)


def fingerprint_png(histogram: np.ndarray, *, leader: str, dpi: int = 150) -> str:
    """The 2D histogram (rows turnout, columns leader share) as a log-coloured image.

    Drawn as in Klimek et al. (turnout across, share up). A log scale because the clean peak
    holds thousands of stations per cell and a stuffed corner a handful: on a linear scale the
    corner would be invisible. Empty cells stay white so they read as empty, not as few.
    """
    counts = np.asarray(histogram, dtype=float)
    image = np.ma.masked_less_equal(counts.T, 0)
    top = float(counts.max()) if counts.size else 0.0
    with _figure(5.0, 4.2, "fingerprint") as figure:
        axes = figure.add_subplot()
        axes.set_facecolor("white")
        if top > 0:
            shown = axes.imshow(
                image,
                origin="lower",
                extent=(0, 100, 0, 100),
                aspect="auto",
                interpolation="nearest",
                cmap="viridis",
                norm=LogNorm(vmin=1, vmax=max(top, 2)),
            )
            bar = figure.colorbar(shown, ax=axes, shrink=0.9)
            bar.set_label("Stations per cell (log scale)")
            bar.ax.yaxis.set_major_formatter(FuncFormatter(thousands))
        axes.set_xlim(0, 100)
        axes.set_ylim(0, 100)
        axes.set_xlabel("Turnout at the station (%)")
        axes.set_ylabel(f"{leader}'s share of valid votes (%)")
        axes.grid(color=GRID, linewidth=0.5, alpha=0.6)
        return _png(figure, dpi)


def digit_frequencies_svg(
    panels: Sequence[tuple[str, Sequence[int], Sequence[float], Sequence[float] | None]],
    *,
    label: str,
    prefix: str,
) -> str:
    """Pooled digit frequencies (bars) against the expected ones (dots), one panel per test.

    `panels` holds (title, counts per digit 0..9, expected probabilities, the classic law's
    probabilities or None). Shares rather than counts, so two tests on different numbers of
    counts share one y scale.
    """
    with _figure(5.2, 2.9, prefix) as figure:
        grid = figure.subplots(1, max(len(panels), 1), sharey=True, squeeze=False)[0]
        for axes, (title, counts, expected, law) in zip(grid, panels, strict=False):
            total = float(sum(counts))
            share = np.asarray(counts, dtype=float) / total if total else np.zeros(10)
            digits = np.arange(10)
            axes.bar(digits, 100 * share, color=BAR, width=0.75, label="observed")
            axes.plot(
                digits,
                100 * np.asarray(expected, dtype=float),
                "o",
                color=NULL,
                markersize=5,
                label="expected",
            )
            if law is not None:
                axes.plot(
                    digits,
                    100 * np.asarray(law, dtype=float),
                    "_",
                    color=INK,
                    markersize=10,
                    markeredgewidth=1.5,
                    label="classic law",
                )
            axes.set_title(title, fontsize=10)
            axes.set_xticks(digits)
            axes.set_xlabel("Digit")
            _grid(axes)
        grid[0].set_ylabel("Share of counts (%)")
        figure.legend(
            *grid[0].get_legend_handles_labels(), frameon=False, loc="outside upper left", ncols=3
        )
        return _svg(figure, prefix, label)
