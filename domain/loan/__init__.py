"""Loans from application to closure."""

from domain.loan.aggregate import Loan
from domain.loan.delinquency import Timing
from domain.loan.events import BooksChanged
from domain.loan.records import Disbursement, LoanRequest
from domain.loan.status import LoanStatus

__all__ = ["BooksChanged", "Disbursement", "Loan", "LoanRequest", "LoanStatus", "Timing"]
