"""Management reports over a period, from the history read models: typed query
functions that hand back a `Report` (named, typed columns and rows), which the GraphQL
field, the REST route and the CLI show or export as they are.

Every report is for the month ends from `start` to `end` (both included) that close of
business has reached, grouped by the dimensions asked for (office, product, region,
officer), on a basis: `recorded` (the books as recorded at each month end: the same
figures whenever it is run) or `current` (as known now: later, backdated events count).
Buckets and tiers are those the read models recorded (recorded) or domain.loan.delinquency
works out (current); PAR and NPL shares are domain.arrears.principal_share's.

  par_trend: per month end, outstanding principal, the part of it over 30 and 90 DPD
    and non-performing, and PAR30, PAR90 and the NPL ratio.
  roll_rates: per month end, the principal outstanding at the month end before in each
    bucket (`from_bucket`) by where it stood at this one (`to_state`: a bucket, or
    closed / written_off), and its share of the from bucket.
  vintages: per disbursement month and months on book (1..N, a month end each), the
    vintage's disbursed principal and the shares of it 30+ and 90+ DPD then.
  flows: per month end, what moved in the month (projections/report_flows.py).
  funnel: applications submitted in the period and their outcomes
    (projections/report_funnel.py).
  collector_performance: per collector, actions, promises and what the loans received
    after them (projections/report_collectors.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg_pool import AsyncConnectionPool

from domain.arrears import Bucket, Classification, buckets_past, is_non_performing
from domain.arrears import principal_share as share
from domain.errors import InvalidValue
from projections.as_of import history_business_date
from projections.reads import Row
from projections.report_collectors import collector_performance
from projections.report_flows import DUE, flows
from projections.report_funnel import funnel
from projections.report_positions import DATE, DIMENSIONS, INT, MONEY, RATIO, TEXT, positions

BASES = ("recorded", "current")
FORMATS = ("xlsx", "csv", "pdf")
MAX_YEARS = 10
PAST_30 = {b.value for b in buckets_past(30)}
PAST_90 = {b.value for b in buckets_past(90)}
NON_PERFORMING = {t.value for t in Classification if is_non_performing(t)}
TO_STATES = (*(b.value for b in Bucket), "closed", "written_off")


@dataclass(frozen=True)
class ReportRequest:
    name: str
    start: date
    end: date
    group_by: tuple[str, ...] = ()
    basis: str = "recorded"
    offices: Collection[UUID] | None = None  # the caller's reach (None: all)


@dataclass
class Report:
    name: str
    start: date
    end: date
    basis: str
    group_by: tuple[str, ...]
    business_date: date | None
    columns: list[tuple[str, str]]  # (name, kind)
    rows: list[list[Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        names = [name for name, _ in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def check_request(
    name: str, start: date, end: date, group_by: Sequence[str] = (), basis: str = "recorded"
) -> tuple[str, date, date, tuple[str, ...], str]:
    """The request's parts, or InvalidValue naming the parameter that is wrong."""
    if name not in NAMES:
        raise InvalidValue("name", f"unknown report; one of {', '.join(NAMES)}")
    if end < start:
        raise InvalidValue("to", "must not be before from")
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = start.replace(year=start.year + MAX_YEARS, day=28)
    if end >= limit:
        raise InvalidValue("to", f"the period must be shorter than {MAX_YEARS} years")
    for dimension in group_by:
        if dimension not in DIMENSIONS:
            raise InvalidValue("group_by", f"unknown dimension {dimension!r}; one of "
                               f"{', '.join(DIMENSIONS)}")  # fmt: skip
    if basis not in BASES:
        raise InvalidValue("basis", f"one of {', '.join(BASES)}")
    return name, start, end, tuple(dict.fromkeys(group_by)), basis


def check_format(format: str) -> str:
    if format not in FORMATS:
        raise InvalidValue("format", f"one of {', '.join(FORMATS)}")
    return format


def month_ends(start: date, end: date, reached: date | None) -> list[date]:
    """The month ends from `start` to `end` that close of business has reached."""
    found = []
    month = start.replace(day=1)
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        last = following - timedelta(days=1)
        if start <= last <= end and reached is not None and last <= reached:
            found.append(last)
        month = following
    return found


def _dims(report: ReportRequest) -> list[tuple[str, str]]:
    return [(d, TEXT) for d in report.group_by]


def _summed(rows: list[Row], key: Callable[[Row], tuple[Any, ...]]) -> dict[Any, list[Row]]:
    groups: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return dict(sorted(groups.items(), key=lambda item: [str(k) for k in item[0]]))


def par_trend(
    request: ReportRequest, rows: list[Row]
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    columns = [("month_end", DATE), *_dims(request), ("loans", INT),
               ("outstanding_principal", MONEY), ("par30_principal", MONEY),
               ("par90_principal", MONEY), ("npl_principal", MONEY), ("par30", RATIO),
               ("par90", RATIO), ("npl_ratio", RATIO)]  # fmt: skip
    out = []
    key = _key(request, "month_end")
    for group, found in _summed(rows, key).items():
        total = sum((r["principal"] for r in found), Decimal(0))
        p30 = sum((r["principal"] for r in found if r["bucket"] in PAST_30), Decimal(0))
        p90 = sum((r["principal"] for r in found if r["bucket"] in PAST_90), Decimal(0))
        npl = sum(
            (r["principal"] for r in found if r["classification"] in NON_PERFORMING), Decimal(0)
        )
        loans = sum(r["loans"] for r in found if r["status"] == "active")
        out.append([*group, loans, total, p30, p90, npl,
                    share(p30, total), share(p90, total), share(npl, total)])  # fmt: skip
    return columns, out


def _key(request: ReportRequest, *first: str) -> Callable[[Row], tuple[Any, ...]]:
    names = (*first, *request.group_by)
    return lambda row: tuple(row[n] for n in names)


def roll_rates(
    request: ReportRequest, rows: list[Row]
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    columns = [("month_end", DATE), *_dims(request), ("from_bucket", TEXT),
               ("to_state", TEXT), ("principal", MONEY), ("share", RATIO)]  # fmt: skip
    moved: dict[tuple[Any, ...], dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(TO_STATES, Decimal(0))
    )
    for row in rows:
        if row["prev_status"] != "active":
            continue
        to = row["bucket"] if row["status"] == "active" else row["status"]
        group = (row["month_end"], *(row[d] for d in request.group_by), row["prev_bucket"])
        moved[group][to] += row["prev_principal"]
    order = {b.value: n for n, b in enumerate(Bucket)}
    out = []
    for group in sorted(moved, key=lambda g: ([str(k) for k in g[:-1]], order[g[-1]])):
        total = sum(moved[group].values(), Decimal(0))
        for to, amount in moved[group].items():
            out.append([*group, to, amount, share(amount, total)])
    return columns, out


def months_on_book(disbursement_month: str, month_end: date) -> int:
    year, month = (int(part) for part in disbursement_month.split("-"))
    return (month_end.year - year) * 12 + month_end.month - month


def vintages(
    request: ReportRequest, rows: list[Row]
) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    columns = [("disbursement_month", TEXT), *_dims(request), ("months_on_book", INT),
               ("month_end", DATE), ("disbursed", MONEY), ("principal_30_plus", MONEY),
               ("principal_90_plus", MONEY), ("share_30_plus", RATIO),
               ("share_90_plus", RATIO)]  # fmt: skip
    out = []
    key = _key(request, "disbursement_month")
    for group, found in _summed(rows, key).items():
        by_end: dict[date, list[Row]] = defaultdict(list)
        for row in found:
            by_end[row["month_end"]].append(row)
        for month_end in sorted(by_end):
            mob = months_on_book(group[0], month_end)
            if mob < 1:
                continue
            at = by_end[month_end]
            disbursed = sum((r["disbursed"] for r in at), Decimal(0))
            active = [r for r in at if r["status"] == "active"]
            p30 = sum((r["principal"] for r in active if r["bucket"] in PAST_30), Decimal(0))
            p90 = sum((r["principal"] for r in active if r["bucket"] in PAST_90), Decimal(0))
            out.append([group[0], *group[1:], mob, month_end, disbursed, p30, p90,
                        share(p30, disbursed), share(p90, disbursed)])  # fmt: skip
    return columns, out


Builder = Callable[..., tuple[list[tuple[str, str]], list[list[Any]]]]
REPORTS: dict[str, Builder] = {
    "par_trend": par_trend,
    "roll_rates": roll_rates,
    "vintages": vintages,
    "flows": flows,
}
# What a report reads besides the positions (called with the same arguments).
EXTRA = {"flows": DUE}
# Reports that read their own read models, not the positions.
STANDALONE = {"funnel": funnel, "collector_performance": collector_performance}
NAMES = (*REPORTS, *STANDALONE)


async def report(pool: AsyncConnectionPool, request: ReportRequest) -> Report:
    """The report `request` names, from the month-end positions of its period."""
    reached = await history_business_date(pool)
    if request.name in STANDALONE:
        columns, rows = await STANDALONE[request.name](pool, request)
        return Report(request.name, request.start, request.end, request.basis,
                      request.group_by, reached, columns, rows)  # fmt: skip
    ends = month_ends(request.start, request.end, reached)
    found = await positions(
        pool, ends, request.group_by, request.offices, request.basis == "current"
    )
    extra = [found]
    if request.name in EXTRA:
        extra.append(await EXTRA[request.name](pool, ends, request.group_by, request.offices))
    columns, rows = REPORTS[request.name](request, *extra)
    return Report(request.name, request.start, request.end, request.basis,
                  request.group_by, reached, columns, rows)  # fmt: skip
