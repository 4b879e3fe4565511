"""The credit limit: the least of the methods that apply, capped, scaled by grade.

  income:     the largest whole-unit principal whose monthly installment keeps
              debt-to-income within the cap, on the requested term, method and rate
  turnover:   businesses with annual sales and a margin: the working capital the
              sales need, annual_sales x (1 - margin) / turnover cycles per year,
              less the principal still owed on the borrower's active loans
  collateral: when a collateral value is given: value x loan-to-value

The least of them, capped by the product's maximum principal, times the grade's
scale (A 1.0 ... E 0 by default), rounded down to whole currency units.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from domain.model import Immutable

ZERO = Decimal(0)


class LimitFigure(Immutable):
    method: str  # income | turnover | collateral
    amount: Decimal
    basis: dict[str, str]  # the inputs and the formula that gave `amount`


class Limit(Immutable):
    figures: tuple[LimitFigure, ...]
    product_max: Decimal
    before_scaling: Decimal
    binding: str  # the method (or "product_max") that set `before_scaling`
    grade: str
    scale: Decimal
    amount: Decimal


def whole_units(amount: Decimal) -> Decimal:
    return max(ZERO, amount.quantize(Decimal(1), rounding=ROUND_DOWN))


def income_figure(amount: Decimal, room: Decimal, existing: Decimal) -> LimitFigure:
    return LimitFigure(
        method="income",
        amount=amount,
        basis={
            "room_for_installment": str(room),
            "existing_installments": str(existing),
            "formula": "largest principal with installment + existing <= income x cap",
        },
    )


def turnover_figure(
    annual_sales: Decimal, margin_percent: Decimal, cycles: Decimal, outstanding: Decimal
) -> LimitFigure:
    need = annual_sales * (1 - margin_percent / 100) / cycles
    return LimitFigure(
        method="turnover",
        amount=whole_units(need - outstanding),
        basis={
            "annual_sales": str(annual_sales),
            "margin_percent": str(margin_percent),
            "turnover_cycles_per_year": str(cycles),
            "outstanding_principal": str(outstanding),
            "formula": "annual_sales x (1 - margin) / cycles - outstanding principal",
        },
    )


def collateral_figure(value: Decimal, loan_to_value_percent: Decimal) -> LimitFigure:
    return LimitFigure(
        method="collateral",
        amount=whole_units(value * loan_to_value_percent / 100),
        basis={
            "collateral_value": str(value),
            "loan_to_value_percent": str(loan_to_value_percent),
            "formula": "collateral_value x loan_to_value",
        },
    )


def limit(
    figures: tuple[LimitFigure, ...], product_max: Decimal, grade: str, scale: Decimal
) -> Limit:
    binding, least = "product_max", product_max
    for figure in figures:
        if figure.amount < least:
            binding, least = figure.method, figure.amount
    return Limit(
        figures=figures,
        product_max=product_max,
        before_scaling=least,
        binding=binding,
        grade=grade,
        scale=scale,
        amount=whole_units(least * scale),
    )
