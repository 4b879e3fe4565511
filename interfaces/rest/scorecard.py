"""POST /scorecard/score: PD, score, grade and reasons for one set of features; writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from application.scorecard import Scored, score
from infrastructure.tokens import Role, User
from interfaces.rest.auth import require
from interfaces.rest.common import App, Command, Text, Version

router = APIRouter(prefix="/scorecard", tags=["scorecard"])
MAX_FEATURES = 500


class ScoreBody(Command):
    # Values of any JSON type: one the model cannot read counts as missing.
    features: Annotated[dict[Text, Any], Field(max_length=MAX_FEATURES)]
    version: Version | None = None


class ScoreOut(BaseModel):
    pd: Decimal
    score: int
    grade: str
    reasons: list[str]
    version: int

    @classmethod
    def of(cls, scored: Scored) -> ScoreOut:
        return cls(
            pd=scored.pd,
            score=scored.score,
            grade=scored.grade,
            reasons=list(scored.reasons),
            version=scored.version,
        )


@router.post("/score")
def score_features(
    body: ScoreBody,
    app: App,
    _: Annotated[User, Depends(require(Role.ANALYST, Role.RISK_OFFICER, Role.LOAN_OFFICER))],
) -> ScoreOut:
    return ScoreOut.of(score(app, body.features, body.version))
