"""The demo portfolio gives every report figures to show: the month-end reports as
known now (the demo records its whole history on one business date, so nothing was
recorded at the month ends before it), the funnel of the applications it submitted,
and the collectors' actions of the business date."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from interfaces.graphql.router import open_read_pool
from projections.as_of import history_business_date
from projections.reports import NAMES, Report, ReportRequest, check_request, report
from tests.support.demo import DemoStore

START = date(2025, 1, 1)
END = date(2026, 11, 30)


async def every_report(url: str) -> dict[str, Report]:
    found = {}
    async with open_read_pool(url) as pool:
        today = await history_business_date(pool)
        assert today is not None
        for name in NAMES:
            ends = {"funnel": datetime.now(UTC).date(), "collector_performance": today}
            end = ends.get(name, END)
            parts = check_request(name, START, end, ["product"], "current")
            found[name] = await report(pool, ReportRequest(*parts))
    return found


def test_the_demo_fills_every_report(demo: DemoStore) -> None:
    found = asyncio.run(every_report(demo.url))
    empty = {name for name, each in found.items() if not each.rows}
    assert empty == set(), empty
    collectors = found["collector_performance"].records()
    assert {row["collector"] for row in collectors} <= {"collector.zhao", "collector.liu"}
    assert sum(row["actions"] for row in collectors) > 0
    par = found["par_trend"].records()
    assert any(row["par30"] > 0 for row in par)
    assert sum(row["disbursed_count"] for row in found["flows"].records()) > 0
    assert {row["product"] for row in found["vintages"].records()} > set()
