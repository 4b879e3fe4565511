"""Borrowers' one-time login codes told as stories: 6 digits, 5 minutes, 5 an hour, and
5 wrong attempts void the code. The clock is the story's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.errors import InvalidValue
from domain.login_codes import (
    FITS_SEVERAL,
    IDENTIFY,
    CodePolicy,
    LoginCodes,
    Redemption,
    TooManyCodes,
)
from tests.support.story import followed_by, given, history

CODES = UUID("00000000-0000-4000-8000-00000000c0de")
WANG = UUID("00000000-0000-4000-8000-000000000001")
NINE = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
POLICY = CodePolicy()
CLIENT = "203.0.113.7"


def opened() -> list[Any]:
    return history(LoginCodes.open(CODES))


def issue(at: datetime, digest: str = "right", borrower_id: UUID | None = WANG) -> Any:
    return lambda codes: codes.issue(
        at=at, salt="salt", digest=digest, borrower_id=borrower_id, client=CLIENT, policy=POLICY
    )


def redeem(at: datetime, digest: str) -> Any:
    return lambda codes: codes.redeem(at=at, digest=digest, client=CLIENT, policy=POLICY)


def minutes(n: float) -> datetime:
    return NINE + timedelta(minutes=n)


def test_a_code_is_six_digits_with_its_zeros() -> None:
    assert POLICY.code_of(42) == "000042"
    assert POLICY.code_of(999_999) == "999999"
    assert POLICY.checked_code(" 012345 ") == "012345"
    full_width = "\uff11\uff12\uff13\uff14\uff15\uff16"
    for wrong in ("12345", "1234567", "12a456", full_width):
        with pytest.raises(InvalidValue):
            POLICY.checked_code(wrong)


def test_the_right_code_logs_the_borrower_in_once() -> None:
    past = followed_by(opened(), issue(NINE))
    used = given(*past).when(redeem(minutes(4), "right")).then(LoginCodes.CodeUsed)
    assert used.events[0].actor == str(WANG)
    again = followed_by(past, redeem(minutes(4), "right"))
    assert given(*again).aggregate.redeem(
        at=minutes(4), digest="right", client=CLIENT, policy=POLICY
    ) is None  # fmt: skip


def test_a_code_holds_five_minutes() -> None:
    past = followed_by(opened(), issue(NINE))
    codes = given(*past).aggregate
    assert codes.live(minutes(4.99))
    assert codes.redeem(at=minutes(5), digest="right", client=CLIENT, policy=POLICY) is None
    assert history(codes) == []  # nothing to count once it has expired


def test_five_wrong_codes_void_it() -> None:
    past = followed_by(opened(), issue(NINE), *[redeem(minutes(1), "wrong")] * 4)
    assert given(*past).aggregate.attempts == 4
    fifth = given(*past).when(redeem(minutes(1), "wrong")).then(LoginCodes.CodeFailed)
    assert fifth.events[0].voided
    voided = followed_by(past, redeem(minutes(1), "wrong"))
    codes = given(*voided).aggregate
    assert codes.redeem(at=minutes(2), digest="right", client=CLIENT, policy=POLICY) is None


def test_a_new_code_replaces_the_one_before_and_its_count() -> None:
    past = followed_by(opened(), issue(NINE, "first"), redeem(minutes(1), "wrong"))
    codes = given(*followed_by(past, issue(minutes(2), "second"))).aggregate
    assert codes.attempts == 0
    assert codes.redeem(at=minutes(3), digest="first", client=CLIENT, policy=POLICY) is None
    assert codes.redeem(at=minutes(3), digest="second", client=CLIENT, policy=POLICY) == WANG


def test_five_codes_an_hour_then_none_until_the_first_is_an_hour_old() -> None:
    past = followed_by(opened(), *(issue(minutes(10 * n)) for n in range(5)))
    refused = given(*past).when(issue(minutes(45))).raises(TooManyCodes)
    assert refused.error.until == minutes(60)
    assert refused.events == []
    given(*past).when(issue(minutes(60))).then(LoginCodes.CodeIssued)


def test_a_phone_no_borrower_has_gets_codes_that_log_no_one_in() -> None:
    past = followed_by(opened(), issue(NINE, borrower_id=None))
    codes = given(*past).aggregate
    assert codes.redeem(at=minutes(1), digest="right", client=CLIENT, policy=POLICY) is None
    refused = given(*followed_by(past, *[issue(minutes(1), borrower_id=None)] * 4))
    assert refused.when(issue(minutes(2), borrower_id=None)).raises(TooManyCodes)


LI = UUID("00000000-0000-4000-8000-000000000002")
SHARED = (WANG, LI)


def issue_shared(at: datetime) -> Any:
    return lambda codes: codes.issue(
        at=at, salt="salt", digest="right", borrower_id=None, client=CLIENT, policy=POLICY,
        shared_by=SHARED,
    )  # fmt: skip


def redeem_as(at: datetime, digest: str, fitting: tuple[UUID, ...] | None) -> Any:
    return lambda codes: codes.redeem_as(
        at=at, digest=digest, client=CLIENT, policy=POLICY, fitting=fitting
    )


def test_a_shared_phones_code_logs_in_the_one_borrower_the_caller_names() -> None:
    past = followed_by(opened(), issue_shared(NINE))
    assert given(*past).aggregate.shared_by == SHARED
    used = given(*past).when(redeem_as(minutes(1), "right", (LI,))).then(LoginCodes.CodeUsed)
    assert used.events[0].actor == str(LI)
    codes = given(*past).aggregate
    redeemed = codes.redeem_as(
        at=minutes(1), digest="right", client=CLIENT, policy=POLICY, fitting=(LI,)
    )
    assert redeemed == Redemption(LI)


def test_a_shared_phones_right_code_without_one_borrower_named_logs_no_one_in() -> None:
    past = followed_by(opened(), issue_shared(NINE))
    for fitting, refusal in ((None, IDENTIFY), (SHARED, FITS_SEVERAL)):
        codes = given(*past).aggregate
        found = codes.redeem_as(
            at=minutes(1), digest="right", client=CLIENT, policy=POLICY, fitting=fitting
        )
        assert found == Redemption(refusal=refusal)
        assert history(codes) == []  # nothing counted: the caller proved the code
    wrong = given(*past).when(redeem_as(minutes(1), "right", ())).then(LoginCodes.CodeFailed)
    assert not wrong.events[0].voided
    # Before the code is proved, nothing about the phone shows: a wrong code is a wrong code.
    codes = given(*past).aggregate
    assert codes.redeem_as(
        at=minutes(1), digest="wrong", client=CLIENT, policy=POLICY, fitting=None
    ) == Redemption()  # fmt: skip
    assert codes.redeem(at=minutes(1), digest="right", client=CLIENT, policy=POLICY) is None


def test_a_phone_of_one_borrower_records_no_one_to_choose_from() -> None:
    one = lambda codes: codes.issue(  # noqa: E731
        at=NINE, salt="salt", digest="right", borrower_id=WANG, client=CLIENT, policy=POLICY,
        shared_by=(WANG,),
    )  # fmt: skip
    [_, issued] = followed_by(opened(), one)
    assert issued.shared_by is None
    assert "shared_by" not in issued.model_dump()  # stored as codes were before
    assert given(*followed_by(opened(), one)).aggregate.shared_by == ()
