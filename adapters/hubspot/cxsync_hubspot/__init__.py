"""cxsync adapter for HubSpot (distribution ``cxsync-hubspot``).

This release ships the package, its entry point and its validated settings; the sync itself
(reads, batch writes, tasks, properties, the emulator) is not implemented yet, and `create`
says so instead of pretending.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, RootModel, ValidationError, model_validator

from cxsync.adapter import AdapterContext, Capability
from cxsync.errors import ConfigError
from cxsync_hubspot.settings import HubSpotSettings, OAuthSettings, PrivateAppSettings

__all__ = ["HubSpotAdapterFactory", "HubSpotSettingsModel", "OAuthSettings", "PrivateAppSettings"]


class HubSpotSettingsModel(RootModel[HubSpotSettings]):
    """``[adapter.hubspot]`` in cxsync.toml (``flow = "private_app"`` or ``"oauth"``)."""

    @model_validator(mode="before")
    @classmethod
    def _private_app_by_default(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "flow" not in data:
            return {**data, "flow": "private_app"}
        return data


class HubSpotAdapterFactory:
    name = "hubspot"
    capabilities: frozenset[Capability] = frozenset()
    settings_model: type[BaseModel] = HubSpotSettingsModel

    def create(self, settings: Mapping[str, Any], context: AdapterContext) -> Any:
        try:
            HubSpotSettingsModel.model_validate(dict(settings))
        except ValidationError as exc:
            problems = [
                f"adapter.hubspot.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors()
            ]
            raise ConfigError("invalid [adapter.hubspot] settings", problems) from None
        raise ConfigError(
            "the HubSpot adapter cannot sync in this release: its settings are validated, "
            "but reads, writes and the emulator are not implemented yet (use files or salesforce)"
        )
