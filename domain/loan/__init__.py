"""Loans from application to closure."""

from domain.loan.aggregate import BooksChanged, Loan
from domain.loan.records import Application, Disbursement
from domain.loan.status import LoanStatus

__all__ = ["Application", "BooksChanged", "Disbursement", "Loan", "LoanStatus"]
