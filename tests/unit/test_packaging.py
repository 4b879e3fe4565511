"""The install a newcomer runs (`make run`, `make test`) prints no packaging warnings."""

from __future__ import annotations

import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_license_is_an_spdx_expression_not_a_deprecated_table() -> None:
    """setuptools warns at every install about a `project.license` table."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    assert project["license"] == "Apache-2.0"
    build = tomllib.loads(PYPROJECT.read_text())["build-system"]
    # SPDX strings need setuptools 77 or newer.
    assert "setuptools>=77" in build["requires"]
