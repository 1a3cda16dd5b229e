"""cxsync's custom fields: the canonical specs, each CRM's field map, and install plans.

Canonical field names (``cx_nps_score``…) are the only names the core uses. Each adapter
maps them to vendor names through ``mappings/fields/<crm>.toml``; a CRM without such a file
(the files adapter) uses the canonical names as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxsync.errors import MappingError
from cxsync.models import ObjectType
from cxsync.resources import load_toml, mappings_dir

__all__ = [
    "FieldMap",
    "FieldSpec",
    "FieldType",
    "MappedField",
    "PlanAction",
    "SchemaPlan",
    "SchemaStep",
    "canonical_fields",
    "load_field_map",
]


class FieldType(StrEnum):
    NUMBER = "number"
    TEXT = "text"
    LONG_TEXT = "long_text"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    DATE = "date"
    DATETIME = "datetime"
    CHECKBOX = "checkbox"


class FieldSpec(BaseModel):
    """One custom field cxsync keeps, independent of any CRM."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^cx_[a-z0-9_]+$")
    object: ObjectType
    type: FieldType
    label: str
    description: str = ""
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    options: tuple[str, ...] = ()
    owned: bool = True


class MappedField(BaseModel):
    """A canonical field and the name the CRM knows it by."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    spec: FieldSpec
    vendor_name: str


class FieldMap:
    """Canonical ↔ vendor field names for one CRM, per object type."""

    def __init__(self, crm: str, fields: Iterable[MappedField]) -> None:
        self.crm = crm
        self.fields = tuple(fields)
        self._by_canonical = {(f.spec.object, f.spec.name): f for f in self.fields}
        self._by_vendor = {(f.spec.object, f.vendor_name): f for f in self.fields}

    def for_object(self, object_type: ObjectType) -> list[MappedField]:
        return [f for f in self.fields if f.spec.object == object_type]

    def vendor(self, object_type: ObjectType, canonical: str) -> str:
        try:
            return self._by_canonical[(object_type, canonical)].vendor_name
        except KeyError as exc:
            raise MappingError(
                f"{self.crm}: no {object_type.value} field mapped for {canonical!r}"
            ) from exc

    def canonical(self, object_type: ObjectType, vendor: str) -> str | None:
        mapped = self._by_vendor.get((object_type, vendor))
        return mapped.spec.name if mapped else None

    def spec(self, object_type: ObjectType, canonical: str) -> FieldSpec | None:
        mapped = self._by_canonical.get((object_type, canonical))
        return mapped.spec if mapped else None

    def to_vendor(self, object_type: ObjectType, values: dict[str, Any]) -> dict[str, Any]:
        return {self.vendor(object_type, k): v for k, v in values.items()}

    def to_canonical(self, object_type: ObjectType, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for vendor_name, value in values.items():
            name = self.canonical(object_type, vendor_name)
            if name is not None:
                out[name] = value
        return out


@cache
def _canonical_fields_from(path: Path) -> tuple[FieldSpec, ...]:
    raw = load_toml(path)
    specs = []
    for index, entry in enumerate(raw.get("field", [])):
        try:
            specs.append(FieldSpec.model_validate(entry))
        except ValidationError as exc:
            raise MappingError(f"{path}: field #{index + 1}: {exc}") from exc
    return tuple(specs)


def canonical_fields(path: Path | None = None) -> tuple[FieldSpec, ...]:
    """The shipped (or given) canonical field list."""
    return _canonical_fields_from(path or mappings_dir() / "fields.toml")


def load_field_map(crm: str, override: Path | None = None) -> FieldMap:
    """The field map for ``crm``: ``mappings/fields/<crm>.toml`` or canonical names.

    A map file has one table per object (``[contact]``, ``[account]``) mapping canonical
    names to vendor names. Canonical fields the map leaves out are not synced to that CRM.
    """
    specs = canonical_fields()
    path = override or mappings_dir() / "fields" / f"{crm}.toml"
    if not path.is_file():
        return FieldMap(crm, (MappedField(spec=s, vendor_name=s.name) for s in specs))
    raw = load_toml(path)
    known = {(s.object, s.name): s for s in specs}
    mapped = []
    for object_key, table in raw.items():
        try:
            object_type = ObjectType(object_key)
        except ValueError as exc:
            raise MappingError(f"{path}: unknown object table [{object_key}]") from exc
        for canonical, vendor in table.items():
            spec = known.get((object_type, canonical))
            if spec is None:
                raise MappingError(f"{path}: [{object_key}] {canonical} is not a cxsync field")
            mapped.append(MappedField(spec=spec, vendor_name=str(vendor)))
    return FieldMap(crm, mapped)


class PlanAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    OK = "ok"
    CONFLICT = "conflict"
    GRANT = "grant"


class SchemaStep(BaseModel):
    """One line of an install plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: PlanAction
    object: str
    name: str
    detail: str = ""


class SchemaPlan(BaseModel):
    """What `cxsync install` would do (or did) in a CRM."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    crm: str
    steps: tuple[SchemaStep, ...] = ()
    applied: bool = False

    @property
    def pending(self) -> list[SchemaStep]:
        return [
            s
            for s in self.steps
            if s.action in (PlanAction.CREATE, PlanAction.UPDATE, PlanAction.GRANT)
        ]

    @property
    def conflicts(self) -> list[SchemaStep]:
        return [s for s in self.steps if s.action == PlanAction.CONFLICT]

    @property
    def nothing_to_do(self) -> bool:
        return not self.pending
