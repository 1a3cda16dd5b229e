"""Everything one run needs, built from configuration in one place.

Building a context validates the whole configuration (including the adapter's own
settings) before any network call, so every config problem is reported together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cxsync.adapter import Adapter, AdapterContext
from cxsync.config import CxSyncConfig
from cxsync.errors import ConfigError
from cxsync.models import Persona, utcnow
from cxsync.registry import get_factory
from cxsync.schema import FieldMap, load_field_map

__all__ = ["RunContext", "build_context"]

log = logging.getLogger(__name__)


@dataclass
class RunContext:
    config: CxSyncConfig
    store: Any
    adapter: Adapter
    field_map: FieldMap
    classifier: Any
    tagger: Any
    personas: dict[str, Persona]
    health_models: Any
    now: datetime = field(default_factory=utcnow)

    @property
    def scope(self) -> str:
        return self.config.store_scope

    def close(self) -> None:
        try:
            self.adapter.close()
        finally:
            self.store.close()


def _store_url(config: CxSyncConfig) -> str | None:
    return config.store_url


def build_context(
    config: CxSyncConfig, *, transport: Any = None, now: datetime | None = None
) -> RunContext:
    """Validate everything, open the store, build the domain engines, connect the adapter."""
    from cxsync.health import load_health_models
    from cxsync.hygiene import EmailClassifier
    from cxsync.roles import RoleTagger, load_personas
    from cxsync.store import Store

    factory = get_factory(config.crm)
    problems: list[str] = []
    try:
        factory.settings_model.model_validate(config.adapter_settings())
    except Exception as exc:  # pydantic ValidationError: list fields, never values
        errors = getattr(exc, "errors", None)
        if callable(errors):
            for err in errors():
                loc = ".".join(str(p) for p in err.get("loc", ()))
                problems.append(f"adapter.{config.crm}.{loc}: {err.get('msg')}")
        else:
            problems.append(f"adapter.{config.crm}: {exc}")
    if problems:
        raise ConfigError("configuration is invalid", problems)

    field_map = load_field_map(config.crm, config.field_map)
    classifier = EmailClassifier.from_mappings(config.hygiene.overrides)
    tagger = RoleTagger.from_mappings(config.roles.overrides)
    personas = load_personas(config.roles.personas)
    models = load_health_models(config.health.models)

    work_dir = Path(config.work_dir)
    store = Store.open(config.store_url, work_dir=work_dir)
    try:
        adapter = factory.create(
            config.adapter_settings(),
            AdapterContext(field_map=field_map, work_dir=work_dir, transport=transport),
        )
    except BaseException:
        store.close()
        raise
    return RunContext(
        config=config,
        store=store,
        adapter=adapter,
        field_map=field_map,
        classifier=classifier,
        tagger=tagger,
        personas=personas,
        health_models=models,
        now=now or utcnow(),
    )
