"""One typed settings object for every process: server, worker, CLI and tests."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from application.notice_templates import check_code_policy
from domain.accounting import AccountingPolicy
from domain.approval import ApprovalPolicy
from domain.credit import CreditPolicy
from domain.errors import InvalidValue
from domain.login_codes import CodePolicy
from domain.risk import DEFAULT_POLICY, RiskPolicy
from domain.staff import LoginPolicy
from infrastructure.rate_limits import RateLimits


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LENDING_", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    # A streaming replica of that server (DATABASE_READ_URL) that GraphQL and the read
    # models' queries read from; commands, the event store and the followers stay on
    # DATABASE_URL. Unset: everything reads the primary.
    database_read_url: str | None = Field(default=None, validation_alias="DATABASE_READ_URL")
    data_dir: Path = Path(".lending")
    env: Environment = Environment.DEVELOPMENT
    jwt_secret: str | None = None
    # The master key (LENDING_CIPHER_KEY, base64 AES-256), or several with ids, newest
    # last (LENDING_CIPHER_KEYS, "id:base64,id:base64"): see infrastructure/keyring.py.
    cipher_key: str | None = None
    cipher_keys: str | None = None
    # The Ed25519 key exported checkpoints are signed with (LENDING_SIGNING_KEY).
    signing_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # TLS for `lending serve` where no proxy terminates it (LENDING_TLS_CERT, the PEM
    # certificate chain, and LENDING_TLS_KEY, its PEM private key): both or neither.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    # The origins browsers may call the API from (LENDING_CORS_ORIGINS, comma separated,
    # e.g. "https://console.example.com"); unset, no cross-origin request is allowed.
    cors_origins: str | None = None
    # Requests per client and per user on /auth/* and on commands (LENDING_RATE_LIMITS,
    # JSON; see infrastructure/rate_limits.py), counted per process.
    rate_limits: RateLimits = RateLimits()
    # The largest request body the HTTP service reads (LENDING_MAX_BODY_BYTES), REST and
    # GraphQL alike; a larger one is answered 413 without being read.
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    # POST /repayments/batch: up to 10,000 rows of a bank or platform file.
    max_batch_body_bytes: int = Field(default=8_388_608, ge=1)
    # The lender's name new contracts show (LENDING_LENDER_NAME); a signing records it.
    lender_name: str = Field(default="Lending Core", min_length=1)
    # The business date a new store opens at (LENDING_OPENING_DATE); default today.
    opening_date: date | None = None
    # LENDING_LOG_LEVEL: what `lending serve` logs (debug shows every library's detail;
    # personal data is never in it, at any level).
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # Risk warning thresholds (LENDING_RISK, JSON; any field of RiskPolicy, e.g.
    # '{"exposure_limit": "800000"}'); unset fields keep the domain's defaults.
    risk: RiskPolicy = DEFAULT_POLICY
    # Credit intake, limits and pricing (LENDING_CREDIT, JSON; any field of CreditPolicy,
    # e.g. '{"base_rate_percent": "3.1", "legal_ceiling_percent": "24"}').
    credit: CreditPolicy = CreditPolicy()
    # Approval levels (LENDING_APPROVAL, JSON; any field of ApprovalPolicy, e.g.
    # '{"automatic_limit": "10000", "automatic_grades": ["A"]}').
    approval: ApprovalPolicy = ApprovalPolicy()
    # Logins (LENDING_LOGIN, JSON; any field of LoginPolicy: max_failures, window_minutes,
    # lockout_minutes, refresh_hours), e.g. '{"max_failures": 3}'.
    login: LoginPolicy = LoginPolicy()
    # How long an access token from /auth/login or /auth/refresh holds.
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Borrowers' one-time login codes (LENDING_BORROWER_CODES, JSON; any field of
    # CodePolicy: digits, valid_minutes, per_hour, max_attempts, and the SMS's language
    # and templates, e.g. '{"templates": [{"id": "login_code", "language": "zh", "body":
    # "验证码{{ code }}"}]}'), and how long the token from /auth/borrower/login holds
    # (LENDING_BORROWER_TOKEN_MINUTES).
    borrower_codes: CodePolicy = CodePolicy()
    borrower_token_minutes: int = Field(default=60, ge=1, le=24 * 60)
    # Payment platforms' callbacks (POST /payments/callback/{channel}): each channel's
    # HMAC secret (LENDING_PAYMENT_CHANNELS, JSON: {"alipay": "<secret>", ...}), and how
    # far a callback's signed timestamp may be from our clock, in seconds.
    payment_channels: dict[str, str] = Field(default_factory=dict)
    payment_signature_tolerance: int = Field(default=300, ge=1, le=3600)
    # An external identity provider whose tokens the API accepts too (RS256/ES256, keys
    # from its JWKS): its issuer (`iss`), the audience its tokens name for this API, and
    # the claim that lists the roles (a dotted path reaches into an object, as in
    # "realm_access.roles"). The JWKS is found by OpenID discovery unless given.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_roles_claim: str = "roles"
    oidc_jwks_url: str | None = None
    # The business event feed (`lending publisher`): the NATS server, the JetStream stream
    # it publishes to (created if missing, holding `<prefix>.>`), the subjects' prefix,
    # the CloudEvents `source`, and how long it waits for the broker's ack (seconds).
    nats_url: str = "nats://127.0.0.1:4222"
    nats_stream: str = "LENDING"
    nats_subject_prefix: str = "lending"
    event_source: str = "urn:lending-core"
    nats_ack_timeout: float = Field(default=5.0, gt=0)
    # Webhooks: whether a URL may point at a private or loopback address (default: only
    # outside production), each delivery's timeout, how long a failing delivery is
    # retried before it is dead-lettered, and its backoff (first and longest wait),
    # all in seconds.
    webhook_allow_private: bool | None = None
    webhook_timeout: float = Field(default=10.0, gt=0)
    webhook_retry_for: float = Field(default=24 * 3600.0, ge=0)
    webhook_backoff_first: float = Field(default=5.0, gt=0)
    webhook_backoff_max: float = Field(default=3600.0, gt=0)
    # Reminders and notices (`lending notifier`): the lender's time zone (quiet hours),
    # the SMS gateway (URL, key, and the provider's template id for each of our template
    # ids, a JSON object), the SMTP server and sender, and the domain staff emails are
    # at (`<username>@<domain>`; unset: staff notices fail as having no address).
    notify_timezone: str = "Asia/Shanghai"
    sms_gateway_url: str | None = None
    sms_gateway_key: str = ""
    sms_templates: dict[str, str] = Field(default_factory=dict)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_from: str = "notices@lending.local"
    staff_email_domain: str | None = None
    # Notices in flight at once: a gateway's answer takes 50-200 ms, so a few senders
    # would leave thousands of reminders waiting for the evening's quiet hours.
    notifier_workers: int = Field(default=16, ge=1, le=256)
    # Close of business's loan review: how many partitions a day's review is split into,
    # for `lending worker --cob` processes to lease, and how long a lease lasts without
    # renewal (a worker renews after every batch; one that dies loses its lease then).
    cob_partitions: int = Field(default=16, ge=1, le=4096)
    cob_lease_seconds: float = Field(default=60.0, gt=0)
    # Repayments over HTTP received a group to a transaction (LENDING_GROUP_COMMIT, on or
    # off): the commands waiting together in a process share one save of the event store
    # (application/group_commit.py). Off, the default: each is saved on its own (on a
    # store over loopback grouping measured no faster, and its p99 longer).
    group_commit: bool = False

    @field_validator("borrower_codes")
    @classmethod
    def _code_templates_checked(cls, policy: CodePolicy) -> CodePolicy:
        try:
            check_code_policy(policy, "LENDING_BORROWER_CODES")
        except InvalidValue as error:  # at start-up, not when a code is sent
            raise ValueError(str(error)) from None
        return policy

    @field_validator("payment_channels")
    @classmethod
    def _channels_by_lower_name(cls, channels: dict[str, str]) -> dict[str, str]:
        return {name.strip().lower(): secret for name, secret in channels.items()}

    @property
    def webhooks_may_be_private(self) -> bool:
        if self.webhook_allow_private is not None:
            return self.webhook_allow_private
        return self.env is not Environment.PRODUCTION

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in (self.cors_origins or "").split(",") if o.strip()]

    @model_validator(mode="after")
    def _tls_needs_both(self) -> Settings:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("TLS needs both LENDING_TLS_CERT and LENDING_TLS_KEY")
        return self

    # Month-end accounting (LENDING_ACCOUNTING, JSON; any field of AccountingPolicy, e.g.
    # '{"non_accrual_days": 60, "provision_rates": {"normal": "0.015", ...}}'): provision
    # rates by five-tier class (all five, fractions) and the DPD that stops accruals.
    accounting: AccountingPolicy = AccountingPolicy()
    # How many years after a borrower's last loan ended its records are kept before the
    # borrower may be erased (LENDING_RETENTION_YEARS; POST /borrowers/{id}/erase).
    retention_years: int = Field(default=5, ge=0, le=100)

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        # A generated development secret must never protect real borrowers' data.
        if self.env is Environment.PRODUCTION:
            missing = [
                name
                for name, value in (
                    ("LENDING_JWT_SECRET", self.jwt_secret),
                    (
                        "LENDING_CIPHER_KEY (or LENDING_CIPHER_KEYS)",
                        self.cipher_key or self.cipher_keys,
                    ),
                    ("DATABASE_URL", self.database_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}")
        if self.oidc_issuer and not self.oidc_audience:
            raise ValueError("LENDING_OIDC_ISSUER needs LENDING_OIDC_AUDIENCE")
        return self
