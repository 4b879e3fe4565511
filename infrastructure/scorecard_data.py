"""Read a CSV of past applications for scorecard training: the outcome and the columns.

Any CSV with a header row will do. Each column is typed from its values: numeric
when every present value reads as a number, categorical otherwise. Values are read
the way scoring reads them (domain.scorecard.values), so a model sees the same
input at training and at scoring.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from domain.errors import InvalidValue
from domain.scorecard import as_category, as_number, is_missing_text

# Outcome values that mean "bad" when --bad-value is not given.
BAD_WORDS = frozenset({"1", "bad", "yes", "y", "true", "t", "default", "defaulted"})
MIN_CLASS_ROWS = 20


@dataclass
class Column:
    name: str
    numbers: npt.NDArray[np.float64] | None = None  # NaN where missing
    categories: list[str | None] = field(default_factory=list)  # None where missing


@dataclass(frozen=True)
class Dataset:
    target: str
    bad_value: str
    bad: npt.NDArray[np.int8]  # 1 for bad, 0 for good
    columns: tuple[Column, ...]


def read_dataset(path: Path, target: str, bad_value: str | None = None) -> Dataset:
    header, rows = _read_rows(path)
    if target not in header:
        raise InvalidValue("target", f"{target!r} is not a column; the columns are {header}")
    at = header.index(target)
    outcomes = [as_category(row[at]) for row in rows]
    labelled = [row for row, outcome in zip(rows, outcomes, strict=True) if outcome is not None]
    known = [outcome for outcome in outcomes if outcome is not None]
    bad = _bad_value(set(known), target, bad_value)
    flags = np.fromiter((outcome == bad for outcome in known), dtype=np.int8, count=len(known))
    for label, count in (("bad", int(flags.sum())), ("good", int(len(flags) - flags.sum()))):
        if count < MIN_CLASS_ROWS:
            raise InvalidValue("target", f"needs at least {MIN_CLASS_ROWS} {label} rows")
    columns = tuple(
        _typed(name, [row[i] for row in labelled])
        for i, name in enumerate(header)
        if name != target
    )
    return Dataset(target, bad, flags, columns)


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            sample = handle.read(65536)
            handle.seek(0)
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t|")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(handle, dialect)
            header = [name.strip() for name in next(reader, [])]
            rows = [row for row in reader if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InvalidValue("file", f"cannot read {path}: {error}") from None
    if not header or any(not name for name in header) or len(set(header)) != len(header):
        raise InvalidValue("file", "the first line must name every column, each once")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InvalidValue("file", f"a row near line {number} has {len(row)} fields, "
                               f"the header {len(header)}")  # fmt: skip
    return header, rows


def _bad_value(outcomes: set[str], target: str, given: str | None) -> str:
    if given is not None:
        bad = as_category(given)
        if bad is None or bad not in outcomes:
            raise InvalidValue("bad_value", f"no row has {target} = {given!r}")
        return bad
    if len(outcomes) != 2:
        raise InvalidValue(
            "target", f"{target} has {len(outcomes)} distinct values; name the bad one"
        )
    bad_ones = [v for v in outcomes if v in BAD_WORDS or as_number(v) == 1]
    if len(bad_ones) != 1:
        raise InvalidValue("target", f"cannot tell which of {sorted(outcomes)} is bad; name it")
    return bad_ones[0]


def _typed(name: str, values: list[str]) -> Column:
    numbers = np.full(len(values), np.nan)
    for i, text in enumerate(values):
        if is_missing_text(text):
            continue
        try:
            number = float(text)
        except ValueError:
            return Column(name, categories=[as_category(v) for v in values])
        # Scoring reads infinities as missing; so does training.
        if math.isfinite(number):
            numbers[i] = number
    return Column(name, numbers=numbers)
