"""Tokens from an external identity provider: a key pair made here, its JWKS and
discovery document served on loopback by a real HTTP server, as an issuer serves them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from tests.support.api import client, graphql
from tests.support.people import wang_fang
from tests.support.settings import suite_settings

AUDIENCE = "lending-api"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Issuer(ThreadingHTTPServer):
    """Serves /.well-known/openid-configuration and /jwks, counting the JWKS fetches."""

    jwks_fetches = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    server: Issuer

    def do_GET(self) -> None:
        if self.path == "/.well-known/openid-configuration":
            body: dict[str, Any] = {
                "issuer": self.server.url,
                "jwks_uri": f"{self.server.url}/jwks",
            }
        elif self.path == "/jwks":
            self.server.jwks_fetches += 1
            rsa_jwk = json.loads(RSAAlgorithm.to_jwk(RSA_KEY.public_key()))
            ec_jwk = json.loads(ECAlgorithm.to_jwk(EC_KEY.public_key()))
            body = {"keys": [rsa_jwk | {"kid": "rsa-1", "use": "sig", "alg": "RS256"},
                             ec_jwk | {"kid": "ec-1", "use": "sig", "alg": "ES256"}]}  # fmt: skip
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    server = Issuer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def api(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory, issuer: Issuer
) -> Iterator[TestClient]:
    settings = suite_settings(module_db_url, Path(tmp_path_factory.mktemp("oidc")) / "data")
    settings = settings.model_copy(update={"oidc_issuer": issuer.url, "oidc_audience": AUDIENCE})
    with client(settings) as test_client:
        yield test_client


def token(issuer: Issuer, key: Any = RSA_KEY, algorithm: str = "RS256", kid: str = "rsa-1",
          **claims: Any) -> dict[str, str]:  # fmt: skip
    now = datetime.now(UTC)
    body = {
        "iss": issuer.url, "aud": AUDIENCE, "sub": "idp|officer.song", "iat": now,
        "exp": now + timedelta(minutes=5), "roles": ["loan_officer", "idp-user"],
    } | claims  # fmt: skip
    encoded = jwt.encode(body, key, algorithm=algorithm, headers={"kid": kid})
    return {"Authorization": f"Bearer {encoded}"}


def status(api: TestClient, headers: dict[str, str]) -> int:
    code: int = api.post(
        "/graphql", json={"query": "{ businessDate }"}, headers=headers
    ).status_code
    return code


def test_an_issuers_rs256_and_es256_tokens_are_accepted_with_their_roles(
    api: TestClient, issuer: Issuer
) -> None:
    rs = token(issuer)
    registered = api.post("/borrowers", json=wang_fang(), headers=rs)
    assert registered.status_code == 201, registered.text
    query = '{ borrowerHistory(id: "ID") { actor } }'.replace("ID", registered.json()["id"])
    history = graphql(api, query, rs)
    assert history["data"]["borrowerHistory"][0]["actor"] == "idp|officer.song"
    es = token(issuer, EC_KEY, "ES256", "ec-1", roles="analyst loan_officer")
    assert status(api, es) == 200
    # Its other roles are the issuer's business: one of ours is enough, none is not.
    assert status(api, token(issuer, roles=["idp-user"])) == 401


def test_the_jwks_is_fetched_once_and_kept(api: TestClient, issuer: Issuer) -> None:
    before = issuer.jwks_fetches
    for _ in range(5):
        assert status(api, token(issuer)) == 200
    assert issuer.jwks_fetches - before <= 1


REFUSED = {
    "wrong audience": {"aud": "another-api"},
    "expired": {
        "exp": datetime.now(UTC) - timedelta(minutes=5),
        "iat": datetime.now(UTC) - timedelta(minutes=10),
    },
    "no subject": {"sub": None},
}


@pytest.mark.parametrize("claims", REFUSED.values(), ids=REFUSED.keys())
def test_a_token_with_a_bad_claim_is_refused(
    api: TestClient, issuer: Issuer, claims: dict[str, Any]
) -> None:
    headers = token(issuer, **claims)
    if claims.get("sub", "") is None:
        raw = jwt.decode(headers["Authorization"][7:], options={"verify_signature": False})
        del raw["sub"]
        headers = {
            "Authorization": "Bearer " + jwt.encode(raw, RSA_KEY, "RS256", headers={"kid": "rsa-1"})
        }
    assert status(api, headers) == 401


def test_a_wrong_issuer_an_unknown_kid_a_stranger_key_and_alg_none_are_refused(
    api: TestClient, issuer: Issuer
) -> None:
    assert status(api, token(issuer, iss="https://idp.example.com")) == 401
    before = issuer.jwks_fetches
    assert status(api, token(issuer, kid="rsa-9")) == 401
    assert issuer.jwks_fetches - before <= 1  # looked for a rotated key, once
    assert status(api, token(issuer, STRANGER)) == 401
    now = datetime.now(UTC)
    claims = {
        "iss": issuer.url, "aud": AUDIENCE, "sub": "x", "roles": ["admin"], "iat": now,
        "exp": now + timedelta(minutes=5),
    }  # fmt: skip
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "rsa-1"})
    assert status(api, {"Authorization": f"Bearer {unsigned}"}) == 401
    # The issuer's public key used as an HMAC secret (algorithm confusion), signed by
    # hand: PyJWT itself refuses to make such a token.
    public = RSA_KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    assert status(api, {"Authorization": f"Bearer {hmac_signed(claims, public)}"}) == 401


def hmac_signed(claims: dict[str, Any], secret: bytes) -> str:
    def part(value: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(value, default=str).encode()).rstrip(b"=")

    header = {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}
    signed = part(header) + b"." + part(claims | {"iat": 1, "exp": 2**33})
    signature = base64.urlsafe_b64encode(hmac.new(secret, signed, hashlib.sha256).digest())
    return (signed + b"." + signature.rstrip(b"=")).decode()
