"""Settings for the Salesforce adapter: one model per login flow, picked by ``flow``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SecretStr,
    TypeAdapter,
    model_validator,
)

__all__ = [
    "ClientCredentialsSettings",
    "JwtSettings",
    "PasswordSettings",
    "SalesforceSettings",
    "SalesforceSettingsModel",
    "SessionSettings",
    "parse_settings",
]


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: "login", "test" (sandbox) or a My Domain prefix such as "acme.my"
    domain: str = Field("login", pattern=r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
    api_version: str = Field("59.0", pattern=r"^\d{2,3}\.0$")
    timeout_seconds: float = Field(60.0, gt=0)
    max_attempts: int = Field(5, ge=1, le=10)
    backoff_max_seconds: float = Field(30.0, ge=0)
    quota_reserve_percent: float = Field(10.0, ge=0, lt=100)
    quota_reserve_calls: int = Field(0, ge=0)
    bulk_threshold: int = Field(2_000, ge=1)
    bulk_poll_seconds: float = Field(5.0, ge=0)
    integration_user_id: str | None = None


class PasswordSettings(_Common):
    """Username, password and security token (SOAP/OAuth password login)."""

    flow: Literal["password"]
    username: str
    password: SecretStr
    security_token: SecretStr = SecretStr("")


class JwtSettings(_Common):
    """OAuth 2.0 JWT bearer through a connected app; the key inline or as a file path."""

    flow: Literal["jwt"]
    username: str
    consumer_key: str
    private_key: SecretStr | None = None
    private_key_file: Path | None = None

    @model_validator(mode="after")
    def _one_key(self) -> JwtSettings:
        if (self.private_key is None) == (self.private_key_file is None):
            raise ValueError("give exactly one of private_key or private_key_file")
        return self


class ClientCredentialsSettings(_Common):
    """OAuth 2.0 client credentials (connected app with a run-as user)."""

    flow: Literal["client_credentials"]
    consumer_key: str
    consumer_secret: SecretStr

    @model_validator(mode="after")
    def _my_domain(self) -> ClientCredentialsSettings:
        # the token endpoint for this flow is the org's My Domain, never login/test
        if self.domain in ("login", "test"):
            raise ValueError('client_credentials needs the My Domain as domain, e.g. "acme.my"')
        return self


class SessionSettings(_Common):
    """An existing session id and instance URL; it cannot be renewed when it expires.

    ``instance_url`` is honoured as given: ``http://127.0.0.1:PORT`` points the adapter at
    a loopback emulator (the scheme is rewritten under simple-salesforce's hard-coded https).
    """

    flow: Literal["session"]
    session_id: SecretStr
    instance_url: str = Field(pattern=r"^https?://[^/]+$")


SalesforceSettings = Annotated[
    PasswordSettings | JwtSettings | ClientCredentialsSettings | SessionSettings,
    Field(discriminator="flow"),
]


class SalesforceSettingsModel(RootModel[SalesforceSettings]):
    """The settings as one pydantic model (the factory's ``settings_model``)."""


_ADAPTER: TypeAdapter[SalesforceSettings] = TypeAdapter(SalesforceSettings)


def parse_settings(
    raw: object,
) -> PasswordSettings | JwtSettings | ClientCredentialsSettings | SessionSettings:
    """Validate a settings mapping (raises pydantic ``ValidationError`` with every problem)."""
    return _ADAPTER.validate_python(raw)
