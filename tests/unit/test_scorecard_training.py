"""Training a scorecard from a CSV: recovering a known signal, and refusing bad files."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sklearn.metrics import roc_auc_score

from domain.errors import InvalidValue
from domain.scorecard import CategoryBins, ModelKind, NumericBins, ScoreModel
from infrastructure.scorecard_training import Trained, train_file
from tests.support.credit_data import histories, write_csv


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    path = tmp_path_factory.mktemp("scorecard") / "histories.csv"
    return train_file(write_csv(path, histories(3000, seed=11)), "status")


def held_out_auc(model: ScoreModel, rows: list[dict[str, Any]]) -> float:
    pds = [float(model.assess(row, version=2).pd) for row in rows]
    return float(roc_auc_score([row["status"] == "bad" for row in rows], pds))


def test_training_recovers_the_known_signal(trained: Trained) -> None:
    model, metrics = trained.model, trained.model.metrics
    assert model.kind is ModelKind.LOGISTIC_WOE
    assert metrics is not None
    assert metrics.auc >= Decimal("0.75")
    assert metrics.gini == 2 * metrics.auc - 1
    assert Decimal("0.3") < metrics.ks < 1
    assert (metrics.train_rows, metrics.test_rows) == (2100, 900)
    assert held_out_auc(model, histories(1500, seed=12)) >= 0.75
    assert {"debt_to_income", "monthly_income", "region", "employment"} <= set(model.feature_names)
    assert "noise" not in model.feature_names
    assert trained.skipped["loan_ref"].startswith("looks like an identifier")
    assert (model.target, model.description) == (
        "status", "Trained on histories.csv: 3000 rows, status = bad is bad"
    )  # fmt: skip


def test_bins_follow_the_generating_model(trained: Trained) -> None:
    features = {f.name: f for f in trained.model.features}
    assert all(f.coefficient < 0 for f in features.values())  # higher WoE, fewer bads
    debt = features["debt_to_income"].encoding
    assert isinstance(debt, NumericBins)
    assert list(debt.values) == sorted(debt.values, reverse=True)  # more debt, more bads
    # A missing income is itself a warning sign in the data, so its bin has fewer goods.
    income = features["monthly_income"].encoding
    assert isinstance(income, NumericBins)
    assert income.missing < 0
    employment = features["employment"].encoding
    assert isinstance(employment, CategoryBins)
    ranked = sorted(employment.categories, key=lambda level: employment.categories[level])
    assert ranked == ["unemployed", "farmer", "self_employed", "salaried"]


def test_training_is_deterministic(tmp_path: Path, trained: Trained) -> None:
    path = write_csv(tmp_path / "histories.csv", histories(3000, seed=11))
    assert train_file(path, "status").model == trained.model


def test_categories_read_like_scoring_reads_them(trained: Trained) -> None:
    region = {f.name: f.encoding for f in trained.model.features}["region"]
    assert isinstance(region, CategoryBins)
    assert sorted(region.categories) == ["guangdong", "hubei", "hunan", "sichuan", "yunnan"]
    assert region.value_of(" GUANGDONG ") == region.categories["guangdong"]
    assert region.value_of("Atlantis") == region.other
    assert region.value_of(None) == region.missing
    assert trained.model.assess({"region": "Atlantis"}, 2).reasons


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def outcomes_csv(path: Path, bad: str, good: Callable[[int], str], delimiter: str = ",") -> Path:
    """The generated histories (a known signal) with the outcome spelt `bad` or `good(i)`."""
    rows = histories(1000, seed=3)
    header = delimiter.join(["debt_to_income", "region", "outcome"])
    lines = [
        delimiter.join(
            [row["debt_to_income"], row["region"], bad if row["status"] == "bad" else good(i)]
        )
        for i, row in enumerate(rows)
    ]
    return write(path, "\n".join([header, *lines]) + "\n")


def test_the_bad_value_is_found_or_named(tmp_path: Path) -> None:
    inferred = train_file(outcomes_csv(tmp_path / "a.csv", "1", lambda _: "0"), "outcome")
    assert inferred.model.description.endswith("outcome = 1 is bad")
    three = outcomes_csv(tmp_path / "b.csv", "charged_off", lambda i: ["current", "paid"][i % 2])
    with pytest.raises(InvalidValue) as refused:
        train_file(three, "outcome")
    assert refused.value.field == "target"
    named = train_file(three, "outcome", "Charged_Off")
    assert named.model.description.endswith("outcome = charged_off is bad")
    with pytest.raises(InvalidValue) as absent:
        train_file(three, "outcome", "written_off")
    assert absent.value.field == "bad_value"
    with pytest.raises(InvalidValue, match="cannot tell"):
        train_file(outcomes_csv(tmp_path / "c.csv", "p", lambda _: "q"), "outcome")


def test_semicolons_a_byte_order_mark_and_unlabelled_rows_are_fine(tmp_path: Path) -> None:
    path = outcomes_csv(
        tmp_path / "semi.csv", "BAD", lambda i: "good" if i % 10 else "", delimiter=";"
    )
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    trained = train_file(path, "outcome")
    assert trained.model.feature_names == ("debt_to_income", "region")
    assert trained.model.metrics is not None
    unlabelled = sum(1 for i, row in enumerate(histories(1000, seed=3))
                     if row["status"] == "good" and i % 10 == 0)  # fmt: skip
    metrics = trained.model.metrics
    assert metrics.train_rows + metrics.test_rows == 1000 - unlabelled


@pytest.mark.parametrize(
    ("text", "target", "field"),
    [
        ("a,b\n1,2\n", "status", "target"),
        ("a,a,status\n1,2,good\n", "status", "file"),
        ("a,status\n1,good\n2\n", "status", "file"),
        ("a,status\n" + "1,good\n" * 50 + "2,bad\n" * 5, "status", "target"),
        ("", "status", "file"),
    ],
)
def test_unusable_files_are_refused_naming_why(
    tmp_path: Path, text: str, target: str, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        train_file(write(tmp_path / "bad.csv", text), target)
    assert refused.value.field == field


def test_a_file_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidValue) as refused:
        train_file(tmp_path / "missing.csv", "status")
    assert refused.value.field == "file"
    labels = ["bad" if i % 2 else "good" for i in range(200)]
    noise = "\n".join(f"{i % 7},{label}" for i, label in enumerate(labels))
    with pytest.raises(InvalidValue, match="no column predicts"):
        train_file(write(tmp_path / "noise.csv", "weekday,status\n" + noise), "status")
