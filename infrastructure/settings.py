"""One typed settings object for every process: server, worker, CLI and tests."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.accounting import AccountingPolicy
from domain.approval import ApprovalPolicy
from domain.credit import CreditPolicy
from domain.risk import DEFAULT_POLICY, RiskPolicy


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LENDING_", extra="ignore")

    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Path(".lending")
    env: Environment = Environment.DEVELOPMENT
    jwt_secret: str | None = None
    cipher_key: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # The largest request body the HTTP service reads (LENDING_MAX_BODY_BYTES), REST and
    # GraphQL alike; a larger one is answered 413 without being read.
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    # The business date a new store opens at (LENDING_OPENING_DATE); default today.
    opening_date: date | None = None
    # Risk warning thresholds (LENDING_RISK, JSON; any field of RiskPolicy, e.g.
    # '{"exposure_limit": "800000"}'); unset fields keep the domain's defaults.
    risk: RiskPolicy = DEFAULT_POLICY
    # Credit intake, limits and pricing (LENDING_CREDIT, JSON; any field of CreditPolicy,
    # e.g. '{"base_rate_percent": "3.1", "legal_ceiling_percent": "24"}').
    credit: CreditPolicy = CreditPolicy()
    # Approval levels (LENDING_APPROVAL, JSON; any field of ApprovalPolicy, e.g.
    # '{"automatic_limit": "10000", "automatic_grades": ["A"]}').
    approval: ApprovalPolicy = ApprovalPolicy()
    # Month-end accounting (LENDING_ACCOUNTING, JSON; any field of AccountingPolicy, e.g.
    # '{"non_accrual_days": 60, "provision_rates": {"normal": "0.015", ...}}'): provision
    # rates by five-tier class (all five, fractions) and the DPD that stops accruals.
    accounting: AccountingPolicy = AccountingPolicy()

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        # A generated development secret must never protect real borrowers' data.
        if self.env is Environment.PRODUCTION:
            missing = [
                name
                for name, value in (
                    ("LENDING_JWT_SECRET", self.jwt_secret),
                    ("LENDING_CIPHER_KEY", self.cipher_key),
                    ("DATABASE_URL", self.database_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"production needs {', '.join(missing)}")
        return self
