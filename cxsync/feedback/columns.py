"""Which file column holds which canonical feedback field: the column map and its presets.

A map lists, per canonical field, the header names it may appear under (matched ignoring
case, accents and punctuation; a trailing ``*`` matches any header starting with the rest,
for survey tools that put the whole question text in the header). ``wide`` columns hold a
score each for one metric (``nps``, ``csat``…). ``defaults`` fill fields the export lacks
(``channel = "email"`` for a survey tool). Presets live in ``mappings/feedback_columns.toml``;
an admin's own TOML file in the same format can add or replace them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cxsync.errors import MappingError
from cxsync.feedback.values import DateOrder, timezone_named
from cxsync.feedback.vocab import fold, parse_metric
from cxsync.models import Metric
from cxsync.resources import load_toml, mappings_dir

__all__ = ["CANONICAL_COLUMNS", "BoundColumns", "ColumnMap", "column_maps", "load_column_map"]

CANONICAL_COLUMNS = (
    "response_id",
    "contact_id",
    "email",
    "metric",
    "score",
    "phase",
    "channel",
    "submitted_at",
    "comment",
    "action_required",
)

CanonicalColumn = Literal[
    "response_id",
    "contact_id",
    "email",
    "metric",
    "score",
    "phase",
    "channel",
    "submitted_at",
    "comment",
    "action_required",
]


class ColumnMap(BaseModel):
    """How one export layout names the canonical feedback fields.

    Attributes:
        name: the preset name.
        columns: canonical field → header names it may appear under, tried in order.
        wide: metric → header names of a column holding that metric's score.
        defaults: canonical field → value used when the row has none.
        derive_response_id: rows without a response id get a stable one hashed from the
            row's content instead of being rejected.
        timezone: the zone of times written without one (None: the importer's default).
        date_order: how to read ``01/02/2026``: ``auto`` (month first unless impossible),
            ``dmy`` or ``mdy``. Dotted dates are always day first in ``auto``.
        skip_rows: lines after the header that are not data (extra header rows).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "default"
    description: str = ""
    columns: dict[CanonicalColumn, tuple[str, ...]] = Field(default_factory=dict)
    wide: dict[Metric, tuple[str, ...]] = Field(default_factory=dict)
    defaults: dict[CanonicalColumn, str] = Field(default_factory=dict)
    derive_response_id: bool = False
    timezone: str | None = None
    date_order: DateOrder = "auto"
    skip_rows: int = Field(0, ge=0)

    @field_validator("wide", mode="before")
    @classmethod
    def _metric_spellings(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out: dict[Any, Any] = {}
        for key, names in value.items():
            metric = parse_metric(str(key))
            out[metric if metric is not None else key] = names
        return out

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            timezone_named(value)
        return value

    def names_for(self, field: str) -> tuple[str, ...]:
        """Header names for a canonical field: the configured ones, then the field's own."""
        configured = self.columns.get(field, ())  # type: ignore[call-overload]
        return (*configured, field)

    def bind(self, headers: Iterable[str]) -> BoundColumns:
        """Resolve this map against one file's header names."""
        folded = [(h, fold(h)) for h in headers]
        columns = {}
        for field in CANONICAL_COLUMNS:
            found = _find(self.names_for(field), folded)
            if found is not None:
                columns[field] = found
        taken = set(columns.values())
        wide = {}
        for metric in Metric:
            found = _find((*self.wide.get(metric, ()), metric.value), folded, taken)
            if found is not None:
                wide[metric] = found
                taken.add(found)
        return BoundColumns(
            columns=columns, wide=wide, defaults={str(k): v for k, v in self.defaults.items()}
        )


@dataclass(frozen=True)
class BoundColumns:
    """A column map resolved against one file's headers: canonical field → actual header."""

    columns: dict[str, str]
    wide: dict[Metric, str]
    defaults: dict[str, str]

    def get(self, raw: Mapping[str, Any], field: str) -> str:
        """The stripped cell text for a canonical field (its default when empty)."""
        header = self.columns.get(field)
        value = _text(raw.get(header)) if header is not None else ""
        return value or self.defaults.get(field, "")

    def header(self, field: str) -> str:
        """The file's name for a canonical field, for messages."""
        return self.columns.get(field, field)

    def empty(self, field: str) -> str:
        """Why a field has no value, for messages: an empty cell or a missing column."""
        header = self.columns.get(field)
        if header is None:
            return f"the file has no {field} column"
        return f"column {header!r} is empty"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _find(
    names: Sequence[str], folded: list[tuple[str, str]], taken: set[str] | None = None
) -> str | None:
    for name in names:
        prefix = name.endswith("*")
        wanted = fold(name.rstrip("*"))
        for header, key in folded:
            if taken and header in taken:
                continue
            if not wanted:  # a name of punctuation only ("#") must match as written
                if header.strip() == name.strip():
                    return header
            elif key == wanted or (prefix and key.startswith(wanted)):
                return header
    return None


def column_maps(path: Path | None = None) -> dict[str, ColumnMap]:
    """The column maps of a TOML file (default: the shipped presets), by name.

    The file holds one ``[layout.<name>]`` table per map.

    Raises:
        MappingError: the file is missing, not TOML, or a layout is invalid.
    """
    source = path or mappings_dir() / "feedback_columns.toml"
    layouts = load_toml(source).get("layout", {})
    if not isinstance(layouts, dict) or not layouts:
        raise MappingError(f"{source}: no [layout.<name>] tables")
    maps = {}
    for name, table in layouts.items():
        try:
            maps[name] = ColumnMap.model_validate({"name": name, **table})
        except ValidationError as exc:
            raise MappingError(f"{source}: layout {name!r}: {exc}") from exc
    return maps


def load_column_map(name: str = "default", path: Path | None = None) -> ColumnMap:
    """One column map, by name, from an admin's file or the shipped presets.

    With ``path``, its layout called ``name`` is used — or its only layout when it holds
    one; otherwise the shipped preset ``name``.

    Raises:
        MappingError: no such layout, or a mapping file is invalid.
    """
    if path is not None:
        own = column_maps(path)
        if name in own:
            return own[name]
        if len(own) == 1:
            return next(iter(own.values()))
        raise MappingError(f"{path}: no layout {name!r}; it has {', '.join(sorted(own))}")
    shipped = column_maps()
    if name not in shipped:
        raise MappingError(
            f"no feedback column layout {name!r}; shipped: {', '.join(sorted(shipped))}"
        )
    return shipped[name]
