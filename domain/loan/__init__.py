"""Loans from application to closure."""

from domain.loan.aggregate import Application, Disbursement, Loan
from domain.loan.status import LoanStatus

__all__ = ["Application", "Disbursement", "Loan", "LoanStatus"]
