"""A stateful fake of the Salesforce REST API, for tests and benchmarks.

It answers the calls the adapter makes (query/queryMore/queryAll, sObject create, Collections
PATCH, getDeleted, describe, limits) with Salesforce's shapes: errors as JSON arrays, pages of
at most 2,000 records with ``nextRecordsUrl`` as a path, at most 200 records per Collections
call answered 200 with per-record results, ``Sforce-Limit-Info`` on every response, a daily
allocation answered with 403 ``REQUEST_LIMIT_EXCEEDED``, and custom fields invisible until
field-level security grants them. :meth:`SalesforceEmulator.handle` is transport-agnostic:
:mod:`cxsync_salesforce.testing.serve` mounts it in-process or on a loopback server.

Faults to inject: ``faults`` (the next requests), ``sticky_fault`` (every request),
``scheduled`` (chosen requests, see :mod:`~cxsync_salesforce.testing.faults`),
``session_ttl``, ``lock_rows``, ``reject_rows``/``invalid_rows`` and ``daily_limit``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cxsync_salesforce.testing.faults import FaultSchedule
from cxsync_salesforce.testing.query import QueryMixin
from cxsync_salesforce.testing.shapes import EmulatorResponse
from cxsync_salesforce.testing.shapes import error as _error
from cxsync_salesforce.testing.shapes import parse_time as _parse_time
from cxsync_salesforce.testing.shapes import sf_time as _sf_time

__all__ = ["EmulatorResponse", "SalesforceEmulator"]

PAGE_LIMIT = 2000
COLLECTION_LIMIT = 200
_PREFIX = {
    "Account": "001",
    "Contact": "003",
    "Task": "00T",
    "PermissionSet": "0PS",
    "PermissionSetAssignment": "0Pa",
}
_STANDARD = {
    "Account": {"Id", "Name", "OwnerId", "Industry", "AnnualRevenue", "BillingCountry"},
    "Contact": {"Id", "AccountId", "Email", "FirstName", "LastName", "Title", "OwnerId"},
    "Task": {
        "Id",
        "WhoId",
        "WhatId",
        "OwnerId",
        "ActivityDate",
        "Priority",
        "Subject",
        "Description",
        "Status",
        "Type",
        "TaskSubtype",
    },
}
_STANDARD["PermissionSet"] = {"Id", "Name"}
_STANDARD["PermissionSetAssignment"] = {"Id", "PermissionSetId", "AssigneeId"}
_SYSTEM = {"SystemModstamp", "IsDeleted", "LastModifiedDate"}


class SalesforceEmulator(QueryMixin):
    """An in-memory Salesforce org.

    Args:
        daily_limit: the org's daily API allocation (``Sforce-Limit-Info`` total).
        page_size: records per query page (Salesforce: at most 2,000).
        session_id: the only session the emulator accepts.
    """

    def __init__(
        self, *, daily_limit: int = 100_000, page_size: int = PAGE_LIMIT, session_id: str = "EMU"
    ) -> None:
        self.daily_limit = daily_limit
        self.used = 0
        self.page_size = min(page_size, PAGE_LIMIT)
        self.session_id = session_id
        self.records: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in _PREFIX}
        self.custom_fields: dict[str, dict[str, str]] = {t: {} for t in _PREFIX}
        self.granted: set[tuple[str, str]] = set()
        self.permission_sets: dict[str, set[tuple[str, str]]] = {}
        self.permission_set_ids: dict[str, str] = {}
        self.integration_user_id = "005EMU000000000001"
        self.calls: Counter[str] = Counter()
        self.faults: list[EmulatorResponse] = []
        self.sticky_fault: EmulatorResponse | None = None
        #: faults waiting for the requests they match (see testing/faults.py)
        self.scheduled = FaultSchedule()
        #: accepted requests left before the session expires (``None``: it never does)
        self.session_ttl: int | None = None
        #: when a list: each authenticated API request, as (method, API path, raw body)
        self.journal: list[tuple[str, str, bytes | str | None]] | None = None
        #: record id → how many more writes to it (or Task creates under it) fail locked
        self.lock_rows: dict[str, int] = {}
        #: record ids whose next write fails a validation rule
        self.reject_rows: set[str] = set()
        #: record ids every write to which fails a validation rule, until removed
        self.invalid_rows: set[str] = set()
        self._cursors: dict[str, list[dict[str, Any]]] = {}
        self._seq = 0
        self._clock = datetime(2026, 1, 1, tzinfo=UTC)
        self._mutex = threading.RLock()
        from cxsync_salesforce.testing.bulk import BulkJobs

        self.bulk = BulkJobs(self)

    # ---- seeding and inspection ------------------------------------------------------------
    def _next_id(self, sobject: str) -> str:
        self._seq += 1
        return f"{_PREFIX[sobject]}EMU{self._seq:012d}"[:18]

    def _tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def install_field(self, sobject: str, name: str, kind: str, *, grant: bool = True) -> None:
        """Create a custom field (``kind``: Number, Text, Picklist…), optionally with FLS."""
        self.custom_fields[sobject][name] = kind
        if grant:
            self.granted.add((sobject, name))

    def insert(self, sobject: str, values: dict[str, Any], modstamp: datetime | None = None) -> str:
        """Add a record as an org user would; returns its id."""
        with self._mutex:
            rid = self._next_id(sobject)
            stamp = modstamp or self._tick()
            self.records[sobject][rid] = {
                **values,
                "Id": rid,
                "SystemModstamp": stamp,
                "IsDeleted": False,
            }
            return rid

    def seed_accounts(self, rows: list[dict[str, Any]]) -> list[str]:
        """Insert accounts given with Salesforce field names; returns their ids."""
        return [self.insert("Account", r) for r in rows]

    def seed_contacts(self, rows: list[dict[str, Any]]) -> list[str]:
        """Insert contacts given with Salesforce field names; returns their ids."""
        return [self.insert("Contact", r) for r in rows]

    def update(self, sobject: str, rid: str, values: dict[str, Any]) -> None:
        """Change a record as a person would (bumps SystemModstamp)."""
        with self._mutex:
            self.records[sobject][rid].update(values, SystemModstamp=self._tick())

    def delete(self, sobject: str, rid: str) -> None:
        """Move a record to the recycle bin."""
        self.update(sobject, rid, {"IsDeleted": True})

    def reset_counters(self) -> None:
        self.calls.clear()

    # ---- dispatch --------------------------------------------------------------------------
    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes | str | None
    ) -> EmulatorResponse:
        """Answer one HTTP request."""
        with self._mutex:
            response = self._handle(method.upper(), url, headers, body)
            response.headers.setdefault("Content-Type", "application/json")
            response.headers["Sforce-Limit-Info"] = f"api-usage={self.used}/{self.daily_limit}"
            return response

    def _handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes | str | None
    ) -> EmulatorResponse:
        parts = urlsplit(url)
        if re.match(r"^/services/Soap/m/\d+\.\d/?$", parts.path):
            from cxsync_salesforce.testing.soap import handle_soap

            if self.sticky_fault is not None:
                return self.sticky_fault
            return handle_soap(self, body)
        match = re.match(r"^/services/data/v(\d+\.\d)/(.*)$", parts.path)
        if not match:
            return _error(404, "NOT_FOUND", f"no resource at {parts.path}")
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if self.sticky_fault is not None:
            return self.sticky_fault
        if auth != f"Bearer {self.session_id}" or self._session_expires():
            return _error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        path = match.group(2).rstrip("/")
        if self.journal is not None:
            self.journal.append((method, path, body))
        if self.faults:
            return self.faults.pop(0)
        fault = self.scheduled.pick(method, path)
        if fault is not None and not fault.apply_first:
            return fault.response
        answer = self._serve(method, path, parts.query, headers, body)
        return answer if fault is None else fault.response

    def _session_expires(self) -> bool:
        """Count down the session's life; at zero it expires and a login gets a new one."""
        if self.session_ttl is None:
            return False
        if self.session_ttl > 0:
            self.session_ttl -= 1
            return False
        self.session_ttl = None
        self.session_id = f"{self.session_id}+"
        return True

    def _serve(
        self, method: str, path: str, qs: str, headers: dict[str, str], body: bytes | str | None
    ) -> EmulatorResponse:
        if self.used >= self.daily_limit:
            return _error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        self.used += 1
        query = {k: v[0] for k, v in parse_qs(qs).items()}
        raw = body.decode() if isinstance(body, bytes) else body
        is_json = "json" in {k.lower(): v for k, v in headers.items()}.get("content-type", "json")
        try:
            payload = json.loads(raw) if raw and is_json else None
        except ValueError:
            return _error(400, "JSON_PARSER_ERROR", "the request body is not valid JSON")
        if path.startswith("jobs/ingest"):
            self.calls["bulk"] += 1
            return self.bulk.route(method, path, raw, payload)
        return self._route(method, path, query, payload)

    def _route(
        self, method: str, path: str, query: dict[str, str], payload: Any
    ) -> EmulatorResponse:
        if method == "GET" and path in ("query", "queryAll"):
            self.calls["query"] += 1
            return self._query(query.get("q", ""), include_deleted=path == "queryAll")
        if method == "GET" and path.startswith("query/"):
            self.calls["query_more"] += 1
            return self._query_more(path.split("/", 1)[1])
        if method == "POST" and path == "composite/sobjects":
            self.calls["collections_create"] += 1
            return self._collections_create(payload)
        if method == "PATCH" and path == "composite/sobjects":
            self.calls["collections_update"] += 1
            return self._collections_update(payload)
        if method == "GET" and path == "limits":
            self.calls["limits"] += 1
            body = {"DailyApiRequests": {"Max": self.daily_limit, "Remaining": self.remaining}}
            return EmulatorResponse(200, body)
        created = re.match(r"^sobjects/(\w+)$", path)
        if method == "POST" and created:
            self.calls["create"] += 1
            return self._create(created.group(1), payload or {})
        deleted = re.match(r"^sobjects/(\w+)/deleted$", path)
        if method == "GET" and deleted:
            self.calls["get_deleted"] += 1
            return self._get_deleted(deleted.group(1), query)
        described = re.match(r"^sobjects/(\w+)/describe$", path)
        if method == "GET" and described:
            self.calls["describe"] += 1
            return self._describe(described.group(1))
        return _error(404, "NOT_FOUND", f"The requested resource does not exist: {path}")

    @property
    def remaining(self) -> int:
        return max(self.daily_limit - self.used, 0)

    # ---- visibility ------------------------------------------------------------------------
    def visible_fields(self, sobject: str) -> set[str]:
        """Standard fields plus custom fields the integration user has FLS on."""
        granted = {n for (t, n) in self.granted if t == sobject}
        return _STANDARD.get(sobject, set()) | _SYSTEM | granted

    def _describe(self, sobject: str) -> EmulatorResponse:
        if sobject not in self.records:
            return _error(404, "NOT_FOUND", f"sObject type '{sobject}' is not supported.")
        fields: list[dict[str, Any]] = [
            {"name": n, "type": "string"} for n in sorted(_STANDARD[sobject] | _SYSTEM)
        ]
        fields += [
            {"name": n, "type": k.lower(), "custom": True}
            for n, k in sorted(self.custom_fields[sobject].items())
            if (sobject, n) in self.granted
        ]
        return EmulatorResponse(200, {"name": sobject, "fields": fields})

    # ---- writes ----------------------------------------------------------------------------
    def _check_fields(self, sobject: str, values: dict[str, Any]) -> str | None:
        visible = self.visible_fields(sobject)
        for name in values:
            if name not in visible and name not in ("attributes", "id", "Id"):
                return name
        return None

    def _create(self, sobject: str, values: dict[str, Any]) -> EmulatorResponse:
        if sobject not in self.records:
            return _error(404, "NOT_FOUND", f"sObject type '{sobject}' is not supported.")
        bad = self._check_fields(sobject, values)
        if bad:
            return _error(400, "INVALID_FIELD", f"No such column '{bad}' on sobject {sobject}")
        bad_ref = self._bad_reference(values)
        if bad_ref:
            return _error(
                400, "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {bad_ref}"
            )
        parent = str(values.get("WhatId"))
        if self.lock_rows.get(parent, 0) > 0:  # an activity insert locks its account
            self.lock_rows[parent] -= 1
            return _error(400, "UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access: {parent}")
        key_field = "CX_Followup_Key__c"
        key = values.get(key_field)
        if key and any(r.get(key_field) == key for r in self.records[sobject].values()):
            return _error(400, "DUPLICATE_VALUE", f"duplicate value found: {key_field}")
        rid = self.insert(sobject, dict(values))
        self.refresh_grants()
        return EmulatorResponse(201, {"id": rid, "success": True, "errors": []})

    def refresh_grants(self) -> None:
        """FLS from permission sets assigned to the integration user takes effect."""
        names = {v: k for k, v in self.permission_set_ids.items()}
        for assignment in self.records["PermissionSetAssignment"].values():
            if assignment.get("AssigneeId") == self.integration_user_id:
                name = names.get(str(assignment.get("PermissionSetId")))
                for sobject, field_name in self.permission_sets.get(name or "", set()):
                    if field_name in self.custom_fields.get(sobject, {}):
                        self.granted.add((sobject, field_name))

    def _collections_update(self, payload: Any) -> EmulatorResponse:
        records = (payload or {}).get("records")
        if not isinstance(records, list):
            return _error(400, "JSON_PARSER_ERROR", "records is required")
        if len(records) > COLLECTION_LIMIT:
            return _error(
                400,
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )
        return EmulatorResponse(200, [self._update_one(r) for r in records])

    def _bad_reference(self, values: dict[str, Any]) -> str | None:
        """Lookups must point at records of the right kind (users are 005… ids)."""
        owner = values.get("OwnerId")
        if owner is not None and not str(owner).startswith("005"):
            return "OwnerId"
        for name, sobject in (
            ("WhoId", "Contact"),
            ("WhatId", "Account"),
            ("AccountId", "Account"),
        ):
            ref = values.get(name)
            if ref is not None and ref not in self.records[sobject]:
                return name
        return None

    def _collections_create(self, payload: Any) -> EmulatorResponse:
        records = (payload or {}).get("records")
        if not isinstance(records, list) or len(records) > COLLECTION_LIMIT:
            return _error(400, "INVALID_BATCH_SIZE", "between 1 and 200 records are required")
        out = []
        for record in records:
            sobject = (record.get("attributes") or {}).get("type", "")
            values = {k: v for k, v in record.items() if k != "attributes"}
            answer = self._create(sobject, values)
            if answer.status == 201:
                out.append(answer.body)
            else:
                err = answer.body[0]
                out.append(
                    {
                        "success": False,
                        "errors": [
                            {
                                "statusCode": err["errorCode"],
                                "message": err["message"],
                                "fields": [],
                            }
                        ],
                    }
                )
        return EmulatorResponse(200, out)

    def _update_one(self, record: dict[str, Any]) -> dict[str, Any]:
        rid = record.get("id") or record.get("Id")
        sobject = (record.get("attributes") or {}).get("type")

        def failed(code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
            err = {"statusCode": code, "message": message, "fields": fields or []}
            return {"id": rid, "success": False, "errors": [err]}

        if not sobject or not rid:
            return failed("INVALID_FIELD", "attributes.type and id are required")
        if rid not in self.records.get(sobject, {}):
            return failed("ENTITY_IS_DELETED", "entity is deleted or does not exist")
        if self.lock_rows.get(rid, 0) > 0:
            self.lock_rows[rid] -= 1
            return failed(
                "UNABLE_TO_LOCK_ROW",
                f"unable to obtain exclusive access to this record or 1 records: {rid}",
            )
        if rid in self.reject_rows or rid in self.invalid_rows:
            self.reject_rows.discard(rid)
            return failed("FIELD_CUSTOM_VALIDATION_EXCEPTION", "rejected by a validation rule")
        values = {k: v for k, v in record.items() if k not in ("attributes", "id", "Id")}
        bad = self._check_fields(sobject, values)
        if bad:
            return failed("INVALID_FIELD_FOR_INSERT_UPDATE", f"No such column '{bad}'", [bad])
        self.update(sobject, rid, values)
        return {"id": rid, "success": True, "errors": []}

    def _get_deleted(self, sobject: str, query: dict[str, str]) -> EmulatorResponse:
        try:
            start, end = _parse_time(query["start"]), _parse_time(query["end"])
        except (KeyError, ValueError):
            return _error(400, "INVALID_DATE", "start and end are required ISO datetimes")
        found = [
            {"id": r["Id"], "deletedDate": _sf_time(r["SystemModstamp"])}
            for r in self.records.get(sobject, {}).values()
            if r["IsDeleted"] and start <= r["SystemModstamp"] <= end
        ]
        body: dict[str, Any] = {"deletedRecords": found, "latestDateCovered": _sf_time(end)}
        return EmulatorResponse(200, body)
