"""Settings for the HubSpot adapter: one model per auth flow, secrets as SecretStr."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, SecretStr, model_validator

__all__ = [
    "TIER_BURST_LIMITS",
    "AnySettings",
    "HubSpotSettings",
    "OAuthSettings",
    "PrivateAppSettings",
]

#: requests per rolling ten seconds per app, by HubSpot subscription tier
TIER_BURST_LIMITS = {
    "free": 100,
    "starter": 100,
    "professional": 190,
    "enterprise": 190,
    "api_add_on": 250,
}


class _Common(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field(
        "https://api.hubapi.com", description="API base URL (an emulator's for tests)"
    )
    tier: Literal["free", "starter", "professional", "enterprise", "api_add_on"] = "professional"
    timeout_seconds: float = Field(30.0, gt=0, description="connect and read timeout per request")
    max_attempts: int = Field(5, ge=1, le=20, description="tries per call before giving up")
    backoff_max_seconds: float = Field(30.0, gt=0, description="longest wait between tries")
    burst_limit: int | None = Field(
        None, ge=1, description="requests per 10 s; default from the tier, adjusted by headers"
    )
    search_per_second: int = Field(5, ge=1, description="search requests a second (HubSpot: 5)")
    batch_size: int = Field(100, ge=1, le=100, description="records per batch write")
    search_lag_seconds: float = Field(
        60.0,
        ge=0,
        description="how far search lags writes: incremental reads stop this far before now, "
        "and a create whose answer was lost is searched for this much later",
    )
    buying_role_property: str | None = Field(
        None, description="also fill this native property from cxsync roles (hs_buying_role)"
    )
    feedback_submissions: bool = Field(
        False, description="read HubSpot's own survey responses as a feedback source"
    )
    quota_reserve_percent: float = Field(
        5.0, ge=0, le=50, description="share of the daily limit left for people and other apps"
    )


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
    refresh_margin_seconds: float = Field(
        300.0, ge=0, description="refresh this long before the access token expires"
    )


AnySettings = PrivateAppSettings | OAuthSettings
HubSpotSettings = Annotated[AnySettings, Field(discriminator="flow")]


class HubSpotSettingsModel(RootModel[HubSpotSettings]):
    """``[adapter.hubspot]`` in cxsync.toml (``flow = "private_app"`` or ``"oauth"``)."""

    @model_validator(mode="before")
    @classmethod
    def _private_app_by_default(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "flow" not in data:
            return {**data, "flow": "private_app"}
        return data
