"""The channels notices go out on: an HTTP SMS gateway and SMTP email.

SMS: Chinese providers send only pre-approved templates, so each message names the
provider's template id (`LENDING_SMS_TEMPLATES`: our template id -> theirs) and its
variables; the gateway gets `POST <url>` with JSON `{phone, template_id, params}` and
the key in `Authorization: Bearer <key>`. Anything but a 2xx is a failure.
Email: one SMTP message per notice (UTF-8, HTML body as rendered with autoescape).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from queue import Empty, SimpleQueue

import httpx

from application.notice_delivery import Message, Sender
from domain.notifications import Channel
from infrastructure.settings import Settings


class SmsGateway:
    """A kept-alive HTTP client for each message in flight, reused: threads that share
    one client wait on its connection pool's lock for each other's requests."""

    def __init__(self, url: str, key: str, templates: dict[str, str], timeout: float = 10.0):
        self.url, self.templates, self.timeout = url, templates, timeout
        self.headers = {"authorization": f"Bearer {key}"} if key else {}  # no key: none sent
        self._idle: SimpleQueue[httpx.Client] = SimpleQueue()
        self._made: list[httpx.Client] = []

    def close(self) -> None:
        for client in self._made:
            client.close()

    def send(self, message: Message) -> None:
        body = {
            "phone": message.to,
            "template_id": self.templates.get(message.template, message.template),
            "params": message.variables,
            "text": message.body,
        }
        client = self._client()
        try:
            client.post(self.url, json=body).raise_for_status()
        finally:
            self._idle.put(client)

    def _client(self) -> httpx.Client:
        try:
            return self._idle.get_nowait()
        except Empty:
            client = httpx.Client(timeout=self.timeout, headers=self.headers)
            self._made.append(client)
            return client


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str, timeout: float = 10.0):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail.set_content(message.body, subtype="html", charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
            server.send_message(mail)


class Unconfigured:
    """A channel with no settings: each notice on it fails, saying so."""

    def send(self, message: Message) -> None:
        raise RuntimeError(f"no {message.channel.value} channel configured")


def sms_channel(settings: Settings) -> Sender:
    """The SMS gateway the settings name, or Unconfigured."""
    url, key, templates = settings.sms_gateway_url, settings.sms_gateway_key, settings.sms_templates
    return SmsGateway(url, key, templates) if url else Unconfigured()


def channels(settings: Settings) -> dict[Channel, Sender]:
    email = SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from)
    return {Channel.SMS: sms_channel(settings), Channel.EMAIL: email}
