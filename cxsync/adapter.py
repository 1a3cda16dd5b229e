"""The adapter protocol: what a CRM adapter must offer the core.

An adapter is built by a factory registered under the entry-point group
``cxsync.adapters``. The factory names the adapter, declares its settings model and
capabilities, and builds a connected :class:`Adapter` from validated settings plus an
:class:`AdapterContext` (field map, working folder, an injectable HTTP transport).

Adapters take and return cxsync models only. Every vendor or HTTP-library exception is
translated at the boundary into the :mod:`cxsync.errors` tree (``raise … from exc``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from cxsync.models import ActivityNote, FieldChange, FollowUpTask, Page, WriteResult
from cxsync.schema import FieldMap, FieldSpec, SchemaPlan

__all__ = [
    "Adapter",
    "AdapterContext",
    "AdapterFactory",
    "ApiUsage",
    "Capability",
    "ConnectionInfo",
]


class Capability(StrEnum):
    READ = "read"
    INCREMENTAL = "incremental"
    WRITE_FIELDS = "write_fields"
    TASKS = "tasks"
    NOTES = "notes"
    SCHEMA = "schema"
    FEEDBACK = "feedback"
    DETECT_DELETES = "detect_deletes"


@dataclass(frozen=True)
class ConnectionInfo:
    """What `check()` learned. Never holds a secret."""

    adapter: str
    endpoint: str
    user: str | None = None
    detail: str = ""


@dataclass
class ApiUsage:
    """API calls this adapter made since it was built, and the CRM's budget if known."""

    read_calls: int = 0
    write_calls: int = 0
    daily_limit: int | None = None
    daily_remaining: int | None = None
    throttled: int = 0  # rate-limit answers waited out (never surfaced as failures)
    by_endpoint: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read_calls": self.read_calls,
            "write_calls": self.write_calls,
            "daily_limit": self.daily_limit,
            "daily_remaining": self.daily_remaining,
            "throttled": self.throttled,
        }


@dataclass(frozen=True)
class AdapterContext:
    """What the core hands an adapter besides its settings.

    Attributes:
        field_map: canonical ↔ vendor names for the cxsync fields.
        work_dir: a folder the adapter may keep files in (the store's folder).
        transport: an injected HTTP session/pool for tests and proxies; None = default.
    """

    field_map: FieldMap
    work_dir: Path
    transport: Any = None


@runtime_checkable
class Adapter(Protocol):
    """A connected CRM adapter.

    Streams yield :class:`Page` objects whose ``records`` are :class:`Account` or
    :class:`Contact` models and whose ``cursor`` is an opaque string: passing it back as
    ``since`` resumes after that page. Write verbs take any number of items, batch them as
    the API allows, and return exactly one :class:`WriteResult` per item, in order; a
    per-record refusal is a result with ``ok=False``, never an exception.
    """

    name: str
    capabilities: frozenset[Capability]

    def check(self) -> ConnectionInfo:
        """Verify credentials and reachability (one cheap call)."""
        ...

    def stream_accounts(self, since: str | None = None) -> Iterator[Page]:
        """Accounts changed after ``since`` (all of them when None), page by page."""
        ...

    def stream_contacts(self, since: str | None = None) -> Iterator[Page]:
        """Contacts changed after ``since``, page by page; deleted ones with ``deleted=True``."""
        ...

    def apply_changes(self, changes: Sequence[FieldChange]) -> list[WriteResult]:
        """Write field values; one result per change, in order."""
        ...

    def create_tasks(self, tasks: Sequence[FollowUpTask]) -> list[WriteResult]:
        """Create follow-up tasks; a task whose key already exists in the CRM is not re-created."""
        ...

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these task keys already exist in the CRM (for crash recovery)."""
        ...

    def create_notes(self, notes: Sequence[ActivityNote]) -> list[WriteResult]:
        """Log field notes on their contact and account."""
        ...

    def existing_note_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these note keys already exist in the CRM (for crash recovery)."""
        ...

    def plan_schema(self, fields: Sequence[FieldSpec]) -> SchemaPlan:
        """What installing these fields would do; reads only."""
        ...

    def apply_schema(self, plan: SchemaPlan) -> SchemaPlan:
        """Carry out a plan; never changes a conflicting field."""
        ...

    def usage(self) -> ApiUsage:
        """API calls made so far and the remaining budget, if the CRM reports it."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class AdapterFactory(Protocol):
    """What the ``cxsync.adapters`` entry point resolves to."""

    name: str
    capabilities: frozenset[Capability]
    settings_model: type[BaseModel]

    def create(self, settings: Mapping[str, Any], context: AdapterContext) -> Adapter:
        """Validate ``settings`` (raise ConfigError listing every problem) and connect."""
        ...
