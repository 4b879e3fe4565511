"""What a management report is asked for: the checks naming each parameter, and the
month ends a period covers."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidValue
from projections.reports import NAMES, check_format, check_request, month_ends


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("profits", date(2030, 1, 1), date(2030, 2, 1)), "name"),
        (("par_trend", date(2030, 2, 1), date(2030, 1, 31)), "to"),
        (("par_trend", date(2020, 1, 1), date(2030, 1, 1)), "to"),
        (("par_trend", date(2020, 2, 29), date(2030, 2, 28)), "to"),
        (("par_trend", date(2030, 1, 1), date(2030, 2, 1), ["colour"]), "group_by"),
        (("par_trend", date(2030, 1, 1), date(2030, 2, 1), [], "hoped"), "basis"),
    ],
)
def test_a_bad_parameter_is_named(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_request(*args)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_period_just_under_ten_years_and_repeated_dimensions_are_taken() -> None:
    name, _, end, group_by, basis = check_request(
        "vintages", date(2020, 1, 1), date(2029, 12, 31), ["office", "region", "office"]
    )
    assert (name, end, group_by, basis) == (
        "vintages",
        date(2029, 12, 31),
        ("office", "region"),
        "recorded",
    )
    assert set(NAMES) == {"par_trend", "roll_rates", "vintages", "flows", "funnel",
                          "collector_performance"}  # fmt: skip


def test_only_xlsx_csv_and_pdf_are_formats() -> None:
    assert [check_format(f) for f in ("xlsx", "csv", "pdf")] == ["xlsx", "csv", "pdf"]
    with pytest.raises(InvalidValue) as refused:
        check_format("docx")
    assert refused.value.field == "format"


def test_the_month_ends_of_a_period_stop_at_the_business_date() -> None:
    ends = month_ends(date(2030, 1, 15), date(2030, 6, 30), date(2030, 4, 30))
    assert ends == [date(2030, 1, 31), date(2030, 2, 28), date(2030, 3, 31), date(2030, 4, 30)]
    assert month_ends(date(2030, 1, 1), date(2030, 1, 30), date(2030, 6, 1)) == []
    assert month_ends(date(2030, 1, 1), date(2030, 6, 30), None) == []
