"""The management reports as files and charts over REST, from the small book of
tests/support/reports.py: XLSX cells typed, CSV and PDF carrying the same figures as
GraphQL, charts with their series; bad parameters 422 naming them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.support.api import ANALYST, OFFICER
from tests.support.cli import invoke
from tests.support.processes import lending_env
from tests.support.reports import MONTH_ENDS, Book, report_rows

PERIOD = {"from": "2030-01-01", "to": "2030-05-31"}


def fetched(book: Book, path: str, **params: Any) -> bytes:
    response = book.api.get(path, params=PERIOD | params, headers=ANALYST)
    assert response.status_code == 200, response.text
    assert response.headers["x-report-basis"] == params.get("basis", "recorded")
    return response.content


def test_the_xlsx_has_typed_cells_and_a_frozen_header(book: Book) -> None:
    _, expected = report_rows(book, "PAR_TREND")
    sheet = load_workbook(io.BytesIO(fetched(book, "/reports/par_trend", format="xlsx")))["report"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header == list(expected[0])
    for cells, row in zip(sheet.iter_rows(min_row=2, values_only=True), expected, strict=True):
        found = dict(zip(header, cells, strict=True))
        assert isinstance(found["month_end"], datetime)
        assert found["month_end"].date() == row["month_end"]
        assert isinstance(found["loans"], int)
        assert found["loans"] == row["loans"]
        for name in ("outstanding_principal", "par30_principal", "par30", "npl_ratio"):
            assert isinstance(found[name], (int, float)), name
            assert Decimal(str(found[name])) == row[name], name
    assert sheet.max_row == len(MONTH_ENDS) + 1


def test_the_vintages_xlsx_types_months_on_book_and_shares(book: Book) -> None:
    _, expected = report_rows(book, "VINTAGES")
    sheet = load_workbook(io.BytesIO(fetched(book, "/reports/vintages", format="xlsx")))["report"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(expected)
    for cells, row in zip(rows, expected, strict=True):
        assert cells[0] == row["disbursement_month"]
        assert isinstance(cells[1], int)
        assert cells[1] == row["months_on_book"]
        assert isinstance(cells[2], datetime)
        assert isinstance(cells[6], (int, float))
        assert Decimal(str(cells[6])) == row["share_30_plus"]


def test_the_csv_has_the_graphql_figures_and_says_its_basis(book: Book) -> None:
    _, expected = report_rows(book, "ROLL_RATES", "CURRENT")
    text = fetched(book, "/reports/roll_rates", format="csv", basis="current").decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(expected)
    for found, row in zip(rows, expected, strict=True):
        assert found["basis"] == "current"
        assert date.fromisoformat(found["month_end"]) == row["month_end"]
        assert (found["from_bucket"], found["to_state"]) == (row["from_bucket"], row["to_state"])
        assert Decimal(found["principal"]) == row["principal"]


def test_the_pdf_carries_the_figures_and_the_basis(book: Book) -> None:
    _, expected = report_rows(book, "PAR_TREND")
    pdf = PdfReader(io.BytesIO(fetched(book, "/reports/par_trend", format="pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "par_trend" in text
    assert "as recorded at each month end" in text
    for row in expected:
        assert row["month_end"].isoformat() in text
        assert str(row["outstanding_principal"]) in text
    assert any(page.images for page in pdf.pages)  # the chart


@pytest.mark.parametrize(
    ("name", "series"),
    [
        ("par_trend", ['id="par30"', 'id="par90"', 'id="npl_ratio"']),
        ("roll_rates", ['id="roll_rates"', "dpd_91_180", "written_off"]),
        ("vintages", ['id="2030-01 share_30_plus"', 'id="2030-02 share_90_plus"']),
    ],
)
def test_each_chart_has_its_series(book: Book, name: str, series: list[str]) -> None:
    svg = fetched(book, f"/reports/{name}/chart.svg").decode()
    assert svg.lstrip().startswith("<?xml")
    for each in series:
        assert each in svg, each
    assert fetched(book, f"/reports/{name}/chart.png").startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/reports/profits", {}, "name"),
        ("/reports/par_trend", {"from": "2030-05-01", "to": "2030-04-30"}, "to"),
        ("/reports/par_trend", {"from": "2020-01-01", "to": "2030-01-01"}, "to"),
        ("/reports/par_trend", {"group_by": "colour"}, "group_by"),
        ("/reports/par_trend", {"group_by": "office,colour"}, "group_by"),
        ("/reports/par_trend", {"format": "docx"}, "format"),
        ("/reports/par_trend", {"basis": "hoped"}, "basis"),
        ("/reports/par_trend/chart.svg", {"basis": "hoped"}, "basis"),
        ("/reports/par_trend", {"from": None}, "from"),
    ],
)
def test_bad_parameters_are_422_naming_them(
    book: Book, path: str, params: dict[str, Any], field: str
) -> None:
    query = {k: v for k, v in (PERIOD | params).items() if v is not None}
    response = book.api.get(path, params=query, headers=ANALYST)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_loan_officer_may_not_read_reports(book: Book) -> None:
    response = book.api.get("/reports/par_trend", params=PERIOD, headers=OFFICER)
    assert response.status_code == 403


def test_a_chart_in_another_format_is_422(book: Book) -> None:
    response = book.api.get("/reports/par_trend/chart.gif", params=PERIOD, headers=ANALYST)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"


def test_the_command_line_writes_the_same_report(book: Book, tmp_path: Path) -> None:
    _, expected = report_rows(book, "VINTAGES", group_by=["REGION"])
    out = tmp_path / "vintages.xlsx"
    done = invoke("report", "vintages", "--from", "2030-01-01", "--to", "2030-05-31",
                  "--group-by", "region", "--format", "xlsx", "--out", str(out),
                  env=lending_env(book.settings))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Wrote" in done.stdout
    sheet = load_workbook(out)["report"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (row["disbursement_month"], row["region"], row["months_on_book"]) for row in expected
    ]
    assert {r[1] for r in rows} == {"Hubei", "Hunan"}
    refused = invoke("report", "vintages", "--from", "2030-01-01", "--to", "2030-05-31",
                     "--group-by", "colour", env=lending_env(book.settings))  # fmt: skip
    assert refused.returncode == 2
    assert "--group-by" in refused.stdout + refused.stderr


def test_flows_export_as_every_format_and_have_no_chart(book: Book) -> None:
    _, expected = report_rows(book, "FLOWS")
    sheet = load_workbook(io.BytesIO(fetched(book, "/reports/flows", format="xlsx")))["report"]
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert first["disbursed_count"] == expected[0]["disbursed_count"] == 3
    assert Decimal(str(first["disbursed_amount"])) == expected[0]["disbursed_amount"]
    pdf = PdfReader(io.BytesIO(fetched(book, "/reports/flows", format="pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "flows" in text
    assert "36000.00" in text
    response = book.api.get("/reports/flows/chart.png", params=PERIOD, headers=ANALYST)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
