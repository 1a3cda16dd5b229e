"""Test helpers: the Salesforce emulator, how to serve it, and a demo server.

Use it in your own tests::

    from cxsync_salesforce.testing import SalesforceEmulator, install_cx_fields, mock_emulator

    emulator = SalesforceEmulator()
    install_cx_fields(emulator)
    with mock_emulator(emulator):
        adapter = SalesforceAdapterFactory().create(emulator_settings(), context)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cxsync.adapter import AdapterContext
from cxsync.models import ObjectType
from cxsync.schema import FieldType, load_field_map
from cxsync_salesforce.adapter import SalesforceAdapter, SalesforceAdapterFactory
from cxsync_salesforce.testing.emulator import SalesforceEmulator
from cxsync_salesforce.testing.faults import ScheduledFault
from cxsync_salesforce.testing.serve import (
    IN_PROCESS_URL,
    mock_emulator,
    serve_emulator,
    start_server,
)
from cxsync_salesforce.testing.shapes import DROPPED, TIMEOUT, EmulatorResponse

__all__ = [
    "DROPPED",
    "IN_PROCESS_URL",
    "TIMEOUT",
    "EmulatorResponse",
    "SalesforceEmulator",
    "ScheduledFault",
    "emulator_adapter",
    "emulator_settings",
    "install_cx_fields",
    "mock_emulator",
    "serve_emulator",
    "start_demo_server",
    "start_server",
]

_KINDS = {
    FieldType.NUMBER: "Double",
    FieldType.TEXT: "String",
    FieldType.LONG_TEXT: "Textarea",
    FieldType.PICKLIST: "Picklist",
    FieldType.MULTIPICKLIST: "Multipicklist",
    FieldType.DATE: "Date",
    FieldType.DATETIME: "Datetime",
    FieldType.CHECKBOX: "Boolean",
}
_SOBJECT = {ObjectType.ACCOUNT: "Account", ObjectType.CONTACT: "Contact"}


def install_cx_fields(emulator: SalesforceEmulator, *, grant: bool = True) -> None:
    """Create every mapped cx field (and the Task key field), with FLS when ``grant``."""
    for mapped in load_field_map("salesforce").fields:
        kind = _KINDS[mapped.spec.type]
        emulator.install_field(_SOBJECT[mapped.spec.object], mapped.vendor_name, kind, grant=grant)
    emulator.install_field("Task", "CX_Followup_Key__c", "String", grant=grant)


def emulator_settings(base_url: str = IN_PROCESS_URL, session_id: str = "EMU") -> dict[str, Any]:
    """Adapter settings (session flow) pointing at an emulator at ``base_url``."""
    return {
        "flow": "session",
        "session_id": session_id,
        "instance_url": base_url,
        "backoff_max_seconds": 0.05,
        "max_attempts": 3,
        "bulk_poll_seconds": 0,
    }


def emulator_adapter(
    emulator: SalesforceEmulator, work_dir: Path, base_url: str = IN_PROCESS_URL, **overrides: Any
) -> SalesforceAdapter:
    """A connected adapter over ``emulator`` (mounted in-process or served at ``base_url``)."""
    merged = {**emulator_settings(base_url, emulator.session_id), **overrides}
    settings = {k: v for k, v in merged.items() if v is not None}
    context = AdapterContext(field_map=load_field_map("salesforce"), work_dir=work_dir)
    return SalesforceAdapterFactory().create(settings, context)


def _stamp(row: dict[str, Any]) -> datetime | None:
    value = row.get("modified_at")
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _user_id(owner: object) -> str | None:
    """A Salesforce-shaped user id (005…) for a sample owner name such as ``owner-2``."""
    if owner is None or str(owner).startswith("005"):
        return None if owner is None else str(owner)
    import hashlib

    return "005" + hashlib.sha1(str(owner).encode()).hexdigest()[:15].upper()


def start_demo_server(
    accounts: list[dict[str, Any]], contacts: list[dict[str, Any]]
) -> tuple[str, dict[str, Any], Callable[[], None]]:
    """Seed an emulator from canonical dicts and serve it on loopback.

    Returns (base url, adapter settings mapping pointing at it, stop function). The cx
    fields are installed with FLS granted. Contacts' ``account_id`` refers to the given
    account ``id`` values; the emulator assigns Salesforce ids of its own.
    """
    emulator = SalesforceEmulator()
    install_cx_fields(emulator)
    account_ids: dict[str, str] = {}
    for row in accounts:
        account_ids[str(row["id"])] = emulator.insert(
            "Account",
            {
                "Name": row.get("name", ""),
                "OwnerId": _user_id(row.get("owner_id")),
                "Industry": row.get("segment"),
                "AnnualRevenue": row.get("annual_revenue"),
                "BillingCountry": row.get("country"),
            },
            _stamp(row),
        )
    for row in contacts:
        emulator.insert(
            "Contact",
            {
                "AccountId": account_ids.get(str(row.get("account_id"))),
                "Email": row.get("email"),
                "FirstName": row.get("first_name"),
                "LastName": row.get("last_name"),
                "Title": row.get("title"),
                "OwnerId": _user_id(row.get("owner_id")),
            },
            _stamp(row),
        )
    url, stop = start_server(emulator)
    return url, emulator_settings(url), stop
