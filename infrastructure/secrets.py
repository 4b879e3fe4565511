"""Development secrets, generated once into the data directory and reused after."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from infrastructure.settings import Settings


def _read_or_create(path: Path, make: str) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(make)
    return make


def jwt_secret(settings: Settings) -> str:
    if settings.jwt_secret:
        return settings.jwt_secret
    return _read_or_create(settings.data_dir / "jwt_secret", secrets.token_urlsafe(48))


def cipher_key(settings: Settings) -> str:
    """An AES-256 key, base64 encoded, as eventsourcing's AESCipher expects."""
    if settings.cipher_key:
        return settings.cipher_key
    fresh = base64.b64encode(secrets.token_bytes(32)).decode()
    return _read_or_create(settings.data_dir / "cipher_key", fresh)
