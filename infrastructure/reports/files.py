"""The management reports as files: CSV, XLSX (openpyxl: numbers as numbers, dates as
dates, the header row frozen) and PDF (ReportLab, the documents' font and table, with
the report's chart)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image

from infrastructure.documents.pdf import gap, pairs, paragraph, render, table
from infrastructure.reports.charts import CHARTED, chart
from projections.reports import DATE, INT, MONEY, RATIO, Report

MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
NUMBER_FORMATS = {MONEY: "#,##0.00", RATIO: "0.00%", INT: "0", DATE: "yyyy-mm-dd"}
WIDE = 8  # columns from which the PDF turns to landscape
BASIS = {"recorded": "as recorded at each month end", "current": "as known now"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def heading(report: Report) -> list[tuple[str, str]]:
    """What every file says about the report first."""
    return [
        ("report", report.name),
        ("from", report.start.isoformat()),
        ("to", report.end.isoformat()),
        ("basis", f"{report.basis} ({BASIS[report.basis]})"),
        ("group_by", ", ".join(report.group_by) or "-"),
        ("business_date", _text(report.business_date)),
    ]


def report_csv(report: Report) -> bytes:
    """A header row and one row per report row (amounts as plain decimals, dates ISO);
    the basis is in the file name the routes give and in the `basis` column."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow([*(name for name, _ in report.columns), "basis"])
    writer.writerows([*(_text(v) for v in row), report.basis] for row in report.rows)
    return output.getvalue().encode()


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in (MONEY, RATIO):
        return float(value) if kind == RATIO else value
    if kind in (INT, DATE):
        return value
    return str(value)


def report_xlsx(report: Report) -> bytes:
    """Sheet `report`: header row (frozen) and typed cells; sheet `about`: the heading."""
    book = Workbook()
    sheet = book.active
    sheet.title = "report"
    sheet.append([name for name, _ in report.columns])
    for row in report.rows:
        sheet.append([_cell(kind, v) for (_, kind), v in zip(report.columns, row, strict=True)])
    for n, (name, kind) in enumerate(report.columns, start=1):
        letter = get_column_letter(n)
        sheet.column_dimensions[letter].width = max(12, len(name) + 2)
        if kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = NUMBER_FORMATS[kind]
    sheet.freeze_panes = "A2"
    about = book.create_sheet("about")
    for item in heading(report):
        about.append(list(item))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def report_pdf(report: Report) -> bytes:
    """The heading, the chart (for the charted reports) and the rows as a table."""
    story: list[Flowable] = [paragraph(f"Report {report.name}", "title"), gap(),
                             pairs(heading(report)), gap()]  # fmt: skip
    if report.name in CHARTED:
        story += [Image(io.BytesIO(chart(report, "png")), width=170 * mm, height=95 * mm), gap()]
    header = [name for name, _ in report.columns]
    rows = [[_text(v) for v in row] for row in report.rows]
    story.append(table(header, rows) if rows else paragraph("No rows for this period."))
    wide = len(header) > WIDE
    return render(f"Report {report.name}", story, landscape(A4) if wide else A4)


WRITERS = {"csv": report_csv, "xlsx": report_xlsx, "pdf": report_pdf}


def report_file(report: Report, format: str) -> bytes:
    return WRITERS[format](report)
