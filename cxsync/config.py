"""Configuration: ``cxsync.toml``, ``CXSYNC_*`` environment variables, then CLI flags.

Precedence (highest first): explicit overrides from the CLI, environment variables
(``CXSYNC_`` prefix, ``__`` for nesting: ``CXSYNC_ADAPTER__SALESFORCE__PASSWORD``), the TOML
file, defaults. Every problem is collected and reported at once, before any network call.
Adapter sections stay raw mappings here and are validated by the adapter's own settings
model (where secrets are ``SecretStr``); this module never prints them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from cxsync.errors import ConfigError

__all__ = [
    "CxSyncConfig",
    "FeedbackConfig",
    "FollowUpConfig",
    "HealthConfig",
    "HygieneConfig",
    "RolesConfig",
    "SyncConfig",
    "load_config",
]

DEFAULT_CONFIG_FILE = "cxsync.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HygieneConfig(_Section):
    stale_after_days: int = Field(730, ge=1)
    overrides: Path | None = None
    check_deliverability: bool = False


class RolesConfig(_Section):
    overrides: Path | None = None
    personas: Path | None = None


class FeedbackConfig(_Section):
    folder: Path | None = None
    column_map: str = "default"
    column_map_file: Path | None = None
    rejects_dir: Path | None = None
    default_timezone: str = "UTC"


class HealthConfig(_Section):
    models: Path | None = None


class FollowUpConfig(_Section):
    enabled: bool = True


class SyncConfig(_Section):
    write_batch: int = Field(
        10_000, ge=1, description="changes handed to the adapter at once (it splits them per API)"
    )
    account_batch: int = Field(500, ge=1, description="accounts scored together")
    plan_limit: int = Field(200, ge=0, description="planned changes shown in --dry-run tables")


class CxSyncConfig(BaseSettings):
    """The whole configuration of one cxsync installation."""

    model_config = SettingsConfigDict(
        env_prefix="CXSYNC_",
        env_nested_delimiter="__",
        extra="forbid",
        toml_file=None,
    )

    crm: str = "files"
    scope: str | None = Field(None, description="state-store scope; default: the CRM name")
    store_url: str | None = None
    work_dir: Path = Path(".cxsync")
    field_map: Path | None = None
    adapter: dict[str, dict[str, Any]] = Field(default_factory=dict)
    hygiene: HygieneConfig = Field(default_factory=HygieneConfig)
    roles: RolesConfig = Field(default_factory=RolesConfig)
    feedback: FeedbackConfig = Field(default_factory=FeedbackConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    followups: FollowUpConfig = Field(default_factory=FollowUpConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = _CURRENT_TOML.get("path")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    def adapter_settings(self, name: str | None = None) -> dict[str, Any]:
        """The raw settings table for an adapter (validated by the adapter itself)."""
        return dict(self.adapter.get(name or self.crm, {}))

    @property
    def store_scope(self) -> str:
        return self.scope or self.crm

    def __repr__(self) -> str:  # adapter tables may hold secrets: never show them
        return (
            f"CxSyncConfig(crm={self.crm!r}, scope={self.store_scope!r}, work_dir={self.work_dir})"
        )

    __str__ = __repr__


# pydantic-settings reads the TOML path from a class-level hook; this holds it per load.
_CURRENT_TOML: dict[str, Path | None] = {"path": None}


def load_config(path: Path | str | None = None, **overrides: Any) -> CxSyncConfig:
    """Load configuration, reporting every problem at once as a :class:`ConfigError`.

    Args:
        path: a TOML file; default ``./cxsync.toml`` when it exists.
        **overrides: values from CLI flags, highest precedence.
    """
    toml_path = Path(path) if path is not None else Path(DEFAULT_CONFIG_FILE)
    if path is not None and not toml_path.is_file():
        raise ConfigError(f"config file {toml_path} not found")
    _CURRENT_TOML["path"] = toml_path if toml_path.is_file() else None
    try:
        config = CxSyncConfig(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        where = f"{toml_path}" if _CURRENT_TOML["path"] else "configuration"
        raise ConfigError(f"{where} is invalid", problems) from None
    finally:
        _CURRENT_TOML["path"] = None
    _check_paths(config)
    return config


def _describe(err: Any) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ())) or "config"
    # never echo the offending value: it may be a secret
    return f"{loc}: {err.get('msg', 'invalid')}"


def _check_paths(config: CxSyncConfig) -> None:
    problems = []
    for label, value in (
        ("hygiene.overrides", config.hygiene.overrides),
        ("roles.overrides", config.roles.overrides),
        ("roles.personas", config.roles.personas),
        ("feedback.column_map_file", config.feedback.column_map_file),
        ("health.models", config.health.models),
        ("field_map", config.field_map),
    ):
        if value is not None and not Path(value).is_file():
            problems.append(f"{label}: file {value} not found")
    if config.feedback.folder is not None and not Path(config.feedback.folder).is_dir():
        problems.append(f"feedback.folder: folder {config.feedback.folder} not found")
    if problems:
        raise ConfigError("configuration is invalid", problems)


def environment_has_config() -> bool:
    return any(k.startswith("CXSYNC_") for k in os.environ)
