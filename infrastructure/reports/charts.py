"""The management reports' charts, drawn with matplotlib (Agg: no display): a line per
ratio for the PAR trend, a heat map of the latest month's roll rates, a curve per
vintage. Text stays text in SVG, and every series is a group whose id is its label, so
a reader (or a test) finds the series by name."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domain.arrears import principal_share
from projections.reports import TO_STATES, Report

CHARTED = ("par_trend", "roll_rates", "vintages")
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
matplotlib.rcParams["svg.fonttype"] = "none"
matplotlib.rcParams["svg.hashsalt"] = "lending-core"


def _group(record: dict[str, Any], report: Report) -> str:
    return " ".join(str(record[d]) for d in report.group_by)


def series(report: Report) -> dict[str, list[tuple[Any, float]]]:
    """The line chart's series (PAR trend, vintages): label -> points (x, y)."""
    found: dict[str, list[tuple[Any, float]]] = defaultdict(list)
    for record in report.records():
        group = _group(record, report)
        if report.name == "par_trend":
            for ratio in ("par30", "par90", "npl_ratio"):
                label = f"{ratio} {group}".strip()
                found[label].append((record["month_end"], float(record[ratio])))
        elif report.name == "vintages":
            for part in ("share_30_plus", "share_90_plus"):
                label = f"{record['disbursement_month']} {part} {group}".strip()
                found[label].append((record["months_on_book"], float(record[part])))
    return dict(found)


def matrix(report: Report) -> tuple[Any, list[str], list[str], list[list[float]]]:
    """The latest month end's roll-rate shares (summed over the groups): the month end,
    the from buckets, the to states and the share of each from bucket's principal."""
    records = report.records()
    if not records:
        return None, [], [], []
    latest = max(r["month_end"] for r in records)
    moved: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(TO_STATES, Decimal(0)))
    for record in records:
        if record["month_end"] == latest:
            moved[record["from_bucket"]][record["to_state"]] += record["principal"]
    rows = list(moved)
    shares = [
        [float(principal_share(moved[r][t], sum(moved[r].values(), Decimal(0)))) for t in TO_STATES]
        for r in rows
    ]
    return latest, rows, list(TO_STATES), shares


def chart(report: Report, format: str) -> bytes:
    """The report's chart as PNG or SVG bytes."""
    figure = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(figure)  # Agg, no display; SVG is written by its own backend
    axes = figure.subplots()
    if report.name == "roll_rates":
        latest, rows, columns, shares = matrix(report)
        image = axes.imshow(shares or [[0.0]], cmap="Reds", vmin=0, vmax=1, aspect="auto")
        image.set_gid("roll_rates")
        axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right")
        axes.set_yticks(range(len(rows)), rows)
        for y, line in enumerate(shares):
            for x, value in enumerate(line):
                axes.text(x, y, f"{value:.0%}", ha="center", va="center", fontsize=7)
        axes.set_title(f"Roll rates to {latest} ({report.basis})")
        figure.colorbar(image, ax=axes)
    else:
        for label, points in series(report).items():
            (line,) = axes.plot([p[0] for p in points], [p[1] for p in points],
                                marker="o", label=label)  # fmt: skip
            line.set_gid(label)
        what = "PAR trend" if report.name == "par_trend" else "Vintages"
        axes.set_title(f"{what} {report.start} ~ {report.end} ({report.basis})")
        axes.set_xlabel("month end" if report.name == "par_trend" else "months on book")
        axes.set_ylabel("share of principal")
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize=7)
        figure.autofmt_xdate()
    figure.tight_layout()
    output = io.BytesIO()
    figure.savefig(output, format=format, metadata={"Date": None} if format == "svg" else {})
    return output.getvalue()
