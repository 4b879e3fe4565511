"""The secrets and settings every test's service runs with."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from infrastructure.settings import Settings

TEST_CIPHER_KEY = "b2QnV2c9k6qv1hL0yq3n8r4TtYzQm2xW5sJfA7uEo1I="
TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-signing"


def suite_settings(db_url: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=data_dir,
        jwt_secret=TEST_JWT_SECRET,
        cipher_key=TEST_CIPHER_KEY,
        # Late enough that every value date in the older tests is in the past.
        opening_date=date(2030, 1, 1),
    )


def opened_on(db_url: str, tmp_path: Path, day: date) -> Settings:
    """The suite's settings for a service whose books open on `day`."""
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        jwt_secret=TEST_JWT_SECRET,
        cipher_key=TEST_CIPHER_KEY,
        opening_date=day,
    )
