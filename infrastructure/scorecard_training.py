"""Train a weight-of-evidence logistic scorecard from a CSV of past applications.

1. Split the rows (stratified, fixed seed) into 70% for fitting and 30% held out.
2. Bin each column on the fitting rows: numeric columns by a shallow decision tree
   (at most 8 bins of at least 5% of the rows each, neighbours merged unless their
   bad rates differ at 0.1% significance), categorical columns by level
   (rare levels share an "other" bin, which also takes levels never seen). Missing
   values get their own bin when there are enough of them, else a neutral 0.
3. Replace each bin by its weight of evidence, ln(share of goods / share of bads),
   and keep columns whose information value is at least 0.02.
4. Fit a logistic regression for "bad" on the WoE values. A WoE coefficient must be
   negative (higher WoE, fewer bads); a column that comes out positive is collinear
   with others and is dropped, and the model refitted.
5. Measure AUC, Gini and KS on the held-out rows with the rounded numbers that are
   published, so the metrics describe exactly the model that scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from domain.errors import InvalidValue
from domain.scorecard import (
    CategoryBins,
    Feature,
    Metrics,
    ModelKind,
    NumericBins,
    ScoreModel,
)
from infrastructure.scorecard_data import Column, Dataset, read_dataset

SEED = 20260101
TEST_SHARE = 0.3
MAX_BINS = 8
MIN_BIN_SHARE = 0.05
MIN_BIN_ROWS = 20
MIN_INFORMATION_VALUE = 0.02
CHI_SQUARE_SIGNIFICANT = 10.83  # 0.1% with one degree of freedom
SMOOTHING = 0.5  # added to each bin's counts so an all-good bin has a finite WoE

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int8]


@dataclass(frozen=True)
class Trained:
    model: ScoreModel
    information_values: dict[str, float]
    skipped: dict[str, str]  # column: why it is not in the model


@dataclass(frozen=True)
class _Binned:
    name: str
    bins: NumericBins | CategoryBins
    train: Floats  # WoE of each fitting row
    test: Floats  # WoE of each held-out row
    information_value: float


def train_file(path: Path, target: str, bad_value: str | None = None) -> Trained:
    data = read_dataset(path, target, bad_value)
    trained = train(data)
    rows = len(data.bad)
    description = f"Trained on {path.name}: {rows} rows, {target} = {data.bad_value} is bad"
    return Trained(
        trained.model.model_copy(update={"description": description}),
        trained.information_values,
        trained.skipped,
    )


def train(data: Dataset) -> Trained:
    rows = np.arange(len(data.bad))
    fit_rows, test_rows = train_test_split(
        rows, test_size=TEST_SHARE, stratify=data.bad, random_state=SEED
    )
    y_fit, y_test = data.bad[fit_rows], data.bad[test_rows]
    binned: list[_Binned] = []
    skipped: dict[str, str] = {}
    for column in data.columns:
        reason = _unusable(column)
        found = None if reason else _bin(column, fit_rows, test_rows, y_fit)
        if found is None:
            skipped[column.name] = reason or "holds no usable values"
        elif found.information_value < MIN_INFORMATION_VALUE:
            skipped[column.name] = f"information value {found.information_value:.4f} too low"
        else:
            binned.append(found)
    if not binned:
        raise InvalidValue("file", "no column predicts the target")
    coefficients, intercept = _fit(binned, y_fit, skipped)
    z = intercept + np.column_stack([b.test for b in binned]) @ np.array(coefficients)
    auc = _rounded(float(roc_auc_score(y_test, z)), 4)
    false_positive, true_positive, _ = roc_curve(y_test, z)
    metrics = Metrics(
        auc=auc,
        gini=2 * auc - 1,
        ks=_rounded(float(np.max(true_positive - false_positive)), 4),
        train_rows=len(fit_rows),
        test_rows=len(test_rows),
    )
    features = tuple(
        Feature(name=b.name, coefficient=_rounded(c, 6), encoding=b.bins)
        for b, c in zip(binned, coefficients, strict=True)
    )
    model = ScoreModel(
        kind=ModelKind.LOGISTIC_WOE,
        features=features,
        intercept=_rounded(intercept, 6),
        metrics=metrics,
        target=data.target,
    )
    return Trained(model, {b.name: round(b.information_value, 4) for b in binned}, skipped)


def _unusable(column: Column) -> str | None:
    if column.numbers is not None:
        present = column.numbers[~np.isnan(column.numbers)]
        return None if len(np.unique(present)) > 1 else "has fewer than two distinct values"
    levels = {c for c in column.categories if c is not None}
    if len(levels) < 2:
        return "has fewer than two distinct values"
    if len(levels) > 0.5 * len(column.categories):
        return "looks like an identifier (mostly distinct values)"
    return None


def _fit(binned: list[_Binned], y: Labels, skipped: dict[str, str]) -> tuple[list[float], float]:
    """Coefficients (rounded as published) and intercept; drops wrong-signed columns."""
    while binned:
        matrix = np.column_stack([b.train for b in binned])
        regression = LogisticRegression(max_iter=1000).fit(matrix, y)
        coefficients = [float(_rounded(c, 6)) for c in regression.coef_[0]]
        worst = int(np.argmax(coefficients))
        if coefficients[worst] <= 0 or len(binned) == 1:
            return coefficients, float(_rounded(float(regression.intercept_[0]), 6))
        skipped[binned.pop(worst).name] = "collinear with other columns (reversed sign)"
    return [], 0.0


def _bin(column: Column, fit_rows: npt.NDArray[np.intp], test_rows: npt.NDArray[np.intp],
         y: Labels) -> _Binned | None:  # fmt: skip
    if column.numbers is not None:
        found = _numeric_codes(column.numbers, fit_rows, y)
        if found is None:
            return None
        codes, edges = found
        woe, information = _weights_of_evidence(codes[fit_rows], y, len(edges) + 1)
        bins: NumericBins | CategoryBins = NumericBins(
            edges=edges, values=tuple(woe[i] for i in range(len(edges) + 1)), missing=woe[-1]
        )
    else:
        codes, levels = _category_codes(column.categories, fit_rows)
        woe, information = _weights_of_evidence(codes[fit_rows], y, len(levels) + 1)
        known = {level: woe[i] for i, level in enumerate(levels)}
        bins = CategoryBins(categories=known, other=woe[len(levels)], missing=woe[-1])
    table = np.array([float(woe[code]) for code in range(-1, len(woe) - 1)])
    encoded = table[codes + 1]
    return _Binned(column.name, bins, encoded[fit_rows], encoded[test_rows], information)


def _numeric_codes(
    values: Floats, fit_rows: npt.NDArray[np.intp], y: Labels
) -> tuple[npt.NDArray[np.intp], tuple[Decimal, ...]] | None:
    """Bin codes 0..k (k edges found by a tree on the fitting rows), -1 for missing."""
    x = values[fit_rows]
    present = ~np.isnan(x)
    least = max(MIN_BIN_ROWS, int(MIN_BIN_SHARE * present.sum()))
    if present.sum() < 2 * least:
        return None
    tree = DecisionTreeClassifier(max_leaf_nodes=MAX_BINS, min_samples_leaf=least,
                                  random_state=SEED)  # fmt: skip
    tree.fit(x[present].reshape(-1, 1), y[present])
    splits = tree.tree_.threshold[tree.tree_.feature >= 0]
    # Six significant digits: the edges read the same as float here and as Decimal in scoring.
    edges = sorted({Decimal(f"{t:.6g}") for t in splits})
    edges = _merged(edges, x[present], y[present])
    cut = np.array([float(e) for e in edges])
    codes = np.where(np.isnan(values), -1, np.searchsorted(cut, values, side="left"))
    return codes.astype(np.intp), tuple(edges)


def _merged(edges: list[Decimal], x: Floats, y: Labels) -> list[Decimal]:
    """Drop edges between neighbouring bins whose bad rates do not differ significantly.

    The tree picks the best of many candidate splits, so even pure noise yields splits
    that look good by chance; a strict chi-square test (ChiMerge at 0.1%) removes most.
    """
    while edges:
        codes = np.searchsorted(np.array([float(e) for e in edges]), x, side="left")
        bad = np.bincount(codes, weights=y, minlength=len(edges) + 1)
        total = np.bincount(codes, minlength=len(edges) + 1).astype(float)
        statistics = [
            _chi_square(bad[i], total[i] - bad[i], bad[i + 1], total[i + 1] - bad[i + 1])
            for i in range(len(edges))
        ]
        weakest = int(np.argmin(statistics))
        if statistics[weakest] >= CHI_SQUARE_SIGNIFICANT:
            break
        del edges[weakest]
    return edges


def _chi_square(bad_a: float, good_a: float, bad_b: float, good_b: float) -> float:
    """Pearson's statistic of the 2x2 table of two bins' bad and good counts."""
    rows, bads, goods = (bad_a + good_a) * (bad_b + good_b), bad_a + bad_b, good_a + good_b
    if rows == 0 or bads == 0 or goods == 0:
        return 0.0
    total = bads + goods
    return float(total * (bad_a * good_b - bad_b * good_a) ** 2 / (rows * bads * goods))


def _category_codes(
    categories: list[str | None], fit_rows: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], list[str]]:
    """Codes 0..k-1 for the levels common among the fitting rows, k for other, -1 missing."""
    counts: dict[str, int] = {}
    for i in fit_rows:
        level = categories[i]
        if level is not None:
            counts[level] = counts.get(level, 0) + 1
    least = max(MIN_BIN_ROWS, int(0.01 * len(fit_rows)))
    levels = sorted(level for level, count in counts.items() if count >= least)
    index = {level: i for i, level in enumerate(levels)}
    codes = np.fromiter(
        (-1 if c is None else index.get(c, len(levels)) for c in categories),
        dtype=np.intp,
        count=len(categories),
    )
    return codes, levels


def _weights_of_evidence(codes: npt.NDArray[np.intp], y: Labels, bins: int
                         ) -> tuple[dict[int, Decimal], float]:  # fmt: skip
    """WoE of codes -1 (missing) and 0..bins-1, rounded as published; and the information value."""
    goods, bads = float((y == 0).sum()), float((y == 1).sum())
    woe: dict[int, Decimal] = {}
    information = 0.0
    for code in range(-1, bins):
        inside = codes == code
        bad = float(y[inside].sum())
        good = float(inside.sum()) - bad
        if good + bad < MIN_BIN_ROWS:
            woe[code] = Decimal(0)  # too few rows to say anything: neutral
            continue
        good_share = (good + SMOOTHING) / (goods + SMOOTHING)
        bad_share = (bad + SMOOTHING) / (bads + SMOOTHING)
        woe[code] = _rounded(math.log(good_share / bad_share), 6)
        information += (good / goods - bad / bads) * float(woe[code])
    return woe, information


def _rounded(value: float, places: int) -> Decimal:
    return Decimal(f"{value:.{places}f}")
