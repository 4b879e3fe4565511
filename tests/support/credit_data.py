"""Generated loan histories with a known signal, for training scorecards.

The chance of going bad follows a logistic model in debt-to-income, income, age,
region and employment; `noise` and `loan_ref` carry no signal (the reference is an
identifier a trainer should leave out). Some incomes are missing, and a missing
income is itself a warning sign.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

COLUMNS = (
    "loan_ref", "age", "monthly_income", "debt_to_income", "region", "employment", "noise",
    "status",
)  # fmt: skip
REGIONS = {"Hubei": 0.0, "Hunan": 0.3, "Sichuan": -0.4, "Guangdong": -0.7, "Yunnan": 0.8}
EMPLOYMENT = {"salaried": -0.6, "self_employed": 0.3, "farmer": 0.4, "unemployed": 1.5}


def true_log_odds(row: dict[str, Any]) -> float:
    """The generating model's log-odds of going bad for one row."""
    income = row["monthly_income"]
    income_term = 0.8 if income == "" else -1.2 * np.log(float(income) / 8000)
    return float(
        -2.6
        + 5.5 * (float(row["debt_to_income"]) - 0.35)
        + income_term
        + 0.04 * abs(int(row["age"]) - 42)
        + REGIONS[row["region"]]
        + EMPLOYMENT[row["employment"]]
    )


def histories(count: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    regions, jobs = list(REGIONS), list(EMPLOYMENT)
    ages = rng.integers(20, 66, count)
    incomes = np.round(np.exp(rng.normal(np.log(8000), 0.6, count)), 2)
    missing_income = rng.random(count) < 0.05
    ratios = np.round(rng.beta(2, 4, count) * 1.2, 3)
    region_picks = rng.integers(0, len(regions), count)
    job_picks = rng.choice(len(jobs), count, p=[0.45, 0.3, 0.2, 0.05])
    noise = np.round(rng.normal(0, 1, count), 4)
    draws = rng.random(count)
    rows = []
    for i in range(count):
        row: dict[str, Any] = {
            "loan_ref": f"L{seed:04d}-{i:07d}",
            "age": int(ages[i]),
            "monthly_income": "" if missing_income[i] else f"{incomes[i]:.2f}",
            "debt_to_income": f"{ratios[i]:.3f}",
            "region": regions[region_picks[i]],
            "employment": jobs[job_picks[i]],
            "noise": f"{noise[i]:.4f}",
        }
        bad = draws[i] < 1 / (1 + np.exp(-true_log_odds(row)))
        rows.append(row | {"status": "bad" if bad else "good"})
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path
