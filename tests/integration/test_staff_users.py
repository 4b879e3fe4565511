"""Admins manage staff users and offices over REST; the first admin comes from the CLI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from tests.support.api import OFFICER, graphql, head, runtime_of
from tests.support.processes import lending_env, run
from tests.support.staff import (
    ADMIN,
    HEAD_OFFICE,
    PASSWORD,
    admin_headers,
    bearer_of,
    create_user,
    first_admin,
    log_in,
    open_office,
)

OFFICES = "{ offices { id name parentId } }"
USERS = "{ users { id username displayName officeId roles status version } }"


def test_a_new_store_has_one_head_office(api: TestClient) -> None:
    answer = graphql(api, OFFICES, OFFICER)
    assert answer["data"]["offices"] == [
        {"id": HEAD_OFFICE, "name": "Head office", "parentId": None}
    ]


def test_an_admin_opens_branches_and_creates_users_in_them(api: TestClient) -> None:
    first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    branch = open_office(api, admin, "Wuchang branch")
    sub_branch = open_office(api, admin, "Wuchang East sub-branch", branch)
    officer = create_user(api, admin, "officer.zhang", sub_branch, "loan_officer")
    offices = graphql(api, OFFICES, admin, min_position=head(api))["data"]["offices"]
    assert [(o["name"], o["parentId"]) for o in offices] == [
        ("Head office", None), ("Wuchang branch", HEAD_OFFICE), ("Wuchang East sub-branch", branch),
    ]  # fmt: skip
    users = graphql(api, USERS, admin)["data"]["users"]
    assert [u["username"] for u in users] == [ADMIN, "officer.zhang"]
    assert users[1] == {
        "id": officer, "username": "officer.zhang", "displayName": "Officer.Zhang",
        "officeId": sub_branch, "roles": ["loan_officer"], "status": "active", "version": 1,
    }  # fmt: skip
    assert "errors" in graphql(api, USERS, OFFICER)


def test_usernames_are_unique_and_passwords_long_and_not_the_username(api: TestClient) -> None:
    first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    create_user(api, admin, "officer.zhang", HEAD_OFFICE, "loan_officer")
    body = {"username": " Officer.ZHANG ", "display_name": "Another Zhang",
            "office_id": HEAD_OFFICE, "roles": ["loan_officer"], "password": PASSWORD}  # fmt: skip
    taken = api.post("/users", json=body, headers=admin)
    assert taken.status_code == 409, taken.text
    for password in ("too-short", "officer.li"):
        weak = api.post(
            "/users", json=body | {"username": "officer.li", "password": password}, headers=admin
        )
        assert weak.status_code == 422, weak.text
        assert weak.json()["errors"][0]["field"] == "password"
    nowhere = api.post(
        "/users", json=body | {"username": "officer.li", "office_id": str(ADMIN_ID)}, headers=admin
    )
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"][0]["field"] == "office_id"
    borrower = api.post(
        "/users", json=body | {"username": "officer.li", "roles": ["borrower"]}, headers=admin
    )
    assert borrower.status_code == 422


ADMIN_ID = "5b1f3c9e-0d4a-4b8e-9c7f-2a6d8e1b4c30"


def test_only_admins_manage_users_and_no_one_their_own_roles(api: TestClient) -> None:
    admin_id = first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    officer = create_user(api, admin, "officer.zhang", HEAD_OFFICE, "loan_officer")
    refused = api.post(f"/users/{officer}/roles", json={"roles": ["admin"]}, headers=OFFICER)
    assert refused.status_code == 403
    own = api.post(f"/users/{admin_id}/roles", json={"roles": ["admin", "auditor"]}, headers=admin)
    assert own.status_code == 403, own.text
    assert "own roles" in own.json()["detail"]
    changed = api.post(
        f"/users/{officer}/roles", json={"roles": ["loan_officer", "collector"]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = api.post(
        f"/users/{officer}/roles", json={"roles": ["auditor"]}, headers=admin | {"If-Match": "1"}
    )
    assert stale.status_code == 409


def test_a_moved_user_acts_from_their_new_office(api: TestClient) -> None:
    first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    branch = open_office(api, admin, "Hankou branch")
    officer = create_user(api, admin, "officer.zhang", HEAD_OFFICE, "loan_officer")
    moved = api.post(f"/users/{officer}/move", json={"office_id": branch}, headers=admin)
    assert moved.status_code == 200, moved.text
    users = graphql(api, USERS, admin, min_position=moved.json()["position"])["data"]["users"]
    assert users[1]["officeId"] == branch


def test_a_password_reset_ends_the_sessions_opened_before_it(api: TestClient) -> None:
    first_admin(runtime_of(api).app)
    admin = admin_headers(api)
    officer = create_user(api, admin, "officer.zhang", HEAD_OFFICE, "loan_officer")
    before = log_in(api, "officer.zhang")
    new = "a-fresh-password-9"
    reset = api.post(f"/users/{officer}/reset-password", json={"password": new}, headers=admin)
    assert reset.status_code == 200, reset.text
    assert graphql_status(api, bearer_of(before)) == 401
    refresh = api.post("/auth/refresh", json={"refresh_token": before["refresh_token"]})
    assert refresh.status_code == 401
    assert (
        api.post(
            "/auth/login", json={"username": "officer.zhang", "password": PASSWORD}
        ).status_code
        == 401
    )
    assert graphql_status(api, bearer_of(log_in(api, "officer.zhang", new))) == 200


def graphql_status(api: TestClient, headers: dict[str, str]) -> int:
    status: int = api.post(
        "/graphql", json={"query": "{ businessDate }"}, headers=headers
    ).status_code
    return status


def test_create_admin_prints_a_one_time_password_once_per_store(
    api: TestClient, settings: Settings
) -> None:
    env = lending_env(settings)
    done = run("users", "create-admin", "--username", "Root.Admin", env=env)
    assert done.returncode == 0, done.stderr
    password = done.stdout.strip().splitlines()[-1]
    assert len(password) >= 20
    tokens = log_in(api, "root.admin", password)
    assert graphql_status(api, bearer_of(tokens)) == 200
    again = run("users", "create-admin", "--username", "another", "--password-stdin", env=env,
                stdin="another-password-1\n")  # fmt: skip
    assert again.returncode == 2
    assert "first admin already" in again.stderr


def test_create_admin_reads_the_password_from_stdin(api: TestClient, settings: Settings) -> None:
    done = run("users", "create-admin", "--username", "root", "--password-stdin",
               env=lending_env(settings), stdin="chosen-by-root-1\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "chosen-by-root-1" not in done.stdout + done.stderr
    log_in(api, "root", "chosen-by-root-1")
    weak = run("users", "create-admin", "--username", "x1x", "--password-stdin",
               env=lending_env(settings), stdin="short\n")  # fmt: skip
    assert weak.returncode == 2


def test_lending_token_refuses_to_run_in_production(settings: Settings) -> None:
    env = lending_env(settings, LENDING_ENV="production")
    done = run("token", "--sub", "alice", "--role", "admin", env=env)
    assert done.returncode == 2
    assert "log in" in done.stdout + done.stderr
    assert "." not in (done.stdout.strip().splitlines() or [""])[-1]  # no JWT printed
