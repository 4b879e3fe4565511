"""Development secrets, generated once into the data directory and reused after.

They sit beside the embedded database (`<data dir>/pg`): one copy of the folder takes
the data and the keys that open it. That is what development wants, and why production
refuses to start without LENDING_JWT_SECRET and a cipher key set from outside.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from infrastructure.settings import Environment, Settings

log = logging.getLogger(__name__)


def _read_or_create(path: Path, make: str) -> str:
    """The file's secret; made first if there is none. Two processes starting together
    agree: the file appears whole, once (a hard link refuses to replace it)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(make)
        try:
            os.link(draft, path)
            log.warning("generated a development secret in %s: keep that folder private", path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text().strip()


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


def signing_key(settings: Settings) -> str:
    """The Ed25519 key checkpoints are signed with (LENDING_SIGNING_KEY); in development
    one is generated into the data directory. PEM (PKCS#8) or a base64 32-byte seed."""
    if settings.signing_key:
        return settings.signing_key
    if settings.env is Environment.PRODUCTION:
        raise ValueError("signing checkpoints needs LENDING_SIGNING_KEY in production")
    fresh = Ed25519PrivateKey.generate().private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
    )
    return _read_or_create(settings.data_dir / "signing_key.pem", fresh.decode())
