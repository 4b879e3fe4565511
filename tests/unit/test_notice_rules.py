"""Which reminder is due on a business day, when an SMS may go out, and its wording."""

from datetime import date, datetime
from uuid import uuid4

import pytest

from application.notice_templates import BUILT_IN, check_policy, check_template_text, render
from domain.errors import InvalidValue
from domain.notifications import (
    PAID,
    STALE,
    Channel,
    DueInstallment,
    NotificationPolicy,
    Stage,
    StageRule,
    Template,
    earliest_send,
    event_notice,
    installment_notices,
    suppression,
)
from domain.product_terms import ProductTerms

LOAN = uuid4()
DUE = date(2026, 3, 10)


def notices_on(day: date, paid: bool = False) -> list[tuple[Stage, str | None]]:
    item = DueInstallment(LOAN, 2, DUE, paid)
    return [(n.stage, n.suppressed) for n in installment_notices(day, [item], NotificationPolicy())]


def test_each_installment_stage_falls_on_its_day_and_no_other():
    assert notices_on(date(2026, 3, 7)) == [(Stage.BEFORE_DUE, None)]
    assert notices_on(DUE) == [(Stage.DUE, None)]
    assert notices_on(date(2026, 3, 11)) == [(Stage.OVERDUE_1, None)]
    assert notices_on(date(2026, 3, 17)) == [(Stage.OVERDUE_7, None)]
    assert notices_on(date(2026, 4, 9)) == [(Stage.OVERDUE_30, None)]
    assert notices_on(date(2026, 3, 12)) == []


def test_a_paid_installment_gets_its_notice_suppressed_with_the_reason():
    assert notices_on(date(2026, 3, 11), paid=True) == [(Stage.OVERDUE_1, PAID)]


def test_one_notice_per_installment_and_stage():
    item = DueInstallment(LOAN, 2, DUE, False)
    first = installment_notices(DUE, [item], NotificationPolicy())
    again = installment_notices(DUE, [item], NotificationPolicy())
    assert first[0].dedupe_key == again[0].dedupe_key == f"{LOAN}:due:2"


def test_a_stage_left_out_of_the_policy_sends_nothing():
    policy = NotificationPolicy(stages=(StageRule(stage=Stage.DUE, channel="sms", template="due"),))
    due = [DueInstallment(LOAN, 1, DUE, False)]
    assert installment_notices(date(2026, 3, 7), due, policy) == []


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 3, 10, 20, 59), datetime(2026, 3, 10, 20, 59)),
        (datetime(2026, 3, 10, 21, 0), datetime(2026, 3, 11, 8, 0)),
        (datetime(2026, 3, 10, 3, 30), datetime(2026, 3, 10, 8, 0)),
        (datetime(2026, 3, 10, 8, 0), datetime(2026, 3, 10, 8, 0)),
    ],
)
def test_no_sms_in_quiet_hours(at, expected):
    assert earliest_send(Channel.SMS, at) == expected
    assert earliest_send(Channel.EMAIL, at) == at


def test_legally_required_notices_ignore_a_marketing_opt_out():
    assert suppression(False, Stage.DUE, opted_out=True, marketing=False) is None
    assert suppression(False, Stage.DUE, opted_out=True, marketing=True) is not None
    assert suppression(True, Stage.OVERDUE_1, opted_out=False, marketing=False) == PAID


def test_stored_products_load_with_the_default_policy():
    terms = ProductTerms.model_validate(
        {"name": "Micro", "currency": "CNY", "min_principal": "1000", "max_principal": "5000",
         "min_term": 1, "max_term": 12, "frequencies": ["monthly"],
         "methods": ["equal_installments"], "min_rate_percent": "5", "max_rate_percent": "20",
         "penalty_rate_percent": "0"}
    )  # fmt: skip
    assert terms.notifications == NotificationPolicy()
    check_policy(terms.notifications)  # every default stage has a built-in template


def test_a_template_with_an_unknown_variable_is_refused_naming_it():
    with pytest.raises(InvalidValue) as refused:
        check_template_text("Hi {{ name }}, your id {{ id_number }}", "body")
    assert "id_number" in str(refused.value)
    own = Template(id="due", language="zh", body="{{ nickname }}")
    with pytest.raises(InvalidValue):
        check_policy(NotificationPolicy(templates=(own,)))


def test_email_renders_escaped_sms_plain_in_both_languages():
    values = {"name": "<b>Li</b>", "amount_due": "1,234.56", "due_date": "2026-03-10",
              "payoff": "9000.00", "account": "1234"}  # fmt: skip
    email = render(BUILT_IN[("overdue_7", "en")], values, email=True)
    assert "&lt;b&gt;Li&lt;/b&gt;" in email.body
    assert email.subject == "7 days overdue"
    sms = render(BUILT_IN[("due", "zh")], values, email=False)
    assert sms.body.startswith("<b>Li</b>您好")
    assert "1,234.56元" in sms.body


def test_an_event_more_than_three_days_old_is_news_no_more():
    policy = NotificationPolicy()
    fresh = event_notice(LOAN, Stage.PAYMENT_RECEIVED, "7", policy, DUE, date(2026, 3, 13))
    old = event_notice(LOAN, Stage.PAYMENT_RECEIVED, "7", policy, DUE, date(2026, 3, 14))
    assert fresh is not None
    assert fresh.suppressed is None
    assert old is not None
    assert old.suppressed == STALE
