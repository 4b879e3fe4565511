"""The HTTP service: REST commands, GraphQL queries, health and OpenAPI docs."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp

from application.group_commit import RepaymentWriter
from application.staff.passwords import warm_up
from infrastructure import secrets
from infrastructure.notice_channels import SmsGateway, sms_channel
from infrastructure.oidc import OidcVerifier
from infrastructure.runtime import Runtime
from infrastructure.settings import Settings
from interfaces.auth import Authenticator
from interfaces.graphql.router import graphql_router, open_read_pool
from interfaces.rest import (
    assignments,
    borrower_auth,
    borrowers,
    calendar,
    collections,
    documents,
    health,
    ledger,
    loan_charges,
    loans,
    payments,
    problems,
    products,
    repayment_files,
    repayments,
    reports,
    risk_warnings,
    schedules,
    scorecard,
    sessions,
    staff,
    webhooks,
)
from interfaces.rest.auth import AuthenticateFirst
from interfaces.rest.headers import SecurityHeaders, allow_origins
from interfaces.rest.limits import BodyLimit
from interfaces.rest.rate_limits import RateLimit
from interfaces.rest.reach import in_reach
from interfaces.rest.repayment_files import BATCH_PATH
from projections.office_tree import OfficeTree


class LendingAPI(FastAPI):
    """FastAPI with the security headers outside even Starlette's error middleware, so
    that an unexpected error's 500 carries them too."""

    tls = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), tls=self.tls)


def create_app(
    settings: Settings | None = None,
    *,
    follow: bool = True,
    freeze: bool = False,
    create_tables: bool = True,
) -> FastAPI:
    """Build the service; `follow` also runs the projections in this process.

    `create_tables` off: another process made the tables already (the one serving
    `--workers N`); API processes starting together would otherwise race on the same
    `CREATE OR REPLACE FUNCTION` and fail with "tuple concurrently updated".

    `freeze`, for a long-running server: once started, and after each close of
    business, every object alive (the code, the schema, the pools, the cached loans)
    leaves the garbage collector's generations, so a full collection scans only what
    requests made: no 100 ms pauses in the middle of a query.
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.open(settings, create_tables=create_tables)
        app.state.runtime = runtime
        app.state.repayments = RepaymentWriter(runtime.app, grouping=settings.group_commit)
        app.state.jwt_secret = secrets.jwt_secret(settings)
        app.state.authenticator = Authenticator(
            app.state.jwt_secret, runtime.app, oidc_verifier(settings)
        )
        # The dummy hash unknown usernames are checked against, made before any login.
        threading.Thread(target=warm_up, name="password-warm-up", daemon=True).start()
        app.state.freeze = freeze
        # Borrowers' login codes go out on the reminders' SMS channel.
        app.state.sms = sms_channel(settings)
        if follow:
            runtime.projections.start()
        # GraphQL and the reports read from the replica, if one is named (DATABASE_READ_URL).
        async with open_read_pool(settings.database_read_url or runtime.url) as pool:
            app.state.read_pool = pool
            app.state.office_tree = OfficeTree()
            if freeze:
                gc.freeze()
            try:
                yield
            finally:
                if isinstance(app.state.sms, SmsGateway):
                    app.state.sms.close()
                runtime.close()

    app = LendingAPI(
        title="Lending core", version="0.1.0", lifespan=lifespan, dependencies=[Depends(in_reach)]
    )
    app.tls = settings.tls_cert is not None
    # Commands are limited per user, so inside AuthenticateFirst, which finds the user.
    app.add_middleware(RateLimit, limits=settings.rate_limits, kind="command")
    batches = {BATCH_PATH: settings.max_batch_body_bytes}
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, larger=batches)
    problems.install(app)
    # Before anything reads a body: an anonymous caller learns nothing from validation.
    app.add_middleware(AuthenticateFirst)
    # Signing in is limited before anything else answers it.
    app.add_middleware(RateLimit, limits=settings.rate_limits, kind="auth")
    # Outermost: a preflight is answered before any token is asked for.
    allow_origins(app, settings.cors_origin_list)
    app.include_router(health.router)
    app.include_router(borrowers.router)
    app.include_router(products.router)
    app.include_router(loans.router)
    app.include_router(loan_charges.router)
    app.include_router(schedules.router)
    app.include_router(repayment_files.router)
    app.include_router(repayments.router)
    app.include_router(calendar.router)
    app.include_router(collections.router)
    app.include_router(risk_warnings.router)
    app.include_router(scorecard.router)
    app.include_router(sessions.router)
    app.include_router(borrower_auth.router)
    app.include_router(payments.router)
    app.include_router(staff.router)
    app.include_router(assignments.router)
    app.include_router(ledger.router)
    app.include_router(documents.router)
    app.include_router(webhooks.router)
    app.include_router(reports.router)
    app.include_router(graphql_router(), prefix="/graphql")
    return app


def oidc_verifier(settings: Settings) -> OidcVerifier | None:
    """The identity provider the settings name, if any."""
    if not settings.oidc_issuer or not settings.oidc_audience:
        return None
    return OidcVerifier(
        settings.oidc_issuer,
        settings.oidc_audience,
        settings.oidc_roles_claim,
        settings.oidc_jwks_url,
    )


def api_process() -> FastAPI:
    """One of `lending serve --workers N`'s API processes: its settings come from the
    environment, and the serving process, which made the tables, follows the store for
    all of them."""
    return create_app(follow=False, freeze=True, create_tables=False)
