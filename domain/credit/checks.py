"""Intake checks: each one a recorded result with the inputs and threshold it used.

Hard checks (identity, age, blacklist, written-off loans) fail an application and it
is rejected. Soft checks (the fraud signals) raise a flag for review. Each function
is pure: the application gathers the facts, these decide.

Income consistency, the rule:
  individual: principal above `max_principal_to_annual_income` x 12 x monthly income
  business:   monthly income above annual sales / 12 x margin (the profit sales can
              yield; without a declared margin, above annual sales / 12)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.borrower import Borrower, BorrowerKind
from domain.credit.affordability import ratio
from domain.credit.policy import CreditPolicy
from domain.model import Immutable


class Result(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    FLAG = "flag"


class Check(Immutable):
    name: str
    result: Result
    hard: bool  # a failed hard check rejects the application
    inputs: dict[str, str]
    threshold: str
    detail: str


class Activity(Immutable):
    """Applications and phone sharing as the read models show them (see `read_position`)."""

    since: date  # the first business date counted
    by_id_number: int  # the borrower's, this application included
    by_phone: int  # the borrower's and other borrowers' with the same phone
    other_borrowers_with_phone: int
    read_position: int  # the event store position the read models had reached


class Affordability(Immutable):
    requested_installment: Decimal  # monthly
    existing_installments: Decimal  # monthly, of the borrower's active loans
    monthly_income: Decimal
    max_percent: Decimal

    @property
    def debt_to_income(self) -> Decimal | None:
        return ratio(self.requested_installment + self.existing_installments, self.monthly_income)

    @property
    def within_cap(self) -> bool:
        total = self.requested_installment + self.existing_installments
        return total * 100 <= self.monthly_income * self.max_percent


def _check(
    name: str,
    *,
    hard: bool,
    ok: bool,
    inputs: dict[str, object],
    threshold: str,
    passed: str,
    failed: str = "",
) -> Check:
    return Check(
        name=name,
        result=Result.PASS if ok else (Result.FAIL if hard else Result.FLAG),
        hard=hard,
        inputs={k: _text(v) for k, v in inputs.items()},
        threshold=threshold,
        detail=passed if ok else failed,
    )


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def identity(borrower: Borrower) -> Check:
    profile = borrower.profile
    needed = {
        "name": profile.name,
        "id_number": borrower.id_number,
        "phone": profile.phone,
        "address": profile.address,
    }
    if borrower.kind is BorrowerKind.BUSINESS:
        needed["annual_sales"] = "" if not profile.annual_sales else str(profile.annual_sales)
    missing = [name for name, value in needed.items() if not value.strip()]
    return _check(
        "identity",
        hard=True,
        ok=not missing,
        inputs={"kind": borrower.kind.value, "missing": ", ".join(missing)},
        threshold=f"present: {', '.join(needed)}",
        passed="every identity field is present",
        failed=f"missing {', '.join(missing)}",
    )


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def age(borrower: Borrower, on: date, least: int, most: int) -> Check:
    threshold = f"{least} to {most} years"
    born = borrower.birth_date
    if born is None:
        # Only a business can lack one (a resident id holds the birth date).
        return _check(
            "age",
            hard=True,
            ok=True,
            inputs={"kind": borrower.kind.value},
            threshold=threshold,
            passed="no birth date: the age bounds apply to individuals",
        )
    years = age_on(born, on)
    failed = (
        f"aged {years}, under the product's minimum {least}"
        if years < least
        else f"aged {years}, over the product's maximum {most}"
    )
    return _check(
        "age",
        hard=True,
        ok=least <= years <= most,
        inputs={"birth_date": born.isoformat(), "as_of": on.isoformat(), "age": years},
        threshold=threshold,
        passed=f"aged {years}",
        failed=failed,
    )


def blacklist(borrower: Borrower) -> Check:
    listed = borrower.blacklisting
    inputs: dict[str, object] = {"blacklisted": listed is not None}
    if listed is not None:
        inputs |= {"reason": listed.reason, "since": listed.since.isoformat(), "by": listed.by}
    return _check(
        "blacklist",
        hard=True,
        ok=listed is None,
        inputs=inputs,
        threshold="not blacklisted",
        passed="not blacklisted",
        failed=f"blacklisted since {listed.since}: {listed.reason}" if listed else "",
    )


def written_off(loans: tuple[str, ...]) -> Check:
    return _check(
        "written_off",
        hard=True,
        ok=not loans,
        inputs={"written_off_loans": ", ".join(loans)},
        threshold="no loan written off",
        passed="no loan written off",
        failed=f"{len(loans)} earlier loan(s) written off",
    )


def application_velocity(activity: Activity, policy: CreditPolicy) -> Check:
    most = max(activity.by_id_number, activity.by_phone)
    at = policy.applications_flag_at
    days = policy.application_window_days
    return _check(
        "application_velocity",
        hard=False,
        ok=most < at,
        inputs={
            "by_id_number": activity.by_id_number,
            "by_phone": activity.by_phone,
            "since": activity.since.isoformat(),
            "read_position": activity.read_position,
        },
        threshold=f"fewer than {at} applications per id number or phone in {days} days",
        passed=f"{most} application(s) in {days} days",
        failed=f"{most} applications in {days} days for one id number or phone",
    )


def shared_phone(activity: Activity, policy: CreditPolicy) -> Check:
    others = activity.other_borrowers_with_phone
    at = policy.other_borrowers_per_phone_flag_at
    return _check(
        "shared_phone",
        hard=False,
        ok=others < at,
        inputs={"other_borrowers": others, "read_position": activity.read_position},
        threshold=f"fewer than {at} other borrower(s) with the same phone",
        passed="the phone is the borrower's own",
        failed=f"the phone is shared with {others} other borrower(s)",
    )


def debt_to_income(affordability: Affordability) -> Check:
    a = affordability
    dti = a.debt_to_income
    shown = "no declared income" if dti is None else f"{dti * 100:.2f}%"
    return _check(
        "debt_to_income",
        hard=False,
        ok=a.monthly_income > 0 and a.within_cap,
        inputs={
            "requested_installment": a.requested_installment,
            "existing_installments": a.existing_installments,
            "monthly_income": a.monthly_income,
            "debt_to_income": dti,
        },
        threshold=f"at most {a.max_percent}% of monthly income",
        passed=f"debt-to-income {shown}",
        failed=f"debt-to-income {shown} above {a.max_percent}%",
    )


def income_consistency(borrower: Borrower, principal: Decimal, policy: CreditPolicy) -> Check:
    profile = borrower.profile
    income = profile.monthly_income
    if borrower.kind is BorrowerKind.INDIVIDUAL:
        years = policy.max_principal_to_annual_income
        most = income * 12 * years
        return _check(
            "income_consistency",
            hard=False,
            ok=principal <= most,
            inputs={"principal": principal, "annual_income": income * 12},
            threshold=f"principal at most {years} x annual income",
            passed="principal in line with income",
            failed=f"principal {principal} above {years} x annual income",
        )
    sales, margin = profile.annual_sales, profile.margin_percent
    if not sales:
        return _check(
            "income_consistency",
            hard=False,
            ok=True,
            inputs={"annual_sales": ""},
            threshold="monthly income at most annual sales / 12 x margin",
            passed="no annual sales to compare (the identity check asks for them)",
        )
    ceiling = sales / 12 if margin is None else sales / 12 * margin / 100
    ceiling = ceiling.quantize(Decimal("0.01"))
    return _check(
        "income_consistency",
        hard=False,
        ok=income <= ceiling,
        inputs={
            "monthly_income": income,
            "annual_sales": sales,
            "margin_percent": margin,
            "ceiling": ceiling,
        },
        threshold="monthly income at most annual sales / 12 x margin (sales / 12 without a margin)",
        passed="income in line with sales",
        failed=f"monthly income {income} above {ceiling} the sales support",
    )
