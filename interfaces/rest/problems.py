"""The one place where errors become HTTP: RFC 9457 problem JSON, never a trace."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from application.app import Busy
from application.integrity import HistoryBroken
from domain.errors import (
    AccountLocked,
    Conflict,
    DomainError,
    DuplicateIdNumber,
    DuplicateProductCode,
    InvalidValue,
    NotFound,
    Refused,
    Unauthenticated,
)
from domain.loan.contract import AprAboveCeiling
from domain.login_codes import TooManyCodes
from infrastructure.tokens import User
from projections.base import ReadModelStopped

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    # Every refusal at debug level: what the caller was told, which names no one's data.
    log.debug("answered %d %s: %s", status, title, detail)
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": _field(tuple(e["loc"])), "reason": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
    return problem(422, "Invalid request", detail, errors=errors)


def _duplicate_id_number(request: Request, exc: DuplicateIdNumber) -> JSONResponse:
    """Staff learn which borrower holds the number; anyone else (a borrower registering
    itself) only that it cannot be registered, so no one learns who else is a customer."""
    user: User | None = getattr(request.state, "user", None)
    if user is None or user.is_borrower_only:
        return problem(409, "Conflict", "this id number cannot be registered")
    return problem(409, "Conflict", str(exc), existing_borrower_id=str(exc.existing_borrower_id))


def _domain(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, AprAboveCeiling):
        # Both figures, as decimal strings, beside the field's reason.
        errors = [{"field": exc.field, "reason": exc.reason}]
        figures = {"apr": str(exc.apr), "legal_ceiling_percent": str(exc.ceiling)}
        return problem(422, "Invalid request", str(exc), errors=errors, **figures)
    if isinstance(exc, InvalidValue):
        errors = [{"field": exc.field, "reason": exc.reason}]
        return problem(422, "Invalid request", str(exc), errors=errors)
    if isinstance(exc, NotFound):
        return problem(404, "Not found", str(exc))
    if isinstance(exc, Refused):
        return problem(403, "Forbidden", str(exc))
    if isinstance(exc, Unauthenticated):
        answer = problem(401, "Unauthorized", str(exc))
        answer.headers["WWW-Authenticate"] = "Bearer"
        return answer
    if isinstance(exc, AccountLocked):
        answer = problem(403, "Locked", str(exc), locked_until=exc.until.isoformat())
        wait = (exc.until - datetime.now(UTC)).total_seconds()
        answer.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return answer
    if isinstance(exc, TooManyCodes):
        answer = problem(429, "Too many requests", str(exc))
        wait = (exc.until - datetime.now(UTC)).total_seconds()
        answer.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return answer
    if isinstance(exc, DuplicateIdNumber):
        return _duplicate_id_number(request, exc)
    if isinstance(exc, HistoryBroken):
        return _history_broken(exc)
    if isinstance(exc, DuplicateProductCode):
        return problem(409, "Conflict", str(exc), existing_product_id=str(exc.existing_product_id))
    if isinstance(exc, Conflict):
        return problem(409, "Conflict", str(exc))
    return problem(422, "Invalid request", str(exc))


def _history_broken(exc: HistoryBroken) -> JSONResponse:
    """Nothing is loaded, decided or written on a history whose chain fails; the operator
    restores it (`lending audit verify` says what broke). Logged: it is tampering or
    damage, not a caller's mistake."""
    log.error("refused a broken history: %s", exc)
    return problem(
        409, "History broken", str(exc), aggregate_id=exc.aggregate_id, version=exc.version,
        integrity=exc.kind.value,
    )  # fmt: skip


def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    response = problem(exc.status_code, str(exc.detail), str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def _read_model_stopped(_: Request, exc: Exception) -> JSONResponse:
    """A command that needs a read model stopped at a failing event: the operator's to
    deal with (see /health and `lending projections skip`)."""
    return problem(503, "Read model stopped", str(exc), read_model=getattr(exc, "name", None))


def _busy(_: Request, exc: Exception) -> JSONResponse:
    # The client may send the same command again: a repayment with the same reference
    # is still recorded once.
    assert isinstance(exc, Busy)
    response = problem(503, "Busy", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "Internal error", "the server failed; the error has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(ReadModelStopped, _read_model_stopped)
    app.add_exception_handler(Busy, _busy)
    app.add_exception_handler(Exception, _unexpected)
