"""The Salesforce adapter: incremental reads, Collections writes, tasks and field notes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from pydantic import BaseModel, ValidationError
from simple_salesforce.format import format_soql

from cxsync.adapter import AdapterContext, ApiUsage, Capability, ConnectionInfo
from cxsync.errors import ConfigError, MappingError
from cxsync.models import (
    Account,
    ActivityNote,
    Contact,
    FieldChange,
    FollowUpTask,
    ObjectType,
    Page,
    WriteResult,
)
from cxsync.schema import FieldMap, FieldSpec, FieldType, SchemaPlan
from cxsync_salesforce import schema
from cxsync_salesforce.bulk import write_bulk
from cxsync_salesforce.client import AnySettings, SalesforceClient
from cxsync_salesforce.settings import SalesforceSettingsModel, parse_settings
from cxsync_salesforce.writes import create_collections, write_collections

__all__ = ["SalesforceAdapter", "SalesforceAdapterFactory"]

logger = logging.getLogger(__name__)
KEY_FIELD = "CX_Followup_Key__c"
COLLECTION_SIZE = 200
_SOBJECT = {ObjectType.ACCOUNT: "Account", ObjectType.CONTACT: "Contact"}
_ACCOUNT_FIELDS = ["Id", "Name", "OwnerId", "Industry", "AnnualRevenue", "BillingCountry"]
_CONTACT_FIELDS = ["Id", "AccountId", "Email", "FirstName", "LastName", "Title", "OwnerId"]
_CAPABILITIES = frozenset(
    {
        Capability.READ,
        Capability.INCREMENTAL,
        Capability.WRITE_FIELDS,
        Capability.TASKS,
        Capability.NOTES,
        Capability.DETECT_DELETES,
        Capability.SCHEMA,
    }
)


def _parse_time(value: str) -> datetime:
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def to_salesforce(value: Any) -> Any:
    """A canonical value as Salesforce's REST API takes it."""
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_salesforce(spec: FieldSpec | None, value: Any) -> Any:
    """A Salesforce value under its canonical type (multi-select as a list)."""
    if value is None or spec is None:
        return value
    if spec.type is FieldType.MULTIPICKLIST:
        return [v for v in str(value).split(";") if v]
    return value


def _encode_cursor(stamp: str, rid: str) -> str:
    return json.dumps({"ts": stamp, "id": rid})


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = json.loads(cursor)
        return _parse_time(raw["ts"]), str(raw["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"not a Salesforce cursor: {cursor[:60]!r}") from exc


class SalesforceAdapter:
    """A connected Salesforce org. Build it with :class:`SalesforceAdapterFactory`."""

    name = "salesforce"
    capabilities = _CAPABILITIES

    def __init__(self, settings: AnySettings, field_map: FieldMap, transport: Any = None) -> None:
        self.settings = settings
        self.field_map = field_map
        self.client = SalesforceClient(settings, transport)
        self._visible: dict[str, set[str]] = {}

    def __repr__(self) -> str:
        return f"SalesforceAdapter(flow={self.settings.flow!r}, endpoint={self.client.endpoint!r})"

    # ---- connection ------------------------------------------------------------------------
    def check(self) -> ConnectionInfo:
        limits = self.client.call("limits", self.client.sf.limits)
        daily = limits.get("DailyApiRequests", {})
        detail = f"API calls remaining today: {daily.get('Remaining')}/{daily.get('Max')}"
        return ConnectionInfo(adapter=self.name, endpoint=self.client.endpoint, detail=detail)

    def usage(self) -> ApiUsage:
        return self.client.usage

    def close(self) -> None:
        self.client.close()

    # ---- reading ---------------------------------------------------------------------------
    def visible_fields(self, sobject: str) -> set[str]:
        """Field names the integration user can see (describe, cached per adapter)."""
        if sobject not in self._visible:
            sf_type = getattr(self.client.sf, sobject)
            described = self.client.call(f"describe.{sobject}", sf_type.describe)
            self._visible[sobject] = {f["name"] for f in described["fields"]}
        return self._visible[sobject]

    def _select(self, object_type: ObjectType, base: list[str]) -> list[str]:
        sobject = _SOBJECT[object_type]
        visible = self.visible_fields(sobject)
        fields = list(base)
        for mapped in self.field_map.for_object(object_type):
            if mapped.vendor_name in visible:
                fields.append(mapped.vendor_name)
            else:
                # A field without FLS is invisible to the API; querying it would fail the run.
                logger.warning(
                    "%s.%s is not visible to the integration user (missing or no FLS); "
                    "run `cxsync install`",
                    sobject,
                    mapped.vendor_name,
                )
        return [*fields, "SystemModstamp"]

    def _stream(
        self, object_type: ObjectType, base: list[str], since: str | None, deleted: bool
    ) -> Iterator[Page]:
        sobject = _SOBJECT[object_type]
        fields = self._select(object_type, base) + (["IsDeleted"] if deleted else [])
        soql = f"SELECT {', '.join(fields)} FROM {sobject}"
        after: tuple[datetime, str] | None = None
        if since:
            after = _decode_cursor(since)
            # SOQL datetime literals carry whole seconds, SystemModstamp carries milliseconds:
            # ask from the cursor's second and drop what is not after (stamp, Id) here.
            floor = after[0].replace(microsecond=0)
            soql += format_soql(" WHERE SystemModstamp >= {ts}", ts=floor)
        soql += " ORDER BY SystemModstamp, Id"
        sf = self.client.sf
        result = self.client.call(
            f"query.{sobject}", lambda: sf.query(soql, include_deleted=deleted)
        )
        yielded = False
        while True:
            records = [
                r
                for r in result.get("records", [])
                if after is None or (_parse_time(r["SystemModstamp"]), r["Id"]) > after
            ]
            if records:
                last = records[-1]
                cursor = _encode_cursor(last["SystemModstamp"], last["Id"])
                yielded = True
                yield Page(
                    records=tuple(self._model(object_type, r) for r in records), cursor=cursor
                )
            if result.get("done", True):
                if not yielded:
                    # nothing changed: hand the cursor back so the engine keeps its place
                    yield Page(records=(), cursor=since)
                return
            url = result["nextRecordsUrl"]
            result = self.client.call(
                f"query_more.{sobject}", partial(sf.query_more, url, identifier_is_url=True)
            )

    def _cx_fields(self, object_type: ObjectType, record: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for mapped in self.field_map.for_object(object_type):
            if mapped.vendor_name in record:
                out[mapped.spec.name] = from_salesforce(mapped.spec, record[mapped.vendor_name])
        return out

    def _model(self, object_type: ObjectType, r: Mapping[str, Any]) -> Account | Contact:
        modified = _parse_time(r["SystemModstamp"])
        fields = self._cx_fields(object_type, r)
        if object_type is ObjectType.ACCOUNT:
            return Account(
                id=r["Id"],
                name=r.get("Name") or "",
                owner_id=r.get("OwnerId"),
                segment=r.get("Industry"),
                annual_revenue=r.get("AnnualRevenue"),
                country=r.get("BillingCountry"),
                modified_at=modified,
                fields=fields,
            )
        return Contact(
            id=r["Id"],
            account_id=r.get("AccountId"),
            email=r.get("Email"),
            first_name=r.get("FirstName"),
            last_name=r.get("LastName"),
            title=r.get("Title"),
            owner_id=r.get("OwnerId"),
            modified_at=modified,
            deleted=bool(r.get("IsDeleted")),
            fields=fields,
        )

    def stream_accounts(self, since: str | None = None) -> Iterator[Page]:
        return self._stream(ObjectType.ACCOUNT, _ACCOUNT_FIELDS, since, deleted=False)

    def stream_contacts(self, since: str | None = None) -> Iterator[Page]:
        # queryAll includes recycled contacts, so deletions reach the engine as deleted=True.
        return self._stream(ObjectType.CONTACT, _CONTACT_FIELDS, since, deleted=True)

    # ---- writing ---------------------------------------------------------------------------
    def _record(self, change: FieldChange) -> dict[str, Any]:
        values = self.field_map.to_vendor(change.object_type, change.values)
        body = {k: to_salesforce(v) for k, v in values.items()}
        return {
            "attributes": {"type": _SOBJECT[change.object_type]},
            "id": change.record_id,
            **body,
        }

    def apply_changes(self, changes: Sequence[FieldChange]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        ready: list[tuple[int, dict[str, Any]]] = []
        for index, change in enumerate(changes):
            try:
                ready.append((index, self._record(change)))
            except MappingError as exc:
                results[index] = WriteResult(
                    record_id=change.record_id, ok=False, error=str(exc), code="UNMAPPED_FIELD"
                )
        by_type: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for index, record in ready:
            by_type.setdefault(record["attributes"]["type"], []).append((index, record))
        for sobject, records in by_type.items():
            if len(records) > self.settings.bulk_threshold:
                results.update(
                    write_bulk(self.client, sobject, records, self.settings.bulk_poll_seconds)
                )
            else:
                results.update(write_collections(self.client, records, self.settings.max_attempts))
        return [results[i] for i in range(len(changes))]

    # ---- tasks and notes -------------------------------------------------------------------
    def _existing_keys(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        sf = self.client.sf
        for start in range(0, len(keys), COLLECTION_SIZE):
            chunk = list(keys[start : start + COLLECTION_SIZE])
            soql = format_soql(f"SELECT {KEY_FIELD} FROM Task WHERE {KEY_FIELD} IN {{}}", chunk)
            for record in self.client.call("query.Task", partial(sf.query_all, soql))["records"]:
                found.add(record[KEY_FIELD])
        return found

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        return self._existing_keys(keys)

    def existing_note_keys(self, keys: Sequence[str]) -> set[str]:
        return self._existing_keys(keys)

    def _create(self, items: list[tuple[str, dict[str, Any]]]) -> list[WriteResult]:
        """Create Tasks whose key is not in the CRM yet; one result per item, in order."""
        existing = self._existing_keys([key for key, _ in items])
        # unset lookups are left out rather than sent as null (Salesforce fills OwnerId)
        fresh = [
            {**{k: v for k, v in body.items() if v is not None}, KEY_FIELD: key}
            for key, body in items
            if key not in existing
        ]
        created = iter(create_collections(self.client, "Task", KEY_FIELD, fresh))
        return [
            WriteResult(record_id=key, ok=True, code="ALREADY_EXISTS")
            if key in existing
            else next(created)
            for key, _ in items
        ]

    def create_tasks(self, tasks: Sequence[FollowUpTask]) -> list[WriteResult]:
        return self._create(
            [
                (
                    t.key,
                    {
                        "WhoId": t.contact_id,
                        "WhatId": t.account_id,
                        "OwnerId": t.owner_id,
                        "Subject": t.subject[:255],
                        "Description": t.body,
                        "ActivityDate": t.due.isoformat(),
                        "Priority": t.priority.capitalize(),
                        "Status": "Not Started",
                    },
                )
                for t in tasks
            ]
        )

    def create_notes(self, notes: Sequence[ActivityNote]) -> list[WriteResult]:
        """Field notes become completed Tasks (Type Call or Visit) on contact and account."""
        return self._create(
            [
                (
                    n.key,
                    {
                        "WhoId": n.contact_id,
                        "WhatId": n.account_id,
                        "OwnerId": n.owner_id,
                        "Subject": f"Field note ({n.channel.value})",
                        "Description": n.body,
                        "ActivityDate": n.occurred_at.date().isoformat(),
                        "Status": "Completed",
                        "Type": "Call" if n.channel.value == "call" else "Visit",
                    },
                )
                for n in notes
            ]
        )

    # ---- schema ----------------------------------------------------------------------------
    def plan_schema(self, fields: Sequence[FieldSpec]) -> SchemaPlan:
        """Compare the fields with what the integration user sees (reads only)."""
        return schema.plan(self.client, self.field_map, fields)

    def apply_schema(self, plan: SchemaPlan) -> SchemaPlan:
        """Create missing fields, grant FLS through ``CXSync_Integration`` and assign it."""
        applied = schema.apply_plan(
            self.client, self.field_map, plan, self.settings.integration_user_id
        )
        self._visible.clear()  # new fields became visible
        return applied


class SalesforceAdapterFactory:
    """Entry point ``salesforce``: validates settings and logs in."""

    name = "salesforce"
    capabilities = _CAPABILITIES
    settings_model: type[BaseModel] = SalesforceSettingsModel

    def create(self, settings: Mapping[str, Any], context: AdapterContext) -> SalesforceAdapter:
        try:
            parsed = parse_settings(dict(settings))
        except ValidationError as exc:
            problems = [
                f"{'.'.join(str(p) for p in e['loc']) or 'settings'}: {e['msg']}"
                for e in exc.errors()
            ]
            raise ConfigError("invalid [adapter.salesforce] settings", problems) from exc
        return SalesforceAdapter(parsed, context.field_map, context.transport)

    @staticmethod
    def start_demo_server(
        accounts: list[dict[str, Any]], contacts: list[dict[str, Any]]
    ) -> tuple[str, dict[str, Any], Any]:
        """The emulator on loopback, seeded for `cxsync demo --crm salesforce`."""
        from cxsync_salesforce.testing import start_demo_server

        return start_demo_server(accounts, contacts)
