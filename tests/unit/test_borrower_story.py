"""A borrower's record, told as stories: registered, updated, blacklisted and lifted, and
each application kept with the borrower; or refused, with nothing recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.borrower import Borrower, BorrowerKind, Profile
from domain.errors import InvalidTransition, InvalidValue
from tests.support.people import TEA_SHOP_CODE, WANG_FANG_ID
from tests.support.story import followed_by, given, history

D = Decimal
ON = date(2026, 3, 2)
LOAN = UUID("00000000-0000-4000-8000-00000000a001")
WANG_FANG = Profile(
    name="Wang Fang", phone="+8613800138000", address="12 Tea Garden Road", region="Hubei",
    monthly_income=D("8500"),
)  # fmt: skip


def register(**changes: Any) -> Any:
    person = {"kind": BorrowerKind.INDIVIDUAL, "id_number": WANG_FANG_ID, "profile": WANG_FANG}
    return lambda _: Borrower.register(actor="officer.zhang", **(person | changes))


def registered() -> list[Any]:
    return history(register()(None))


def blacklist(reason: str = "forged payslips") -> Any:
    return lambda borrower: borrower.blacklist(actor="risk.he", reason=reason, on=ON)


def lift(reason: str = "payslips verified") -> Any:
    return lambda borrower: borrower.lift_blacklist(actor="risk.he", reason=reason, on=ON)


def applied(on: date) -> Any:
    return lambda borrower: borrower.record_application(actor="intake", loan_id=LOAN, on=on)


def update(**changes: Any) -> Any:
    return lambda borrower: borrower.update(actor="officer.zhang", changes=changes)


# Registered


def test_a_person_is_registered_with_the_birth_date_their_id_carries() -> None:
    event = given().when(register()).then(Borrower.Registered).events[0]
    assert (event.kind, event.id_number, event.officer) == (
        BorrowerKind.INDIVIDUAL,
        WANG_FANG_ID,
        "officer.zhang",
    )
    assert event.birth_date == date(1985, 3, 12)
    assert str(event.profile.monthly_income) == "8500.00"


def test_a_business_is_registered_under_its_credit_code_without_a_birth_date() -> None:
    shop = WANG_FANG.model_copy(update={"annual_sales": D("900000")})
    business = register(kind=BorrowerKind.BUSINESS, id_number=TEA_SHOP_CODE, profile=shop)
    event = given().when(business).then(Borrower.Registered).events[0]
    assert (event.id_number, event.birth_date) == (TEA_SHOP_CODE, None)
    assert str(event.profile.annual_sales) == "900000.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": "420106198503120047"}, "id_number"),  # the check character is 6
        ({"birth_date": date(1985, 3, 13)}, "birth_date"),
        ({"profile": WANG_FANG.model_copy(update={"name": " "})}, "name"),
        ({"profile": WANG_FANG.model_copy(update={"monthly_income": D("-1")})}, "monthly_income"),
        ({"profile": WANG_FANG.model_copy(update={"assets": D("0.001")})}, "assets"),
    ],
)
def test_a_registration_breaking_a_rule_is_refused(changes: dict[str, Any], field: str) -> None:
    refused = given().when(register(**changes)).raises(InvalidValue)
    assert refused.error.field == field


# Updated


def test_an_update_records_the_new_profile_and_what_changed() -> None:
    updated = given(*registered()).when(update(phone="+8613900139000", monthly_income=D(9000)))
    event = updated.then(Borrower.Updated).events[0]
    assert event.changed == ["monthly_income", "phone"]
    assert (event.profile.phone, str(event.profile.monthly_income)) == ("+8613900139000", "9000.00")


def test_an_update_that_changes_nothing_records_nothing() -> None:
    given(*registered()).when(update(region="Hubei", monthly_income=D("8500.00"))).then()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"id_number": "x"}, "id_number"), ({"phone": None}, "phone"), ({"region": ""}, "region")],
)
def test_an_update_of_what_may_not_change_is_refused(changes: dict[str, Any], field: str) -> None:
    refused = given(*registered()).when(update(**changes)).raises(InvalidValue)
    assert (refused.error.field, refused.events) == (field, [])


# Blacklisted, BlacklistLifted


def test_a_blacklisting_records_why_since_when_and_by_whom() -> None:
    story = given(*registered()).when(blacklist("  forged payslips ")).then(Borrower.Blacklisted)
    event = story.events[0]
    assert (event.reason, event.value_date) == ("forged payslips", ON)
    assert story.aggregate.blacklisting.by == "risk.he"


def test_a_blacklisted_borrower_is_not_blacklisted_twice() -> None:
    refused = (
        given(*followed_by(registered(), blacklist())).when(blacklist()).raises(InvalidTransition)
    )
    assert (refused.error.action, refused.events) == ("blacklist", [])


def test_a_blacklisting_needs_a_reason() -> None:
    refused = given(*registered()).when(blacklist(" ")).raises(InvalidValue)
    assert (refused.error.field, refused.events) == ("reason", [])


def test_lifting_the_blacklist_lends_again() -> None:
    story = (
        given(*followed_by(registered(), blacklist())).when(lift()).then(Borrower.BlacklistLifted)
    )
    assert (story.events[0].reason, story.events[0].value_date) == ("payslips verified", ON)
    assert story.aggregate.blacklisting is None


def test_only_a_blacklisted_borrower_has_a_blacklist_to_lift() -> None:
    refused = given(*registered()).when(lift()).raises(InvalidTransition)
    assert (refused.error.action, refused.events) == ("lift the blacklist", [])


# ApplicationRecorded


def test_each_application_is_kept_with_the_borrower_and_counted_by_date() -> None:
    earlier = followed_by(registered(), applied(date(2026, 1, 5)))
    story = given(*earlier).when(applied(ON)).then(Borrower.ApplicationRecorded)
    assert (story.events[0].loan_id, story.events[0].value_date) == (LOAN, ON)
    assert story.aggregate.applications_since(date(2026, 2, 1)) == 1
    assert story.aggregate.applications_since(date(2026, 1, 5)) == 2


# Sessions


def revoke(reason: str = "phone reported stolen") -> Any:
    return lambda borrower: borrower.revoke_sessions(actor="officer.li", reason=reason)


def test_ending_the_sessions_records_who_and_why_and_changes_the_credentials() -> None:
    assert given(*registered()).aggregate.session_credentials == 1
    revoked = given(*registered()).when(revoke()).then(Borrower.SessionsRevoked)
    assert (revoked.events[0].actor, revoked.events[0].reason) == (
        "officer.li", "phone reported stolen",
    )  # fmt: skip
    twice = followed_by(registered(), revoke(), revoke())
    assert given(*twice).aggregate.session_credentials == 3
    refused = given(*registered()).when(revoke(" ")).raises(InvalidValue)
    assert refused.error.field == "reason"


def test_a_phone_change_ends_the_sessions_another_change_does_not() -> None:
    moved = given(*registered()).when(update(region="Hunan")).then(Borrower.Updated)
    assert moved.events[0].ends_sessions is None
    assert given(*followed_by(registered(), update(region="Hunan"))).aggregate.credentials == 1
    rephoned = given(*registered()).when(update(phone="+8613900139000")).then(Borrower.Updated)
    assert rephoned.events[0].ends_sessions is True
    past = followed_by(registered(), update(phone="+8613900139000"))
    assert given(*past).aggregate.session_credentials == 2
