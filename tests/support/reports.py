"""A small book with known month-end outcomes, for the management reports' tests.

Told from business date 2030-01-01 on the fee-free PLAIN-12 product (12,000 over 12
months at 12%): A (Jan 15) pays each installment on its due date; B (Jan 15) never
pays; C (Feb 20) never pays; D (Jan 15) pays off on Feb 10. The month ends Jan to May
have closed by 1 June.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from domain.loan import Loan
from infrastructure.settings import Settings
from infrastructure.tokens import Role
from tests.support.api import ANALYST, OFFICER, bearer, graphql, head, runtime_of
from tests.support.catalog import ADMIN, APPROVER, applied_loan, cob, micro_12, ok, paid_out, pay
from tests.support.people import resident_id, wang_fang

PRINCIPAL = Decimal("12000.00")
MONTH_ENDS = (date(2030, 1, 31), date(2030, 2, 28), date(2030, 3, 31), date(2030, 4, 30),
              date(2030, 5, 31))  # fmt: skip
# DPD floors of the buckets, worst first (domain.arrears).
FLOORS = ((181, "dpd_over_180"), (91, "dpd_91_180"), (61, "dpd_61_90"), (31, "dpd_31_60"),
          (1, "dpd_1_30"), (0, "current"))  # fmt: skip


def bucket(dpd: int) -> str:
    return next(name for floor, name in FLOORS if dpd >= floor)


@dataclass
class Book:
    api: TestClient
    settings: Settings
    loans: dict[str, str] = field(default_factory=dict)  # A..D -> id
    principals: list[Decimal] = field(default_factory=list)  # A's installments' principal
    first_due: dict[str, date] = field(default_factory=dict)
    payoff: Decimal = Decimal(0)  # what D paid off with

    def at(self) -> int:
        return head(self.api)


REGIONS = {"A": "Hubei", "B": "Hubei", "C": "Hunan", "D": "Hunan"}


def _loan(api: TestClient, on: str, ref: str) -> tuple[str, Loan]:
    n = "ABCD".index(ref[-1])
    region = REGIONS[ref[-1]]
    person = wang_fang(
        name=f"Borrower {ref[-1]}",
        id_number=resident_id(f"4201061985031201{n}"),
        region=region,
        phone=f"1390013901{n}",
        address=f"{n} Hill Road, {region}",
    )
    loan = applied_loan(api, person, product_code="PLAIN-12")
    paid_out(api, loan, on, reference=ref)
    found: Loan = runtime_of(api).app.load(Loan, UUID(loan["id"]), "loan")
    return str(loan["id"]), found


def told(api: TestClient, settings: Settings) -> Book:
    plain = micro_12(code="PLAIN-12", late_fee="0", penalty_rate_percent="0")
    ok(api.post("/products", json=plain, headers=ADMIN), 201)
    book = Book(api, settings)
    cob(api, date(2030, 1, 15))
    for name in "ABD":
        book.loans[name], loan = _loan(api, "2030-01-15", f"D-{name}")
        book.first_due[name] = loan.schedule.installments[0].due_date
    installments = (
        runtime_of(api).app.load(Loan, UUID(book.loans["A"]), "loan").schedule.installments
    )
    book.principals = [i.principal for i in installments]
    cob(api, date(2030, 2, 10))
    payoff = graphql(api, f'{{ loan(id: "{book.loans["D"]}") {{ payoffAmount }} }}', ANALYST,
                     min_position=book.at())  # fmt: skip
    book.payoff = Decimal(payoff["data"]["loan"]["payoffAmount"])
    pay(api, book.loans["D"], str(book.payoff), "2030-02-10", "D-OFF")
    for n, item in enumerate(installments[:4]):
        cob(api, item.due_date)
        if n == 1:  # a promise A keeps at once
            act(api, book.loans["A"], item.total, item.due_date + timedelta(days=5))
        pay(api, book.loans["A"], str(item.total), item.due_date.isoformat(), f"A-{n}")
        if n == 0:
            cob(api, date(2030, 2, 20))
            book.loans["C"], loan = _loan(api, "2030-02-20", "D-C")
            act(api, book.loans["B"], Decimal("1000.00"), date(2030, 3, 1))  # broken
            book.first_due["C"] = loan.schedule.installments[0].due_date
    cob(api, date(2030, 6, 1))
    return book


COLLECTOR = bearer("collector.he", Role.COLLECTOR)


def act(api: TestClient, loan_id: str, amount: Decimal, by: date) -> None:
    """A call by COLLECTOR with a promise to pay `amount` by `by`."""
    body = {"kind": "call", "outcome": "promised to pay", "promised_amount": str(amount),
            "promised_date": by.isoformat()}  # fmt: skip
    ok(api.post(f"/loans/{loan_id}/collection-actions", json=body, headers=COLLECTOR), 201)


def a_principal(book: Book, paid: int) -> Decimal:
    """A's outstanding principal after `paid` installments."""
    return PRINCIPAL - sum(book.principals[:paid], Decimal(0))


REPORT = """query($name: ReportName!, $from: Date!, $to: Date!, $groupBy: [ReportDimension!],
    $basis: ReportBasis!) {
  report(name: $name, from: $from, to: $to, groupBy: $groupBy, basis: $basis) {
    name basis from to businessDate columns { name kind } rows } }"""


def report_rows(
    book: Book,
    name: str,
    basis: str = "RECORDED",
    group_by: list[str] | None = None,
    period: tuple[str, str] = ("2030-01-01", "2030-05-31"),
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The report over Jan-May 2030 through GraphQL: its header, and its rows with money
    and ratios as Decimal, dates as date."""
    variables = {"name": name, "from": period[0], "to": period[1], "groupBy": group_by,
                 "basis": basis}  # fmt: skip
    body = graphql(book.api, REPORT, ANALYST, variables, min_position=book.at())
    assert "errors" not in body, body
    found = body["data"]["report"]
    kinds = {c["name"]: c["kind"] for c in found["columns"]}
    rows = [dict(zip(kinds, row, strict=True)) for row in found["rows"]]
    return found, [{k: _typed(kinds[k], v) for k, v in row.items()} for row in rows]


def _typed(kind: str, value: str | None) -> Any:
    if value is None:
        return None
    if kind in ("money", "ratio"):
        return Decimal(value)
    if kind == "int":
        return int(value)
    return date.fromisoformat(value) if kind == "date" else value


def each(rows: list[dict[str, Any]], *keys: str) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield tuple(row[k] for k in keys)


def due_and_paid(book: Book, month_end: date) -> tuple[Decimal, Decimal]:
    """What the book's installments due in the month of `month_end` asked for, and what
    was paid of them, as the loans (the aggregates) record it."""
    due = paid = Decimal(0)
    for loan_id in book.loans.values():
        loan = runtime_of(book.api).app.load(Loan, UUID(loan_id), "loan")
        for item in loan.installments.values():
            if (item.due_date.year, item.due_date.month) == (month_end.year, month_end.month):
                due += item.due.total
                paid += item.paid.total
    return due, paid


def installment_total(book: Book, n: int) -> Decimal:
    """What A paid for its installment `n` (from 0): the installment's total."""
    loan = runtime_of(book.api).app.load(Loan, UUID(book.loans["A"]), "loan")
    total: Decimal = loan.schedule.installments[n].total
    return total


APPROVAL = """query($id: ID!) { loan(id: $id) { approval { route status
    steps { overrideReason } } } }"""


def applications(book: Book) -> list[dict[str, Any]]:
    """Two more applications, one rejected and one withdrawn; then every application's
    approval as GraphQL shows it."""
    for n, outcome in ((4, "reject"), (5, "withdraw")):
        person = wang_fang(
            name=f"Applicant {n}",
            id_number=resident_id(f"4201061985031201{n}"),
            region="Hubei",
            phone=f"1390013901{n}",
            address=f"{n} Hill Road",
        )
        loan = applied_loan(book.api, person, product_code="PLAIN-12")
        book.loans[f"{outcome}ed"] = str(loan["id"])
        headers = APPROVER if outcome == "reject" else OFFICER
        body = {"reason": "the applicant changed their mind"}
        ok(book.api.post(f"/loans/{loan['id']}/{outcome}", json=body, headers=headers))
    found = []
    for loan_id in book.loans.values():
        body = graphql(book.api, APPROVAL, ANALYST, {"id": loan_id}, min_position=book.at())
        found.append(body["data"]["loan"]["approval"])
    return found
