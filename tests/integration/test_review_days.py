"""Close of business loads each loan on exactly the days the loan itself names.

Nothing is paid on these loans, so the days are worked out here from their due dates
with plain date arithmetic: DPD crosses a bucket or tier floor on the first due date
+ 1, 31, 61, 91, 181 and 361 days; a late fee falls due grace days + 1 after each due
date; penalty interest is crystallised at every month end after the first due date.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from fastapi.testclient import TestClient

from application.app import LendingApplication
from application.close_of_business import CloseOfBusiness, close_of_business
from domain.loan import Loan
from infrastructure.eventstore import PydanticMapper
from tests.support.api import OFFICER, client, graphql, runtime_of
from tests.support.catalog import ADMIN, applied_loan, approved, cob, disbursed_loan, micro_12, ok
from tests.support.old_events import rewrite_events
from tests.support.people import resident_id, wang_fang
from tests.support.settings import opened_on

DISBURSED = date(2026, 1, 31)
UNTIL = date(2026, 6, 30)
FLOORS = (1, 31, 61, 91, 181, 361)
# code: (grace days, late fee, penalty rate percent)
PRODUCTS = {
    "GRACE-0": (0, "50", "0"),
    "GRACE-5": (5, "50", "0"),
    "GRACE-12": (12, "50", "0"),
    "NO-FEE": (10, "0", "0"),
    "PENALTY": (3, "25", "36.5"),
}


def month_ends(after: date, until: date) -> set[date]:
    ends = set()
    year, month = after.year, after.month
    while (end := date(year, month, calendar.monthrange(year, month)[1])) <= until:
        if end > after:
            ends.add(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return ends


def review_days(due_dates: list[date], grace_days: int, late_fee: str, rate: str) -> set[date]:
    first = due_dates[0]
    days = {first + timedelta(days=floor) for floor in FLOORS}
    if late_fee != "0":
        days |= {due + timedelta(days=grace_days + 1) for due in due_dates}
    if rate != "0":
        days |= month_ends(first, UNTIL)
    return {day for day in days if DISBURSED < day <= UNTIL}


def due_dates(api: TestClient, loan_id: str) -> list[date]:
    schedule = runtime_of(api).app.load(Loan, UUID(loan_id), "loan").schedule
    assert schedule is not None
    return [item.due_date for item in schedule.installments]


def disbursed_on(api: TestClient, code: str, number: int) -> str:
    borrower = wang_fang(name=f"Borrower {number}",
                         id_number=resident_id(f"42010619850312{number:03d}"))  # fmt: skip
    loan = applied_loan(api, borrower, product_code=code)
    path = f"/loans/{loan['id']}"
    approved(api, loan)
    ok(api.post(f"{path}/sign", json={"signed_on": str(DISBURSED)}, headers=OFFICER))
    body = {"value_date": str(DISBURSED), "account": "6222021234567890123",
            "channel": "bank", "reference": f"D-{number}"}  # fmt: skip
    ok(api.post(f"{path}/disburse", json=body, headers=OFFICER))
    return str(loan["id"])


def test_close_of_business_loads_each_loan_on_the_days_its_grace_fee_and_penalty_name(
    db_url: str, tmp_path: Path
) -> None:
    with client(opened_on(db_url, tmp_path, date(2026, 1, 1))) as api:
        cob(api, DISBURSED)
        loans: dict[str, str] = {}
        for number, (code, (grace_days, late_fee, rate)) in enumerate(PRODUCTS.items(), 1):
            product = micro_12(code=code, name=code, grace_days=grace_days, late_fee=late_fee,
                               penalty_rate_percent=rate, day_count="actual/365")  # fmt: skip
            ok(api.post("/products", json=product, headers=ADMIN), 201)
            loans[disbursed_on(api, code, number)] = code
        runtime = runtime_of(api)
        wanted: dict[date, set[UUID]] = {}
        for loan_id, code in loans.items():
            for day in review_days(due_dates(api, loan_id), *PRODUCTS[code]):
                wanted.setdefault(day, set()).add(UUID(loan_id))
        loaded: dict[date, set[UUID]] = {}

        def noting(app: LendingApplication, actor: str, day: date, after: int | None) -> int | None:
            if due := set(runtime.loans_to_review(day, after)):
                loaded[day] = due
            return after

        steps = [noting, *runtime.close_of_business_steps()]
        close_of_business(runtime.app, CloseOfBusiness("admin.wu", UNTIL, tuple(steps)))

        assert sorted(loaded.items()) == sorted(wanted.items())
        grace_5 = next(loan_id for loan_id, code in loans.items() if code == "GRACE-5")
        assert UUID(grace_5) in loaded[due_dates(api, grace_5)[0] + timedelta(days=6)]


def test_no_read_model_but_the_product_catalogue_knows_about_grace_days() -> None:
    """The days a late fee falls due are the loan's decision (`PenaltyTerms`); read
    models store it. Only `products` shows the product's grace days as a figure."""
    projections = Path(__file__).parents[2] / "projections"
    knowing = [
        path.name
        for path in sorted(projections.glob("*.py"))
        if re.search("grace", path.read_text(), re.IGNORECASE) and path.name != "products.py"
    ]
    assert knowing == []


def strip_timing(db_url: str, mapper: PydanticMapper) -> int:
    """Rewrite the store as the code before loan timing wrote it: no event states a
    `timing` (nor, so, any hash chain: it came later). The number of events rewritten."""
    return rewrite_events(db_url, mapper, lambda _, state: state.pop("timing", None) is not None)


def test_a_store_from_before_loans_kept_their_timing_is_reviewed_once_then_as_usual(
    db_url: str, tmp_path: Path
) -> None:
    settings = opened_on(db_url, tmp_path, date(2026, 1, 1))
    with client(settings) as api:
        cob(api, DISBURSED)
        loan_id = disbursed_loan(api, on=str(DISBURSED))["id"]
        due = due_dates(api, loan_id)[0]
        cob(api, due + timedelta(days=10))  # DPD 1 and the late fee are recorded
        assert strip_timing(db_url, runtime_of(api).app.mapper) >= 3
    with client(settings) as api:  # a new process: nothing cached from before
        runtime = runtime_of(api)
        runtime.projections.rebuild("arrears")
        old = runtime.app.load(Loan, UUID(loan_id), "loan")
        assert old.timing is None
        reviewed = due + timedelta(days=11)
        assert list(runtime.loans_to_review(reviewed)) == [UUID(loan_id)]
        cob(api, reviewed)
        kinds = [type(e).__name__ for e in runtime.app.events_of(UUID(loan_id))]
        assert kinds[-1] == "Reviewed"
        # The loan's version, as an If-Match must name it, counts the review.
        query = f'{{ loan(id: "{loan_id}") {{ version }} }}'
        found = graphql(api, query, OFFICER, min_position=runtime.projections.head())
        assert found["data"]["loan"]["version"] == len(kinds)
        assert list(runtime.loans_to_review(reviewed + timedelta(days=1))) == []
        end = due + timedelta(days=70)
        cob(api, end)
        events = runtime.app.events_of(UUID(loan_id))
        changes = [e.value_date for e in events if isinstance(e, Loan.DelinquencyChanged)]
        assert changes == [due + timedelta(days=dpd) for dpd in (1, 31, 61)]
        assert [type(e).__name__ for e in events].count("Reviewed") == 1
