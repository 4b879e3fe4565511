"""Tokens from an external identity provider (OpenID Connect): RS256 or ES256, signed
with a key from the issuer's JWKS.

PyJWT's PyJWKClient fetches the JWKS and keeps its keys (for `JWKS_LIFESPAN`
seconds); a token naming a key id it does not hold makes it fetch the set again once,
so the issuer may rotate its keys. The JWKS address comes from the issuer's OpenID
discovery document, unless the settings give it.
"""

from __future__ import annotations

import json
import urllib.request
from threading import Lock
from typing import Any

import jwt
from jwt import PyJWKClient

from domain.staff.roles import Role
from infrastructure.tokens import LEEWAY, InvalidToken, User, roles_named

ALGORITHMS = ["RS256", "ES256"]
REQUIRED = ["sub", "iat", "exp", "iss", "aud"]
JWKS_LIFESPAN = 300
FETCH_TIMEOUT = 5


class OidcVerifier:
    def __init__(
        self, issuer: str, audience: str, roles_claim: str = "roles", jwks_url: str | None = None
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.roles_claim = roles_claim
        self._jwks_url = jwks_url
        self._client: PyJWKClient | None = None
        self._lock = Lock()

    def issued_it(self, token: str) -> bool:
        """Whether the token says this issuer issued it (nothing is verified yet)."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return isinstance(claims, dict) and claims.get("iss") == self.issuer

    def verify(self, token: str) -> User:
        """The user the token names; InvalidToken unless the issuer signed it with RS256 or
        ES256, for our audience, with sub, iat and exp, unexpired, and naming a known role."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm not in ALGORITHMS:
                raise InvalidToken(f"the issuer's tokens are {' or '.join(ALGORITHMS)}")
            key = self._keys().get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": REQUIRED},
            )
            roles = roles_named(_known(_claim(claims, self.roles_claim)))
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise InvalidToken(str(error)) from None
        return User(sub=str(claims["sub"]), roles=roles)

    def _keys(self) -> PyJWKClient:
        with self._lock:
            if self._client is None:
                url = self._jwks_url or _discover(self.issuer)
                self._client = PyJWKClient(url, lifespan=JWKS_LIFESPAN, timeout=FETCH_TIMEOUT)
            return self._client


def _discover(issuer: str) -> str:
    address = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(address, timeout=FETCH_TIMEOUT) as answer:
            document = json.load(answer)
    except (OSError, ValueError) as error:
        raise InvalidToken(f"the issuer's discovery document is unavailable: {error}") from None
    url = document.get("jwks_uri") if isinstance(document, dict) else None
    if not isinstance(url, str):
        raise InvalidToken("the issuer's discovery document names no jwks_uri")
    return url


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for name in path.split("."):
        value = value.get(name) if isinstance(value, dict) else None
    return value


def _known(named: Any) -> list[str]:
    """The roles of ours a claim lists (a list, or a space-separated string, as `scope`
    is); an issuer's other roles are not ours to judge."""
    if isinstance(named, str):
        named = named.split()
    if not isinstance(named, list):
        return []
    values = {r.value for r in Role}
    return [r for r in named if isinstance(r, str) and r in values]
