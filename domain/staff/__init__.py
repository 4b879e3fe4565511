"""Staff: users and their roles, the guard on their logins, and their sessions."""

from domain.staff.guard import ANONYMOUS, LoginGuard, LoginPolicy
from domain.staff.roles import STAFF_ROLES, Role
from domain.staff.session import StaffSession, Verdict
from domain.staff.user import (
    StaffUser,
    UserStatus,
    check_password,
    checked_username,
    normalize_username,
)

__all__ = [
    "ANONYMOUS",
    "STAFF_ROLES",
    "LoginGuard",
    "LoginPolicy",
    "Role",
    "StaffSession",
    "StaffUser",
    "UserStatus",
    "Verdict",
    "check_password",
    "checked_username",
    "normalize_username",
]
