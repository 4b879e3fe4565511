"""Disbursed loans made through the application layer: fast set-up for the benchmarks."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import LendingApplication
from application.borrowers import RegisterBorrower, register_borrower
from application.loans import Disburse, Sign, SubmitApplication, disburse, sign
from application.loans import submit_application as submit
from application.products import DefineProduct, define_product
from application.repayments import ReceiveRepayment, receive_repayment
from domain.borrower import BorrowerKind, Profile
from domain.charges import Charge, ChargeBasis, ChargeKind, Collection
from domain.identity import resident_id_check_character
from domain.loan import Disbursement, Loan
from domain.product import ProductTerms
from domain.schedule import Frequency, Method
from tests.support.signing import signed_through

OFFICER = "officer.zhang"
PRODUCT = "BENCH-360"
DISBURSED_ON = date(2026, 1, 31)
# Beijing Dongcheng: an area code the demo portfolio does not use, so no id number clashes.
AREA = "110101"


# A 1.5% service fee deducted at disbursement and a monthly management fee: the charges
# a microlender's loans usually carry.
CHARGES = (
    Charge(
        code="SERVICE", name="Service fee", kind=ChargeKind.DISBURSEMENT, percent=Decimal("1.5"),
        basis=ChargeBasis.PRINCIPAL, collection=Collection.DEDUCT,
    ),
    Charge(code="MANAGEMENT", name="Management fee", kind=ChargeKind.INSTALLMENT,
           amount=Decimal("20.00")),
)  # fmt: skip


def define_bench_product(
    app: LendingApplication, code: str = PRODUCT, charges: tuple[Charge, ...] = ()
) -> None:
    terms = ProductTerms(
        name="Benchmark loan", currency="CNY",
        min_principal=Decimal("1000"), max_principal=Decimal("1000000"),
        min_term=1, max_term=360, frequencies=(Frequency.MONTHLY,),
        methods=(Method.EQUAL_INSTALLMENTS, Method.EQUAL_PRINCIPAL),
        min_rate_percent=Decimal("1"), max_rate_percent=Decimal("24"),
        penalty_rate_percent=Decimal("0.05"), charges=charges,
    )  # fmt: skip
    define_product(app, DefineProduct("admin.wu", code, terms))


def register(app: LendingApplication, n: int) -> UUID:
    # Born from 1970, one a day: of working age (intake's 18 to 65) for thousands of n.
    birth = date(1970, 1, 1) + timedelta(days=n)
    body = f"{AREA}{birth:%Y%m%d}{n % 1000:03d}"
    profile = Profile(
        name=f"Borrower {n}", phone=f"138{n:08d}", address=f"{n} Bench Road, Beijing",
        region="Beijing", monthly_income=Decimal("9000.00"),
    )  # fmt: skip
    command = RegisterBorrower(
        OFFICER, BorrowerKind.INDIVIDUAL, body + resident_id_check_character(body), profile
    )
    return register_borrower(app, command).id


def disbursed_loan(
    app: LendingApplication,
    n: int,
    principal: str = "12000.00",
    term: int = 12,
    product: str = PRODUCT,
) -> UUID:
    """Borrower `n` (a distinct person per n) takes a monthly annuity loan, disbursed."""
    command = SubmitApplication(
        actor=OFFICER, borrower_id=register(app, n), product_code=product,
        principal=Decimal(principal), term=term, frequency=Frequency.MONTHLY,
        method=Method.EQUAL_INSTALLMENTS, purpose="benchmark", annual_rate_percent=Decimal("12"),
    )  # fmt: skip
    loan_id = submit(app, command).id
    signed_through(app, loan_id)
    sign(app, Sign(OFFICER, loan_id, DISBURSED_ON))
    money_out = Disbursement(
        value_date=DISBURSED_ON, account="6222021234567890123", channel="bank", reference=f"D-{n}"
    )
    disburse(app, Disburse(OFFICER, loan_id, money_out))
    return loan_id


def disbursed_loans(
    app: LendingApplication, count: int, first: int = 0, charged: bool = False
) -> list[UUID]:
    """`count` loans of the benchmark product (`charged`: of its twin with CHARGES)."""
    code = f"{PRODUCT}-FEES" if charged else PRODUCT
    define_bench_product(app, code, CHARGES if charged else ())
    return [disbursed_loan(app, n, product=code) for n in range(first, first + count)]


def pay(app: LendingApplication, loan_id: UUID, amount: str, on: date, reference: str) -> int:
    """Receive a bank payment; returns the store position of its last event."""
    command = ReceiveRepayment(
        actor=OFFICER, loan_id=loan_id, amount=Decimal(amount), value_date=on,
        channel="bank", external_reference=reference,
    )  # fmt: skip
    return receive_repayment(app, command).position


def books(loan: Loan) -> dict[str, Any]:
    """The loan's figures, without the ids its payments' references gave them: equal for
    two loans that took the same payments however they were received."""
    payments = sorted(loan.payments.values(), key=lambda p: p.sequence)
    results = [asdict(result) | {"payment_id": None} for result in loan.results.values()]
    return {
        "status": loan.status, "balances": loan.balances, "delinquency": loan.delinquency,
        "installments": sorted(loan.installments.items()), "charges": sorted(loan.charges),
        "payments": [(p.amount, p.value_date, p.sequence) for p in payments],
        "results": sorted(results, key=repr),
    }  # fmt: skip
