"""What keeps webhooks safe: the sealed signing secret, the signature, where they may go.

- The secret is sealed with AES-GCM under the store's `webhooks` data key (wrapped by the
  master keys, in `lending_data_keys`, rotated with them), so neither the event store nor
  the `webhooks` read model holds it readable.
- Deliveries are signed as Standard Webhooks sign them: `webhook-signature: v1,<base64
  HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`. A secret given as
  `whsec_<base64>` signs with the decoded bytes, any other with its UTF-8 bytes.
- In production (unless LENDING_WEBHOOK_ALLOW_PRIVATE) a URL whose host resolves to a
  private, loopback, link-local or otherwise non-global address is refused (SSRF), at
  registration with 422 naming `url`, and again at each delivery (DNS may change).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import socket
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import InvalidValue
from domain.webhook import checked_url

KEY_NAME = "webhooks"
_BOUND = b"webhook secret"
_VERSION = "v1:"


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._cipher = AESGCM(key)

    def __repr__(self) -> str:  # never the key
        return "SecretBox()"

    def seal(self, secret: str) -> str:
        nonce = os.urandom(12)
        sealed = nonce + self._cipher.encrypt(nonce, secret.encode(), _BOUND)
        return _VERSION + base64.b64encode(sealed).decode()

    def open(self, sealed: str) -> str:
        raw = base64.b64decode(sealed.removeprefix(_VERSION))
        return self._cipher.decrypt(raw[:12], raw[12:], _BOUND).decode()


def signing_key(secret: str) -> bytes:
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error:
            pass
    return secret.encode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def check_destination(url: str, allow_private: bool) -> None:
    """InvalidValue naming `url` unless it is http(s) and, when private addresses are not
    allowed, every address its host resolves to is a global one."""
    checked_url(url)
    if allow_private:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise InvalidValue("url", "its host cannot be resolved") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global:
            raise InvalidValue("url", "must not point at a private, loopback or link-local address")
