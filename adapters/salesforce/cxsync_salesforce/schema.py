"""Install plans: custom fields via describe + Metadata API, and the FLS permission set."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from simple_salesforce.format import format_soql

from cxsync.errors import FatalError, RemoteError
from cxsync.models import ObjectType
from cxsync.schema import FieldMap, FieldSpec, FieldType, PlanAction, SchemaPlan, SchemaStep
from cxsync_salesforce.client import SalesforceClient

__all__ = ["PERMISSION_SET", "apply_plan", "plan"]

logger = logging.getLogger(__name__)
PERMISSION_SET = "CXSync_Integration"
KEY_FIELD = "CX_Followup_Key__c"
_SOBJECT = {ObjectType.ACCOUNT: "Account", ObjectType.CONTACT: "Contact"}
#: describe's type names, to tell a matching field from a conflicting one
DESCRIBE_TYPES = {
    FieldType.NUMBER: "double",
    FieldType.TEXT: "string",
    FieldType.LONG_TEXT: "textarea",
    FieldType.PICKLIST: "picklist",
    FieldType.MULTIPICKLIST: "multipicklist",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.CHECKBOX: "boolean",
}
_METADATA_TYPES = {
    FieldType.NUMBER: "Number",
    FieldType.TEXT: "Text",
    FieldType.LONG_TEXT: "LongTextArea",
    FieldType.PICKLIST: "Picklist",
    FieldType.MULTIPICKLIST: "MultiselectPicklist",
    FieldType.DATE: "Date",
    FieldType.DATETIME: "DateTime",
    FieldType.CHECKBOX: "Checkbox",
}


def _describe(client: SalesforceClient, sobject: str) -> dict[str, str]:
    sf_type = getattr(client.sf, sobject)
    described = client.call(f"describe.{sobject}", sf_type.describe)
    return {f["name"]: str(f.get("type")) for f in described["fields"]}


def plan(client: SalesforceClient, field_map: FieldMap, fields: Sequence[FieldSpec]) -> SchemaPlan:
    """Compare the wanted fields with what the integration user sees (reads only)."""
    held: dict[str, dict[str, str]] = {}
    steps: list[SchemaStep] = []
    for spec in fields:
        sobject = _SOBJECT[spec.object]
        mapped = field_map.spec(spec.object, spec.name)
        if mapped is None:
            continue
        vendor = field_map.vendor(spec.object, spec.name)
        seen = held.setdefault(sobject, _describe(client, sobject))
        want = DESCRIBE_TYPES[spec.type]
        if vendor not in seen:
            detail = f"{_METADATA_TYPES[spec.type]} (missing, or not visible without FLS)"
            steps.append(
                SchemaStep(action=PlanAction.CREATE, object=sobject, name=vendor, detail=detail)
            )
        elif seen[vendor] != want:
            detail = f"exists as {seen[vendor]}, cxsync needs {want}; left unchanged"
            steps.append(
                SchemaStep(action=PlanAction.CONFLICT, object=sobject, name=vendor, detail=detail)
            )
        else:
            steps.append(SchemaStep(action=PlanAction.OK, object=sobject, name=vendor))
    task_fields = _describe(client, "Task")
    if KEY_FIELD not in task_fields:
        steps.append(
            SchemaStep(
                action=PlanAction.CREATE,
                object="Task",
                name=KEY_FIELD,
                detail="Text(255), External ID, unique",
            )
        )
    if any(s.action is PlanAction.CREATE for s in steps):
        steps.append(
            SchemaStep(
                action=PlanAction.GRANT,
                object="PermissionSet",
                name=PERMISSION_SET,
                detail="read/edit field-level security on every cxsync field",
            )
        )
    return SchemaPlan(crm="salesforce", steps=tuple(steps))


def _field_metadata(md: Any, sobject: str, name: str, spec: FieldSpec | None) -> Any:
    if spec is None:  # the Task key field
        return md.CustomField(
            fullName=f"Task.{name}",
            label="CX follow-up key",
            type="Text",
            length=255,
            externalId=True,
            unique=True,
        )
    kw: dict[str, Any] = {
        "fullName": f"{sobject}.{name}",
        "label": spec.label,
        "type": _METADATA_TYPES[spec.type],
        "description": spec.description,
    }
    if spec.type is FieldType.NUMBER:
        kw.update(precision=spec.precision or 18, scale=spec.scale or 0)
    elif spec.type is FieldType.TEXT:
        kw.update(length=spec.length or 255)
    elif spec.type is FieldType.LONG_TEXT:
        kw.update(length=spec.length or 32768, visibleLines=5)
    elif spec.type in (FieldType.PICKLIST, FieldType.MULTIPICKLIST):
        values = [md.CustomValue(fullName=o, label=o, default=False) for o in spec.options]
        kw["valueSet"] = md.ValueSet(
            restricted=True,
            valueSetDefinition=md.ValueSetValuesDefinition(value=values, sorted=False),
        )
        if spec.type is FieldType.MULTIPICKLIST:
            kw["visibleLines"] = 4
    elif spec.type is FieldType.CHECKBOX:
        kw["defaultValue"] = "false"
    return md.CustomField(**kw)


def _mdapi(client: SalesforceClient, endpoint: str, fn: Any) -> None:
    try:
        client.call(endpoint, fn)
    except RemoteError as exc:
        lines = [part for part in exc.message.split("), ") if "(" in part]
        if lines and all("DUPLICATE_DEVELOPER_NAME" in part for part in lines):
            # the field exists but was invisible to describe (no FLS yet): granting fixes it
            logger.info("fields already exist (not visible before FLS): %s", exc.message)
            return
        raise FatalError(f"Metadata API {endpoint} failed: {exc.message}") from exc


def apply_plan(
    client: SalesforceClient, field_map: FieldMap, schema_plan: SchemaPlan, user_id: str | None
) -> SchemaPlan:
    """Create the planned fields, grant FLS on every cxsync field, assign the permission set."""
    md = client.metadata_api()
    specs = {(_SOBJECT[m.spec.object], m.vendor_name): m.spec for m in field_map.fields}
    creates = [s for s in schema_plan.steps if s.action is PlanAction.CREATE]
    for start in range(0, len(creates), 10):  # createMetadata takes at most 10 components
        batch = [
            _field_metadata(md, s.object, s.name, specs.get((s.object, s.name)))
            for s in creates[start : start + 10]
        ]
        _mdapi(client, "mdapi.createMetadata", lambda b=batch: md.CustomField.create(b))
    if schema_plan.pending:
        permissions = [
            md.PermissionSetFieldPermissions(
                field=f"{sobject}.{name}", readable=True, editable=True
            )
            for (sobject, name) in [*specs, ("Task", KEY_FIELD)]
        ]
        permission_set = md.PermissionSet(
            fullName=PERMISSION_SET, label="CXSync Integration", fieldPermissions=permissions
        )
        _mdapi(client, "mdapi.upsertMetadata", lambda: md.PermissionSet.upsert([permission_set]))
        _assign(client, user_id)
    return schema_plan.model_copy(update={"applied": True})


def _assign(client: SalesforceClient, user_id: str | None) -> None:
    if not user_id:
        logger.warning(
            "integration_user_id is not set: assign %s to the user by hand", PERMISSION_SET
        )
        return
    sf = client.sf
    soql = format_soql("SELECT Id FROM PermissionSet WHERE Name = {}", PERMISSION_SET)
    found = client.call("query.PermissionSet", lambda: sf.query(soql))["records"]
    if not found:
        raise FatalError(f"permission set {PERMISSION_SET} was not created")
    ps_id = found[0]["Id"]
    soql = format_soql(
        "SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = {} AND AssigneeId = {}",
        ps_id,
        user_id,
    )
    if client.call("query.PermissionSetAssignment", lambda: sf.query(soql))["records"]:
        return
    body = {"PermissionSetId": ps_id, "AssigneeId": user_id}
    client.call(
        "create.PermissionSetAssignment",
        lambda: sf.restful("sobjects/PermissionSetAssignment/", method="POST", json=body),
    )
