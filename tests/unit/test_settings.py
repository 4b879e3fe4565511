"""Settings: one typed object, strict in production, mapped onto eventsourcing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from infrastructure import secrets
from infrastructure.database import eventsourcing_env
from infrastructure.settings import Environment, Settings


def test_reads_the_documented_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:pw@db.internal:6543/lending")
    monkeypatch.setenv("LENDING_DATA_DIR", "/var/lib/lending")
    monkeypatch.setenv("LENDING_HOST", "0.0.0.0")
    monkeypatch.setenv("LENDING_PORT", "9000")
    settings = Settings()
    assert settings.database_url == "postgresql://app:pw@db.internal:6543/lending"
    assert settings.data_dir == Path("/var/lib/lending")
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert settings.env is Environment.DEVELOPMENT


@pytest.mark.parametrize("missing", ["LENDING_JWT_SECRET", "LENDING_CIPHER_KEY"])
def test_production_refuses_to_start_without_secrets(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setenv("LENDING_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/lending")
    monkeypatch.setenv("LENDING_JWT_SECRET", "s" * 40)
    monkeypatch.setenv("LENDING_CIPHER_KEY", "k" * 44)
    monkeypatch.delenv(missing)
    with pytest.raises(ValidationError, match=missing):
        Settings()


def test_url_maps_onto_eventsourcing_postgres_settings() -> None:
    env = eventsourcing_env("postgresql://app:pw@db.internal:6543/lending")
    assert env == {
        "POSTGRES_DBNAME": "lending",
        "POSTGRES_HOST": "db.internal",
        "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "app",
        "POSTGRES_PASSWORD": "pw",
    }
    socket = eventsourcing_env("postgresql://postgres@/test?host=/tmp/pg")
    assert socket["POSTGRES_HOST"] == "/tmp/pg"
    assert socket["POSTGRES_PASSWORD"] == ""


def test_development_secrets_are_generated_once_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    jwt_secret, key = secrets.jwt_secret(settings), secrets.cipher_key(settings)
    assert len(jwt_secret) >= 32
    assert secrets.jwt_secret(Settings(data_dir=tmp_path)) == jwt_secret
    assert secrets.cipher_key(Settings(data_dir=tmp_path)) == key
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0
