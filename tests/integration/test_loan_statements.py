"""Statements of account over REST: the lines, balances and periods of the story in
tests/support/documents.py, checked against figures worked out here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.api import AUDITOR, OFFICER
from tests.support.documents import (
    COMPONENT_NAMES,
    SCHEDULED_INTEREST,
    balance,
    statement_rows,
    text_of,
)


def test_the_statement_csv_adds_up_to_the_books(documents_story: dict[str, Any]) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    rows = statement_rows(api, loan["id"])
    assert [r["kind"] for r in rows] == [
        "opening", "disbursement", "payment", "payment", "reversal", "closing",
    ]  # fmt: skip
    opening, paid_out_row, first, second, reversal, closing = rows
    zero = Decimal("0.00")
    assert balance(opening) == (zero,) * 4
    assert balance(paid_out_row) == (Decimal("12000.00"), SCHEDULED_INTEREST, zero, zero)
    assert (first["reference"], first["amount"]) == (documents_story["first"]["id"], "1120.00")
    assert (first["paid_principal"], first["paid_interest"]) == ("1000.00", "120.00")
    assert (second["paid_principal"], second["paid_interest"]) == ("1000.00", "110.00")
    assert (reversal["reference"], reversal["amount"]) == (
        documents_story["second"]["id"],
        "-1110.00",
    )
    assert (reversal["paid_principal"], reversal["paid_interest"]) == ("-1000.00", "-110.00")
    # What is owed at the end: the first installment paid, the second's payment reversed.
    assert balance(closing) == (Decimal("11000.00"), SCHEDULED_INTEREST - 120, zero, zero)
    assert closing["balance_total"] == str(Decimal("11000.00") + SCHEDULED_INTEREST - 120)
    for i, component in enumerate(("principal", "interest", "fee", "penalty")):
        moved = sum(Decimal(r[f"change_{component}"]) for r in rows[1:-1])
        assert balance(opening)[i] + moved == balance(closing)[i]


def test_a_statement_period_opens_with_the_balance_before_it(
    documents_story: dict[str, Any],
) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    march = statement_rows(api, loan["id"], "?from=2026-03-01&to=2026-03-31")
    assert [r["kind"] for r in march] == ["opening", "payment", "reversal", "closing"]
    after_first = (Decimal("11000.00"), SCHEDULED_INTEREST - 120, Decimal("0.00"), Decimal("0.00"))
    assert balance(march[0]) == after_first
    assert balance(march[-1]) == after_first
    assert (march[0]["posting_date"], march[-1]["posting_date"]) == ("2026-03-01", "2026-03-31")
    february = statement_rows(api, loan["id"], "?to=2026-02-28")
    assert [r["kind"] for r in february] == ["opening", "disbursement", "payment", "closing"]
    assert balance(february[-1]) == after_first


def test_the_statement_pdf_shows_the_lines(documents_story: dict[str, Any]) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    response = api.get(f"/loans/{loan['id']}/statement.pdf?from=2026-01-01", headers=AUDITOR)
    assert response.status_code == 200, response.text
    text = text_of(response.content)
    for expected in ("对账单", "张三", "CNY 12,000.00", "1,120.00", "-1,110.00", "11,660.00",
                     "2026-01-01"):  # fmt: skip
        assert expected in text, expected


def test_a_period_ending_before_it_starts_is_422_naming_to(documents_story: dict[str, Any]) -> None:
    api, loan = documents_story["api"], documents_story["loan"]
    for kind in ("pdf", "csv"):
        response = api.get(
            f"/loans/{loan['id']}/statement.{kind}?from=2026-03-01&to=2026-02-01", headers=OFFICER
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "to"
    typo = api.get(f"/loans/{loan['id']}/statement.csv?from=2026-13-01", headers=OFFICER)
    assert typo.status_code == 422
    assert typo.json()["errors"][0]["field"] == "from"


def test_the_statement_lists_penalties_charges_and_waivers(documents_story: dict[str, Any]) -> None:
    """李四's first installment (due 28 February) is unpaid: close of business charges the
    late fee the day after, and penalty interest on its 1,000.00 of principal; an officer
    adds the 50.00 visit charge, and a checker waives 30.00 of fee."""
    rows = statement_rows(documents_story["api"], documents_story["late"]["id"])
    assert [r["kind"] for r in rows] == [
        "opening", "disbursement", "penalty", "penalty", "charge", "waiver", "closing",
    ]  # fmt: skip
    late_fee, penalty, visit, waiver = rows[2:6]
    assert (late_fee["posting_date"], late_fee["change_fee"]) == ("2026-03-01", "50.00")
    # 0.05% a year on 1,000.00 overdue, 30 days on 30/360.
    assert Decimal(penalty["change_penalty"]) == round(Decimal(1000) * Decimal("0.0005") / 12, 2)
    assert (visit["reference"], visit["amount"], visit["change_fee"]) == ("VISIT", "50.00", "50.00")
    assert (waiver["reference"], waiver["amount"], waiver["change_fee"]) == (
        "fee",
        "30.00",
        "-30.00",
    )
    closing = rows[-1]
    assert balance(closing) == (
        Decimal("12000.00"), SCHEDULED_INTEREST, Decimal("70.00"), Decimal("0.04"),
    )  # fmt: skip
    for i, component in enumerate(("principal", "interest", "fee", "penalty")):
        assert sum(Decimal(r[f"change_{component}"]) for r in rows[1:-1]) == balance(closing)[i]


DAYS = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 5, 1))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=DAYS, end=DAYS)
def test_any_period_opens_and_closes_on_the_books_it_lists(
    documents_story: dict[str, Any], start: date, end: date
) -> None:
    """For any period of either loan: opening + what each line moved = closing, and every
    line is posted within the period; a period ending before it starts is refused."""
    api = documents_story["api"]
    for loan in (documents_story["loan"], documents_story["late"]):
        query = f"?from={start}&to={end}"
        if end < start:
            response = api.get(f"/loans/{loan['id']}/statement.csv{query}", headers=OFFICER)
            assert response.status_code == 422
            continue
        rows = statement_rows(api, loan["id"], query)
        opening, lines, closing = rows[0], rows[1:-1], rows[-1]
        for i, component in enumerate(COMPONENT_NAMES):
            moved = sum((Decimal(r[f"change_{component}"]) for r in lines), Decimal(0))
            assert balance(opening)[i] + moved == balance(closing)[i]
        assert all(str(start) <= r["posting_date"] <= str(end) for r in lines)
