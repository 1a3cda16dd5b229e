"""cxsync adapter for HubSpot (distribution ``cxsync-hubspot``), on hubspot-api-client."""

from cxsync_hubspot.adapter import HubSpotAdapter, HubSpotAdapterFactory
from cxsync_hubspot.settings import HubSpotSettingsModel, OAuthSettings, PrivateAppSettings

__all__ = [
    "HubSpotAdapter",
    "HubSpotAdapterFactory",
    "HubSpotSettingsModel",
    "OAuthSettings",
    "PrivateAppSettings",
]
