"""Planning field writes: only what differs, and never over a person's edit of a field
cxsync does not own.

For each field cxsync wants to set, three values meet: the *desired* one, the one the CRM
*holds now*, and the one cxsync *wrote last* (from the state store). The rules:

* desired == CRM → nothing to write.
* CRM is empty, or CRM == last written → write (cxsync's own value, now out of date).
* CRM holds something cxsync did not write (a person edited it) → a **conflict**. If the
  field map marks the field cxsync-owned, cxsync writes anyway and reports the conflict;
  otherwise the CRM wins, nothing is written, and the conflict is reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cxsync.engine.values import EMPTY, normalize, same_value, to_wire
from cxsync.models import FieldChange, ObjectType
from cxsync.schema import FieldMap

__all__ = ["Conflict", "PlannedChange", "plan_record"]


@dataclass(frozen=True)
class Conflict:
    object_type: ObjectType
    record_id: str
    field: str
    crm_value: Any
    last_written: Any
    desired: Any
    resolution: str  # "overwritten" (cxsync-owned) or "kept_crm"


@dataclass
class PlannedChange:
    """One record's planned write plus what it replaces, for --dry-run output.

    ``crm_values`` and ``last_written`` are the record's whole stored values the plan was
    made from: the write queue merges the write into them when it records the result,
    instead of reading them again (None: read them).
    """

    change: FieldChange
    before: dict[str, Any] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    crm_values: Mapping[str, Any] | None = None
    last_written: Mapping[str, Any] | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "object": self.change.object_type.value,
                "record_id": self.change.record_id,
                "field": name,
                "from": to_wire(self.before.get(name)),
                "to": to_wire(value),
            }
            for name, value in self.change.values.items()
        ]


def plan_record(
    field_map: FieldMap,
    object_type: ObjectType,
    record_id: str,
    desired: Mapping[str, Any],
    crm_values: Mapping[str, Any],
    last_written: Mapping[str, Any],
) -> tuple[PlannedChange | None, list[Conflict]]:
    """The write needed to bring one record to ``desired``, and any conflicts met.

    Fields the CRM's map does not include are ignored (that CRM does not carry them).
    """
    values: dict[str, Any] = {}
    before: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    for name, want in desired.items():
        spec = field_map.spec(object_type, name)
        if spec is None:
            continue
        have = crm_values.get(name)
        if want == have:
            continue
        if have in EMPTY:
            # the CRM holds nothing: no person edited it, so write unless nothing is wanted
            if normalize(want, spec) is None:
                continue
            values[name] = to_wire(want)
            before[name] = have
            continue
        if same_value(want, have, spec):
            continue
        wrote = last_written.get(name)
        edited_by_person = normalize(have, spec) is not None and not same_value(have, wrote, spec)
        if edited_by_person:
            resolution = "overwritten" if spec.owned else "kept_crm"
            conflicts.append(Conflict(object_type, record_id, name, have, wrote, want, resolution))
            if not spec.owned:
                continue
        values[name] = to_wire(want)
        before[name] = have
    if not values:
        return None, conflicts
    # built from values already typed (the id comes from the store, the object type is an
    # enum member): skipping re-validation matters at a million records
    change = FieldChange.model_construct(
        object_type=ObjectType(object_type), record_id=record_id, values=values
    )
    return PlannedChange(change, before, conflicts, crm_values, last_written), conflicts
