"""Staff users, the guard on their logins and their sessions, told as stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.errors import InvalidTransition, InvalidValue, Refused
from domain.office import HEAD_OFFICE_ID, Office
from domain.staff import (
    LoginGuard,
    LoginPolicy,
    Role,
    StaffSession,
    StaffUser,
    Verdict,
    check_password,
)
from tests.support.story import followed_by, given, history

BRANCH = UUID("00000000-0000-4000-8000-0000000b0001")
ADMIN = "admin.wu"
NINE = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
POLICY = LoginPolicy()


def registered(**changes: Any) -> list[Any]:
    fields = {
        "actor": ADMIN, "username": " Zhang.Wei ", "display_name": "Zhang Wei",
        "office_id": BRANCH, "roles": [Role.LOAN_OFFICER], "password_hash": "$argon2id$x",
    } | changes  # fmt: skip
    return history(StaffUser.register(**fields))


def test_a_user_is_registered_with_a_normalised_username_and_sorted_roles() -> None:
    user = given(*registered(roles=[Role.REVIEWER, Role.APPROVER, Role.REVIEWER])).aggregate
    assert user.username == "zhang.wei"
    assert user.roles == (Role.APPROVER, Role.REVIEWER)
    assert (user.active, user.credentials) == (True, 1)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": "zw"}, "username"),
        ({"username": "zhang wei"}, "username"),
        ({"roles": []}, "roles"),
        ({"roles": [Role.BORROWER]}, "roles"),
        ({"display_name": "  "}, "display_name"),
    ],
)
def test_a_user_with_a_bad_field_is_refused(changes: dict[str, Any], field: str) -> None:
    refused = given().when(lambda _: StaffUser.register(**{
        "actor": ADMIN, "username": "zhang.wei", "display_name": "Zhang Wei",
        "office_id": BRANCH, "roles": [Role.LOAN_OFFICER], "password_hash": "h",
    } | changes)).raises(InvalidValue)  # fmt: skip
    assert refused.error.field == field


@pytest.mark.parametrize("password", ["short-one", "zhang.wei", " ZHANG.WEI "])
def test_a_password_is_ten_characters_and_not_the_username(password: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_password(password, "zhang.wei")
    assert refused.value.field == "password"
    check_password("tea-garden-42", "zhang.wei")


def test_an_admin_changes_the_roles_of_another_user() -> None:
    story = given(*registered()).when(
        lambda user: user.change_roles(actor=ADMIN, roles=[Role.LOAN_OFFICER, Role.COLLECTOR])
    )
    outcome = story.then(StaffUser.RolesChanged)
    assert outcome.aggregate.roles == (Role.COLLECTOR, Role.LOAN_OFFICER)
    assert outcome.events[0].previous == (Role.LOAN_OFFICER,)


def test_no_one_changes_their_own_roles() -> None:
    past = registered(roles=[Role.ADMIN])
    me = str(past[0].originator_id)
    refused = (
        given(*past)
        .when(lambda user: user.change_roles(actor=me, roles=[Role.ADMIN, Role.APPROVER]))
        .raises(Refused)
    )
    assert refused.events == []


def test_no_one_deactivates_themselves_and_a_deactivated_user_stays_so() -> None:
    past = registered(roles=[Role.ADMIN])
    me = str(past[0].originator_id)
    given(*past).when(lambda user: user.deactivate(actor=me, reason="bored")).raises(Refused)
    left = followed_by(past, lambda user: user.deactivate(actor=ADMIN, reason="left the bank"))
    assert not given(*left).aggregate.active
    for command in (
        lambda user: user.deactivate(actor=ADMIN, reason="again"),
        lambda user: user.move(actor=ADMIN, office_id=HEAD_OFFICE_ID),
        lambda user: user.change_roles(actor=ADMIN, roles=[Role.AUDITOR]),
        lambda user: user.reset_password(actor=ADMIN, password_hash="h2"),
    ):
        given(*left).when(command).raises(InvalidTransition)


def test_a_password_reset_counts_up_the_credentials_that_sessions_hold_to() -> None:
    outcome = (
        given(*registered())
        .when(lambda user: user.reset_password(actor=ADMIN, password_hash="$argon2id$y"))
        .then(StaffUser.PasswordReset)
    )
    assert (outcome.aggregate.password_hash, outcome.aggregate.credentials) == ("$argon2id$y", 2)


GUARD = UUID("00000000-0000-4000-8000-0000000c0001")


def failed(guard: LoginGuard, at: datetime, policy: LoginPolicy = POLICY) -> None:
    guard.fail(at=at, client="10.0.0.7", user_id=None, reason="wrong password", policy=policy)


def failures(*minutes: int) -> list[Any]:
    return followed_by(
        history(LoginGuard.open(GUARD)),
        *(lambda guard, m=m: failed(guard, NINE + timedelta(minutes=m)) for m in minutes),
    )


def test_the_fifth_failure_within_fifteen_minutes_locks_for_fifteen_minutes() -> None:
    outcome = (
        given(*failures(0, 3, 6, 9))
        .when(lambda guard: failed(guard, NINE + timedelta(minutes=12)))
        .then(LoginGuard.LoginFailed, LoginGuard.LockedOut)
    )
    guard = outcome.aggregate
    assert guard.locked_at(NINE + timedelta(minutes=26)) == NINE + timedelta(minutes=27)
    assert guard.locked_at(NINE + timedelta(minutes=27)) is None


def test_failures_older_than_the_window_no_longer_count() -> None:
    # The fifth failure in all, but 0 and 1 are 15 minutes or more before 16: three count.
    outcome = (
        given(*failures(0, 1, 2, 10))
        .when(lambda guard: failed(guard, NINE + timedelta(minutes=16)))
        .then(LoginGuard.LoginFailed)
    )
    assert outcome.aggregate.locked_at(NINE + timedelta(minutes=16)) is None


def test_the_policy_sets_the_count_and_the_times() -> None:
    strict = LoginPolicy(max_failures=2, window_minutes=60, lockout_minutes=5)
    guard = given(*failures(0)).aggregate
    failed(guard, NINE + timedelta(minutes=50), strict)
    assert guard.locked_at(NINE + timedelta(minutes=54)) == NINE + timedelta(minutes=55)


def test_an_attempt_while_locked_is_recorded_and_leaves_the_lock_alone() -> None:
    locked = failures(0, 1, 2, 3, 4)
    outcome = (
        given(*locked)
        .when(
            lambda guard: guard.refuse_locked(
                at=NINE + timedelta(minutes=5), client="x", user_id=None
            )
        )
        .then(LoginGuard.LoginRefused)
    )
    assert outcome.aggregate.locked_until == NINE + timedelta(minutes=19)


def test_a_successful_login_clears_the_failures() -> None:
    outcome = (
        given(*failures(0, 1))
        .when(lambda guard: guard.clear(actor="u", at=NINE + timedelta(minutes=2)))
        .then(LoginGuard.Cleared)
    )
    assert not outcome.aggregate.watching


SESSION = UUID("00000000-0000-4000-8000-0000000d0001")
USER = UUID("00000000-0000-4000-8000-0000000d0002")


def session() -> list[Any]:
    return history(StaffSession.log_in(
        session_id=SESSION, user_id=USER, credentials=1, refresh_digest="d1", at=NINE,
        client="10.0.0.7", expires_at=NINE + timedelta(hours=12),
    ))  # fmt: skip


def rotate(digest: str, next_digest: str) -> Any:
    return lambda s: s.rotate(
        digest=digest, next_digest=next_digest, at=NINE + timedelta(minutes=15), client="c",
        expires_at=NINE + timedelta(hours=13),
    )  # fmt: skip


def test_a_refresh_spends_the_token_for_the_next() -> None:
    outcome = given(*session()).when(rotate("d1", "d2")).then(StaffSession.Refreshed)
    later = NINE + timedelta(minutes=20)
    verdicts = [outcome.aggregate.judge(d, later) for d in ("d2", "d1", "d9")]
    assert verdicts == [Verdict.CURRENT, Verdict.SPENT, Verdict.UNKNOWN]


def test_a_spent_token_cannot_be_exchanged_and_an_old_one_expires() -> None:
    given(*followed_by(session(), rotate("d1", "d2"))).when(rotate("d1", "d3")).raises(
        InvalidTransition
    )
    assert given(*session()).aggregate.judge("d1", NINE + timedelta(hours=12)) is Verdict.EXPIRED


def test_a_revoked_or_logged_out_session_holds_no_more() -> None:
    for end in (
        lambda s: s.revoke(actor="u", at=NINE, reason="refresh token reused"),
        lambda s: s.log_out(at=NINE),
    ):
        ended = given(*followed_by(session(), end)).aggregate
        assert ended.judge("d1", NINE) is Verdict.ENDED
        assert not ended.live(1)
    assert given(*session()).aggregate.live(1)
    assert not given(*session()).aggregate.live(2)  # the password was reset since


def test_the_head_office_has_a_fixed_id_and_a_branch_names_its_parent() -> None:
    head = given().when(lambda _: Office.open_head(actor="system")).then(Office.Opened)
    assert (head.aggregate.id, head.aggregate.parent_id) == (HEAD_OFFICE_ID, None)
    given().when(lambda _: Office.open(actor=ADMIN, name=" ", parent_id=HEAD_OFFICE_ID)).raises(
        InvalidValue
    )
