"""Staff for tests: the first admin, offices and users, and logging in over HTTP."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from application.app import LendingApplication
from application.staff.users import CreateFirstAdmin, create_first_admin
from domain.office import HEAD_OFFICE_ID

ADMIN = "admin.wu"
ADMIN_PASSWORD = "wu-tea-garden-2030"
PASSWORD = "spring-harvest-77"  # every other test user's
HEAD_OFFICE = str(HEAD_OFFICE_ID)


class Http(Protocol):
    """A TestClient or an httpx.Client."""

    def post(self, url: str, **kwargs: Any) -> Any: ...


def first_admin(app: LendingApplication) -> UUID:
    """The store's first admin, `admin.wu`, as `lending users create-admin` makes it."""
    return create_first_admin(app, CreateFirstAdmin(ADMIN, ADMIN_PASSWORD)).id


def log_in(http: Http, username: str, password: str = PASSWORD) -> dict[str, Any]:
    """The tokens of a successful login."""
    answer = http.post("/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


def bearer_of(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def admin_headers(http: Http) -> dict[str, str]:
    return bearer_of(log_in(http, ADMIN, ADMIN_PASSWORD))


def open_office(http: Http, admin: dict[str, str], name: str, parent: str = HEAD_OFFICE) -> str:
    answer = http.post("/offices", json={"name": name, "parent_id": parent}, headers=admin)
    assert answer.status_code == 201, answer.text
    office: str = answer.json()["id"]
    return office


def create_user(http: Http, admin: dict[str, str], username: str, office: str, *roles: str) -> str:
    body = {
        "username": username, "display_name": username.title(), "office_id": office,
        "roles": list(roles), "password": PASSWORD,
    }  # fmt: skip
    answer = http.post("/users", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    user: str = answer.json()["id"]
    return user
