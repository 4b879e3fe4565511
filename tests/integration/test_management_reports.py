"""Management reports over a small book with known outcomes (tests/support/reports.py):
PAR trend, roll rates and vintages, each figure worked out here; then a backdated
payment into the closed period leaves the recorded view as it was and moves the
current one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.arrears import principal_share
from tests.support.api import OFFICER, graphql
from tests.support.catalog import pay
from tests.support.reports import (
    MONTH_ENDS,
    PRINCIPAL,
    Book,
    a_principal,
    applications,
    bucket,
    due_and_paid,
    installment_total,
    report_rows,
)

ZERO = Decimal(0)


def dpd(book: Book, name: str, on: date) -> int:
    return max(0, (on - book.first_due[name]).days)


def expected_par(
    book: Book, unpaid: set[str]
) -> list[tuple[date, Decimal, Decimal, Decimal, Decimal]]:
    """(month end, outstanding, PAR30, PAR90, NPL principal) with A paying each month and
    the loans of `unpaid` among B and C paying nothing (NPL: 91+ DPD, substandard)."""
    found = []
    for n, end in enumerate(MONTH_ENDS):
        late = {
            name: dpd(book, name, end) for name in unpaid if name != "C" or end >= date(2030, 2, 28)
        }
        total = a_principal(book, n) + PRINCIPAL * len(late) + (PRINCIPAL if n == 0 else ZERO)
        p30 = PRINCIPAL * sum(1 for d in late.values() if d > 30)
        p90 = PRINCIPAL * sum(1 for d in late.values() if d > 90)
        found.append((end, total, p30, p90, p90))
    return found


def test_par_trend_shows_each_month_end_of_the_period(book: Book) -> None:
    header, rows = report_rows(book, "PAR_TREND")
    assert header["basis"] == "RECORDED"
    assert header["businessDate"] == "2030-06-01"
    assert [r["month_end"] for r in rows] == list(MONTH_ENDS)
    for row, (end, total, p30, p90, npl) in zip(rows, expected_par(book, {"B", "C"}), strict=True):
        assert row["month_end"] == end
        assert row["outstanding_principal"] == total
        assert (row["par30_principal"], row["par90_principal"], row["npl_principal"]) == (
            p30,
            p90,
            npl,
        )
        assert row["par30"] == principal_share(p30, total)
        assert row["par90"] == principal_share(p90, total)
        assert row["npl_ratio"] == principal_share(npl, total)


def test_par_trend_grouped_by_product_names_it(book: Book) -> None:
    _, rows = report_rows(book, "PAR_TREND", group_by=["PRODUCT"])
    assert {r["product"] for r in rows} == {"PLAIN-12"}
    assert len(rows) == len(MONTH_ENDS)


def test_a_loan_officer_is_refused_the_report(book: Book) -> None:
    query = '{ report(name: PAR_TREND, from: "2030-01-01", to: "2030-05-31") { basis } }'
    body = graphql(book.api, query, OFFICER)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_roll_rates_move_principal_between_consecutive_month_ends(book: Book) -> None:
    _, rows = report_rows(book, "ROLL_RATES")
    moved = {(r["month_end"], r["from_bucket"], r["to_state"]): r["principal"]
             for r in rows if r["principal"]}  # fmt: skip
    feb, mar, apr, may = MONTH_ENDS[1:]
    expected = {
        (feb, "current", "current"): PRINCIPAL,  # A
        (feb, "current", bucket(dpd(book, "B", feb))): PRINCIPAL,  # B
        (feb, "current", "closed"): PRINCIPAL,  # D
        (mar, "current", "current"): a_principal(book, 1),  # A
        (mar, "current", bucket(dpd(book, "C", mar))): PRINCIPAL,  # C
        (mar, bucket(dpd(book, "B", feb)), bucket(dpd(book, "B", mar))): PRINCIPAL,
        (apr, "current", "current"): a_principal(book, 2),
        (apr, bucket(dpd(book, "C", mar)), bucket(dpd(book, "C", apr))): PRINCIPAL,
        (apr, bucket(dpd(book, "B", mar)), bucket(dpd(book, "B", apr))): PRINCIPAL,
        (may, "current", "current"): a_principal(book, 3),
        (may, bucket(dpd(book, "C", apr)), bucket(dpd(book, "C", may))): PRINCIPAL,
        (may, bucket(dpd(book, "B", apr)), bucket(dpd(book, "B", may))): PRINCIPAL,
    }
    assert moved == expected
    assert bucket(dpd(book, "B", may)) == "dpd_91_180"
    feb_current = [r for r in rows if r["month_end"] == feb and r["from_bucket"] == "current"]
    shares = {r["to_state"]: r["share"] for r in feb_current if r["principal"]}
    assert shares == {"current": Decimal("0.3333"), "dpd_1_30": Decimal("0.3333"),
                      "closed": Decimal("0.3333")}  # fmt: skip
    mar_current = {
        r["to_state"]: r["share"]
        for r in rows
        if r["month_end"] == mar and r["from_bucket"] == "current" and r["principal"]
    }
    total = a_principal(book, 1) + PRINCIPAL
    assert mar_current == {"current": principal_share(a_principal(book, 1), total),
                           "dpd_1_30": principal_share(PRINCIPAL, total)}  # fmt: skip


def test_vintages_give_the_share_30_and_90_plus_at_each_month_on_book(book: Book) -> None:
    _, rows = report_rows(book, "VINTAGES")
    points = {(r["disbursement_month"], r["months_on_book"]):
              (r["disbursed"], r["share_30_plus"], r["share_90_plus"]) for r in rows}  # fmt: skip
    third, whole, none = Decimal("0.3333"), Decimal("1.0000"), Decimal("0.0000")
    jan, feb = PRINCIPAL * 3, PRINCIPAL
    assert points == {
        ("2030-01", 1): (jan, none, none),  # B 13 DPD
        ("2030-01", 2): (jan, third, none),  # B 44
        ("2030-01", 3): (jan, third, none),  # B 74
        ("2030-01", 4): (jan, third, third),  # B 105
        ("2030-02", 1): (feb, none, none),  # C 11
        ("2030-02", 2): (feb, whole, none),  # C 41
        ("2030-02", 3): (feb, whole, none),  # C 72
    }
    assert [dpd(book, "B", e) for e in MONTH_ENDS[1:]] == [13, 44, 74, 105]
    assert [dpd(book, "C", e) for e in MONTH_ENDS[2:]] == [11, 41, 72]


def test_flows_show_what_moved_in_each_month(book: Book) -> None:
    _, rows = report_rows(book, "FLOWS")
    assert [r["month_end"] for r in rows] == list(MONTH_ENDS)
    paid = [ZERO, book.payoff + installment_total(book, 0)] + [
        installment_total(book, n) for n in (1, 2, 3)
    ]
    p1, p2, p3, p4 = book.principals[:4]
    principal = [ZERO, p1 + PRINCIPAL, p2, p3, p4]  # D paid off its 12,000 in February
    for n, row in enumerate(rows):
        end = row["month_end"]
        assert (row["disbursed_count"], row["disbursed_amount"]) == (
            [3, 1, 0, 0, 0][n],
            [PRINCIPAL * 3, PRINCIPAL, ZERO, ZERO, ZERO][n],
        ), end
        assert row["collected"] == paid[n], end
        assert row["collected_principal"] == principal[n], end
        assert row["collected_fees"] == ZERO
        assert row["collected_interest_and_penalty"] == paid[n] - principal[n]
        due, paid_of_due = due_and_paid(book, end)
        assert (row["due"], row["paid_of_due"]) == (due, paid_of_due), end
        assert row["collection_rate"] == principal_share(paid_of_due, due)
        new = {1: 1, 2: 1}.get(n, 0)  # B in February, C in March
        assert (row["new_overdue_count"], row["new_overdue_principal"]) == (new, PRINCIPAL * new)
        assert (row["cured_count"], row["written_off_count"], row["recovered"]) == (0, 0, ZERO)


def test_the_funnel_counts_applications_and_their_outcomes(book: Book) -> None:
    started = datetime.now(UTC)
    approvals = applications(book)
    today = datetime.now(UTC).date()
    period = (str(today - timedelta(days=1)), str(today))
    header, rows = report_rows(book, "FUNNEL", period=period)
    assert header["from"] == period[0]
    (row,) = rows
    decided = [a for a in approvals if a and a["status"] in ("APPROVED", "REJECTED")]
    assert row["submitted"] == 6
    assert row["approved"] == 4 == sum(1 for a in approvals if a and a["status"] == "APPROVED")
    assert row["auto_approved"] == sum(
        1 for a in decided if a["route"] == "system" and a["status"] == "APPROVED"
    )
    assert (row["rejected"], row["withdrawn"], row["pending"]) == (1, 1, 0)
    assert row["approval_rate"] == principal_share(Decimal(4), Decimal(5))
    assert row["overrides"] == sum(1 for a in decided for s in a["steps"] if s["overrideReason"])
    elapsed = Decimal((datetime.now(UTC) - started).total_seconds() + 3600) / 3600
    assert ZERO <= row["median_hours_to_decision"] <= elapsed
    (grouped,) = report_rows(book, "FUNNEL", group_by=["REGION"], period=period)[1][:1]
    assert (grouped["region"], grouped["submitted"]) == ("Hubei", 4)  # A, B and the two new
    assert report_rows(book, "FUNNEL", period=("2030-01-01", "2030-05-31"))[1] == []


def test_collector_performance_counts_actions_promises_and_what_followed(book: Book) -> None:
    (row,) = report_rows(book, "COLLECTOR_PERFORMANCE")[1]
    assert (row["collector"], row["actions"], row["promises_made"]) == ("collector.he", 2, 2)
    assert (row["promises_kept"], row["promises_broken"]) == (1, 1)
    assert row["promised_amount"] == installment_total(book, 1) + Decimal("1000.00")
    assert row["kept_rate"] == Decimal("0.5000")
    # A's payments from its action on (installments 2 to 4); B paid nothing after its call.
    assert row["collected_after_action"] == sum(installment_total(book, n) for n in (1, 2, 3))


def test_a_backdated_payment_moves_the_current_view_only(book: Book) -> None:
    """Run last: it adds to the book."""
    recorded = report_rows(book, "PAR_TREND")[1]
    assert report_rows(book, "PAR_TREND", "CURRENT")[1] == recorded
    pay(book.api, book.loans["B"], "20000.00", "2030-04-20", "B-LATE")  # backdated, overpaid
    assert report_rows(book, "PAR_TREND")[1] == recorded
    header, current = report_rows(book, "PAR_TREND", "CURRENT")
    assert header["basis"] == "CURRENT"
    expected = expected_par(book, {"B", "C"})[:3] + [
        (end, a_principal(book, n) + PRINCIPAL, p30, ZERO, ZERO)
        for n, (end, p30) in enumerate(
            [(MONTH_ENDS[3], PRINCIPAL), (MONTH_ENDS[4], PRINCIPAL)], start=3
        )
    ]
    got = [(r["month_end"], r["outstanding_principal"], r["par30_principal"],
            r["par90_principal"], r["npl_principal"]) for r in current]  # fmt: skip
    assert got == expected
