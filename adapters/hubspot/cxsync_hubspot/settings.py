"""Settings for the HubSpot adapter: one model per auth flow, secrets as SecretStr."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["HubSpotSettings", "OAuthSettings", "PrivateAppSettings"]


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(
        "https://api.hubapi.com", description="API base URL (an emulator's for tests)"
    )
    tier: Literal["free", "starter", "professional", "enterprise", "api_add_on"] = "professional"
    timeout_seconds: float = Field(30.0, gt=0)


class PrivateAppSettings(_Common):
    """A private app's access token (Settings → Integrations → Private apps)."""

    flow: Literal["private_app"] = "private_app"
    access_token: SecretStr


class OAuthSettings(_Common):
    """A public app installed with OAuth: tokens are refreshed before they expire."""

    flow: Literal["oauth"]
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr


HubSpotSettings = Annotated[PrivateAppSettings | OAuthSettings, Field(discriminator="flow")]
