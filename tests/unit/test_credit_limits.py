"""Limits: each method's figure, the least of them, the product cap and grade scaling."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from domain.credit import CreditPolicy, Grade
from domain.credit import limits as limit
from domain.credit.affordability import (
    allowance,
    largest_affordable,
    monthly_installment,
    requested_installment,
)
from domain.schedule import Frequency, Method, ScheduleTerms, generate_schedule
from tests.support.loans import application

D = Decimal
ON = date(2030, 1, 1)
CENT = D("0.01")


def annuity(principal: Decimal, months: int = 12) -> Decimal:
    """The level installment at 1% a month, worked out here rather than by the domain."""
    rate = D("0.01")
    level = principal * rate / (1 - (1 + rate) ** -months)
    return level.quantize(CENT, ROUND_HALF_EVEN)


def test_the_monthly_installment_of_an_annuity_is_its_level_payment() -> None:
    assert requested_installment(application(), D("12000.00"), ON) == annuity(D(12000))
    assert annuity(D(12000)) == D("1066.19")


def test_a_bullet_loan_spreads_what_it_pays_over_its_months() -> None:
    terms = ScheduleTerms(
        principal=D("12000.00"), annual_rate_percent=D(12), term=12,
        frequency=Frequency.MONTHLY, method=Method.BULLET, start_date=ON,
    )  # fmt: skip
    schedule = generate_schedule(terms)
    expected = (schedule.total_payable / 12).quantize(CENT)
    assert len(schedule.installments) == 1
    assert monthly_installment(schedule, 12, "monthly", "bullet", 2) == expected == D("1120.00")
    # Weekly periods come 52 a year: 52/12 of a period's share each month.
    assert monthly_installment(schedule, 12, "weekly", "bullet", 2) == (
        schedule.total_payable / 12 * 52 / 12
    ).quantize(CENT)


def test_the_income_limit_is_the_largest_principal_the_cap_allows() -> None:
    # 8,500 a month at a 50% cap, 500 already committed: 3,750 left for the installment.
    room = allowance(D("8500.00"), D("500.00"), D(50))
    assert room == D("3750.00")
    found = largest_affordable(
        lambda p: requested_installment(application(), p, ON), room, 12, "monthly"
    )
    # The annuity factor at 1% over 12 months is 0.0888487887, so about 42,206.
    assert annuity(found) <= room < annuity(found + 1)
    assert found == D(42206)


def test_the_income_limit_is_not_capped_by_the_product_and_is_zero_without_room() -> None:
    installment = lambda p: requested_installment(application(), p, ON)  # noqa: E731
    # 10,000 a month carries about 112,550 over 12 months, above MICRO-12's 50,000.
    found = largest_affordable(installment, D("10000.00"), 12, "monthly")
    assert annuity(found) <= D("10000.00") < annuity(found + 1)
    assert largest_affordable(installment, D("-10.00"), 12, "monthly") == D(0)
    assert largest_affordable(installment, D("0.00"), 12, "monthly") == D(0)


def test_the_last_installment_s_rounding_does_not_count() -> None:
    # 47,834 pays 4,249.99 eleven times and 4,250.03 last: it fits in 4,250.00.
    assert requested_installment(application(), D("47834.00"), ON) == D("4249.99")


def test_turnover_is_the_working_capital_sales_need_less_what_is_owed() -> None:
    # 900,000 x (1 - 22.5%) / 4 turns = 174,375; 20,000.50 still owed on an active loan.
    figure = limit.turnover_figure(D("900000.00"), D("22.5"), D(4), D("20000.50"))
    assert (figure.method, figure.amount) == ("turnover", D(154374))
    assert figure.basis["turnover_cycles_per_year"] == "4"


def test_collateral_lends_its_loan_to_value() -> None:
    figure = limit.collateral_figure(D("60000.00"), D(70))
    assert (figure.method, figure.amount) == ("collateral", D(42000))


def test_the_least_method_binds_and_the_grade_scales_it() -> None:
    figures = (
        limit.income_figure(D(42206), D("3750.00"), D("500.00")),
        limit.collateral_figure(D("50000.00"), D(70)),  # 35,000
    )
    policy = CreditPolicy()
    found = limit.limit(figures, D("50000.00"), "B", policy.scale_for("B"))
    assert (found.binding, found.before_scaling, found.scale) == ("collateral", D(35000), D("0.9"))
    assert found.amount == D(31500)
    assert limit.limit(figures, D("50000.00"), "C", D("0.75")).amount == D(26250)
    assert limit.limit(figures, D("50000.00"), "E", policy.scale_for("E")).amount == D(0)


def test_the_product_maximum_caps_the_limit() -> None:
    figures = (limit.income_figure(D(80000), D("9000.00"), D(0)),)
    found = limit.limit(figures, D("50000.00"), "A", D("1.0"))
    assert (found.binding, found.amount) == ("product_max", D(50000))
    # Scaling rounds down to whole units: 50,000 x 0.333 = 16,650.
    assert limit.limit(figures, D("50000.00"), "D", D("0.333")).amount == D(16650)


def test_a_grade_the_policy_does_not_know_is_treated_as_the_worst() -> None:
    policy = CreditPolicy()
    assert policy.scale_for("Z") == policy.scale_for(Grade.E) == D(0)
    assert policy.spread_for("Z") == policy.spread_for(Grade.E)
