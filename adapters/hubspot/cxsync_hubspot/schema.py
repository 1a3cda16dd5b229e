"""Install plans: the ``cxsync`` property group and the mapped properties.

Planning reads the properties and groups of each object type (two calls per type). Applying
creates the missing groups, then the missing properties in one batch call per object type.
An existing property with another type, or one HubSpot defines, is reported as a conflict
and never changed; running the install again finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hubspot.crm.properties import (
    BatchInputPropertyCreate,
    OptionInput,
    PropertyCreate,
    PropertyGroupCreate,
)

from cxsync.errors import FatalError
from cxsync.models import ObjectType
from cxsync.schema import FieldMap, FieldSpec, FieldType, PlanAction, SchemaPlan, SchemaStep
from cxsync_hubspot.client import HubSpotClient
from cxsync_hubspot.engagements import KEY_PROPERTY

__all__ = ["GROUP", "HUBSPOT_TYPES", "OBJECT_TYPES", "apply_plan", "plan"]

GROUP = "cxsync"
GROUP_LABEL = "Customer experience (cxsync)"
OBJECT_TYPES = {ObjectType.ACCOUNT: "companies", ObjectType.CONTACT: "contacts"}
#: canonical type → HubSpot (type, fieldType); each pair is one HubSpot accepts
HUBSPOT_TYPES = {
    FieldType.NUMBER: ("number", "number"),
    FieldType.TEXT: ("string", "text"),
    FieldType.LONG_TEXT: ("string", "textarea"),
    FieldType.PICKLIST: ("enumeration", "select"),
    FieldType.MULTIPICKLIST: ("enumeration", "checkbox"),
    FieldType.DATE: ("date", "date"),
    FieldType.DATETIME: ("datetime", "date"),
    FieldType.CHECKBOX: ("bool", "booleancheckbox"),
}
_KEY_SPEC = {
    "name": KEY_PROPERTY,
    "label": "cxsync follow-up key",
    "description": "Set by cxsync so a follow-up is created exactly once; do not edit.",
    "type": "string",
    "fieldType": "text",
    "options": [],
}


def _wanted(field_map: FieldMap, fields: Sequence[FieldSpec]) -> dict[str, list[dict[str, Any]]]:
    """The property definitions cxsync needs, per HubSpot object type."""
    wanted: dict[str, list[dict[str, Any]]] = {
        "tasks": [dict(_KEY_SPEC)],
        "notes": [dict(_KEY_SPEC)],
    }
    for spec in fields:
        if field_map.spec(spec.object, spec.name) is None:
            continue
        kind, field_type = HUBSPOT_TYPES[spec.type]
        options = list(spec.options)
        if spec.type is FieldType.CHECKBOX:
            options = ["true", "false"]
        wanted.setdefault(OBJECT_TYPES[spec.object], []).append(
            {
                "name": field_map.vendor(spec.object, spec.name),
                "label": spec.label,
                "description": spec.description,
                "type": kind,
                "fieldType": field_type,
                "options": options,
            }
        )
    return wanted


def _held(client: HubSpotClient, object_type: str) -> tuple[dict[str, Any], set[str]]:
    props = client.invoke(
        f"properties.{object_type}",
        "crm.properties.core_api",
        "get_all",
        object_type,
        archived=False,
    )
    groups = client.invoke(
        f"property_groups.{object_type}", "crm.properties.groups_api", "get_all", object_type
    )
    return {p.name: p for p in props.results or []}, {g.name for g in groups.results or []}


def plan(client: HubSpotClient, field_map: FieldMap, fields: Sequence[FieldSpec]) -> SchemaPlan:
    """Compare the wanted properties with the portal's (reads only)."""
    steps: list[SchemaStep] = []
    for object_type, wanted in _wanted(field_map, fields).items():
        held, groups = _held(client, object_type)
        if GROUP not in groups:
            steps.append(
                SchemaStep(
                    action=PlanAction.CREATE,
                    object=object_type,
                    name=f"group:{GROUP}",
                    detail=f"property group {GROUP_LABEL!r}",
                )
            )
        for want in wanted:
            have = held.get(want["name"])
            kind = f"{want['type']}/{want['fieldType']}"
            if have is None:
                steps.append(
                    SchemaStep(
                        action=PlanAction.CREATE, object=object_type, name=want["name"], detail=kind
                    )
                )
                continue
            problem = None
            if getattr(have, "hubspot_defined", False):
                problem = "is a HubSpot-defined property"
            elif have.type != want["type"]:
                problem = f"exists as {have.type}/{have.field_type}, cxsync needs {kind}"
            elif want["options"]:
                present = {o.value for o in have.options or []}
                missing = [o for o in want["options"] if o not in present]
                if missing:
                    problem = f"lacks the options {', '.join(missing)}"
            if problem:
                steps.append(
                    SchemaStep(
                        action=PlanAction.CONFLICT,
                        object=object_type,
                        name=want["name"],
                        detail=f"{problem}; left unchanged",
                    )
                )
            else:
                steps.append(
                    SchemaStep(action=PlanAction.OK, object=object_type, name=want["name"])
                )
    return SchemaPlan(crm="hubspot", steps=tuple(steps))


def _create_input(want: dict[str, Any]) -> PropertyCreate:
    options = [
        OptionInput(label=o.replace("_", " ").capitalize(), value=o, display_order=i, hidden=False)
        for i, o in enumerate(want["options"])
    ]
    return PropertyCreate(
        name=want["name"],
        label=want["label"],
        description=want["description"] or None,
        type=want["type"],
        field_type=want["fieldType"],
        group_name=GROUP,
        options=options or None,
    )


def apply_plan(
    client: HubSpotClient, field_map: FieldMap, plan_: SchemaPlan, fields: Sequence[FieldSpec]
) -> SchemaPlan:
    """Create the plan's groups and properties; conflicts stay untouched."""
    wanted = {
        (object_type, w["name"]): w
        for object_type, items in _wanted(field_map, fields).items()
        for w in items
    }
    done: dict[tuple[str, str], SchemaStep] = {}
    for step in plan_.steps:
        if step.action is PlanAction.CREATE and step.name.startswith("group:"):
            body = PropertyGroupCreate(name=GROUP, label=GROUP_LABEL, display_order=-1)
            client.invoke(
                f"property_groups.create.{step.object}",
                "crm.properties.groups_api",
                "create",
                step.object,
                body,
            )
            done[(step.object, step.name)] = step
    by_type: dict[str, list[SchemaStep]] = {}
    for step in plan_.steps:
        if step.action is PlanAction.CREATE and not step.name.startswith("group:"):
            by_type.setdefault(step.object, []).append(step)
    for object_type, steps in by_type.items():
        body = BatchInputPropertyCreate(
            inputs=[_create_input(wanted[(object_type, s.name)]) for s in steps]
        )
        answer = client.invoke(
            f"properties.create.{object_type}",
            "crm.properties.batch_api",
            "create",
            object_type,
            body,
        )
        created = {p.name for p in answer.results or []}
        refused = {
            name: str(err.message)
            for err in getattr(answer, "errors", None) or []
            for name in (err.context or {}).get("name", [])
        }
        for step in steps:
            if step.name in created:
                done[(object_type, step.name)] = step
            elif step.name in refused:
                done[(object_type, step.name)] = step.model_copy(
                    update={"action": PlanAction.CONFLICT, "detail": refused[step.name]}
                )
            else:
                raise FatalError(f"HubSpot did not answer for property {object_type}.{step.name}")
    final = tuple(done.get((s.object, s.name), s) for s in plan_.steps)
    return SchemaPlan(crm="hubspot", steps=final, applied=True)
