"""Credit decisions at intake: checks, score, limit and risk-based price."""

from domain.credit.assessment import ABOVE_LIMIT, CreditAssessment, Decision, assessment_id
from domain.credit.checks import Activity, Affordability, Check, Result
from domain.credit.features import Features, Score
from domain.credit.history import LoanHistory
from domain.credit.limits import Limit, LimitFigure
from domain.credit.policy import CreditPolicy, Grade
from domain.credit.pricing import Pricing

__all__ = [
    "ABOVE_LIMIT",
    "Activity",
    "Affordability",
    "Check",
    "CreditAssessment",
    "CreditPolicy",
    "Decision",
    "Features",
    "Grade",
    "Limit",
    "LimitFigure",
    "LoanHistory",
    "Pricing",
    "Result",
    "Score",
    "assessment_id",
]
