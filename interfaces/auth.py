"""Who is calling and what they may reach: the bearer token and role checks that REST
and GraphQL both make, the same way; each raises its own kind of refusal."""

from __future__ import annotations

from uuid import UUID

from anyio import to_thread
from fastapi import HTTPException
from fastapi.security.utils import get_authorization_scheme_param

from application.app import LendingApplication
from application.borrower_sessions import borrower_access
from application.staff.login import access
from domain.errors import Unauthenticated
from infrastructure.oidc import OidcVerifier
from infrastructure.tokens import InvalidToken, Role, User, decode

CHALLENGE = {"WWW-Authenticate": "Bearer"}
INVALID = "the bearer token is invalid or expired"


def _refused(detail: str = INVALID) -> HTTPException:
    return HTTPException(401, detail, headers=CHALLENGE)


def bearer_token(authorization: str | None) -> str:
    scheme, token = get_authorization_scheme_param(authorization)
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "a bearer token is required", headers=CHALLENGE)
    return token


def authenticate(secret: str, authorization: str | None) -> User:
    """The user of an `Authorization: Bearer <JWT>` header; 401 without one or with a
    token that is forged, expired or lacks a required claim."""
    try:
        return decode(secret, bearer_token(authorization))
    except InvalidToken:
        raise _refused() from None


class Authenticator:
    """Tokens of ours (HS256), and with `oidc` an identity provider's too. A token of a
    session holds only while the session does, its user is active and still has every
    role the token names: that is read from the store on each request (two cached
    aggregates, brought up to date by one indexed query each), so a deactivation or a
    logout holds from the next request on, in every process. A borrower's session holds
    while the borrower's sessions were not ended and it is not erased, read the same way."""

    def __init__(
        self, secret: str, app: LendingApplication, oidc: OidcVerifier | None = None
    ) -> None:
        self.secret = secret
        self.app = app
        self.oidc = oidc

    def authenticate(self, authorization: str | None) -> User:
        """As `authenticate_async`, in the caller's thread."""
        token = bearer_token(authorization)
        if self.oidc is not None and self.oidc.issued_it(token):
            return self._external(token)
        return self._live(self._ours(token))

    async def authenticate_async(self, authorization: str | None) -> User:
        """The caller; 401 for a missing, forged, expired or revoked token. What needs the
        store or the network runs in a worker thread."""
        token = bearer_token(authorization)
        if self.oidc is not None and self.oidc.issued_it(token):
            return await to_thread.run_sync(self._external, token)
        user = self._ours(token)
        if user.session is None:
            return user
        return await to_thread.run_sync(self._live, user)

    def _ours(self, token: str) -> User:
        try:
            return decode(self.secret, token)
        except InvalidToken:
            raise _refused() from None

    def _external(self, token: str) -> User:
        assert self.oidc is not None
        try:
            return self.oidc.verify(token)
        except InvalidToken:
            raise _refused("the identity provider's token is invalid or expired") from None

    def _live(self, user: User) -> User:
        if user.session is None:
            return user
        if user.is_borrower_only:
            try:
                borrower_access(self.app, UUID(user.sub), user.session)
            except (Unauthenticated, ValueError):
                raise _refused("the session has ended: log in again") from None
            return user
        try:
            now = access(self.app, UUID(user.sub), user.session)
        except (Unauthenticated, ValueError):
            raise _refused("the session has ended: log in again") from None
        if not user.roles <= now.roles:
            raise _refused("the token names roles the user no longer has: log in again")
        return User(sub=user.sub, roles=user.roles, office=now.office_id, session=user.session)


def missing_role(user: User, roles: tuple[Role, ...]) -> str | None:
    """Why `user` may not do what needs one of `roles`; None when it may."""
    if user.has_any(*roles):
        return None
    return f"this needs one of the roles: {', '.join(r.value for r in roles)}"


def is_another_borrower(user: User, borrower_id: str) -> bool:
    """A borrower token reaching past its own borrower (staff roles reach anyone)."""
    return user.is_borrower_only and user.sub != borrower_id
