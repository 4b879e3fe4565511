"""`lending serve` speaks TLS itself where no proxy does: LENDING_TLS_CERT and _KEY."""

from __future__ import annotations

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from infrastructure.settings import Settings
from tests.support.processes import lending_env, run, server_process


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, signed by its own key: (certificate, key) files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lending test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.mark.timeout(120)
def test_the_server_answers_over_tls_and_says_to_stay_on_it(
    settings: Settings, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    tls = {"LENDING_TLS_CERT": str(cert), "LENDING_TLS_KEY": str(key)}
    with server_process(settings, env=tls) as (_, url):
        secure = url.replace("http://", "https://")
        trusted = ssl.create_default_context(cafile=str(cert))
        answer = httpx.get(f"{secure}/health", verify=trusted, timeout=30)
        assert answer.status_code == 200
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{url}/health", timeout=10)  # plain HTTP is not spoken


def test_a_certificate_without_its_key_is_refused(settings: Settings, tmp_path: Path) -> None:
    cert, _ = self_signed(tmp_path)
    done = run("serve", env=lending_env(settings, LENDING_TLS_CERT=str(cert)))
    assert done.returncode != 0
    assert "LENDING_TLS_KEY" in done.stdout + done.stderr
