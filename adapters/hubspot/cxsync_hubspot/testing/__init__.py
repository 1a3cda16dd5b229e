"""Test helpers: the HubSpot emulator, how to serve it, and a seeded demo portal.

Use it in your own tests::

    from cxsync_hubspot.testing import HubSpotEmulator, emulator_adapter, serve_emulator

    emulator = HubSpotEmulator()
    install_cx_properties(emulator)
    with serve_emulator(emulator) as url:
        adapter = emulator_adapter(url, tmp_path)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from cxsync.adapter import AdapterContext
from cxsync.schema import load_field_map
from cxsync_hubspot.adapter import HubSpotAdapter, HubSpotAdapterFactory
from cxsync_hubspot.engagements import KEY_PROPERTY
from cxsync_hubspot.schema import HUBSPOT_TYPES, OBJECT_TYPES
from cxsync_hubspot.testing.emulator import HubSpotEmulator
from cxsync_hubspot.testing.server import serve_emulator, start_server
from cxsync_hubspot.testing.shapes import Answer, Fault

__all__ = [
    "ACCESS_TOKEN",
    "Answer",
    "Fault",
    "HubSpotEmulator",
    "emulator_adapter",
    "emulator_settings",
    "install_cx_properties",
    "serve_emulator",
    "start_demo_server",
    "start_server",
]

#: the private app token a default emulator accepts
ACCESS_TOKEN = "pat-emu-0000"


def install_cx_properties(emulator: HubSpotEmulator) -> None:
    """Create every mapped cx property and the follow-up key, as `cxsync install` would."""
    for mapped in load_field_map("hubspot").fields:
        kind, field_type = HUBSPOT_TYPES[mapped.spec.type]
        options = ["true", "false"] if kind == "bool" else list(mapped.spec.options) or None
        emulator.define_property(
            OBJECT_TYPES[mapped.spec.object], mapped.vendor_name, kind, field_type, options
        )
    for object_type in ("tasks", "notes"):
        emulator.define_property(object_type, KEY_PROPERTY, "string", "text")


def emulator_settings(base_url: str, access_token: str = ACCESS_TOKEN) -> dict[str, Any]:
    """Adapter settings (private app) for an emulator at ``base_url``: short waits, no lag."""
    return {
        "flow": "private_app",
        "access_token": access_token,
        "host": base_url,
        "timeout_seconds": 5.0,
        "max_attempts": 4,
        "backoff_max_seconds": 0.05,
        "search_lag_seconds": 0,
    }


def emulator_adapter(base_url: str, work_dir: Path, **overrides: Any) -> HubSpotAdapter:
    """A connected adapter over the emulator served at ``base_url``."""
    settings = {**emulator_settings(base_url), **overrides}
    context = AdapterContext(field_map=load_field_map("hubspot"), work_dir=work_dir)
    return HubSpotAdapterFactory().create(
        {k: v for k, v in settings.items() if v is not None}, context
    )


def _stamp(row: dict[str, Any]) -> datetime | None:
    value = row.get("modified_at")
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def owner_id(owner: object) -> str | None:
    """A HubSpot-shaped numeric owner id for a sample owner name such as ``owner-2``."""
    if owner is None or str(owner).isdigit():
        return None if owner is None else str(owner)
    return str(int(hashlib.sha1(str(owner).encode()).hexdigest()[:8], 16))


def seed(
    emulator: HubSpotEmulator, accounts: list[dict[str, Any]], contacts: list[dict[str, Any]]
) -> tuple[dict[str, str], list[str]]:
    """Insert canonical accounts and contacts; returns (account id → company id, contact ids)."""
    companies: dict[str, str] = {}
    for row in accounts:
        revenue = row.get("annual_revenue")
        companies[str(row["id"])] = emulator.insert(
            "companies",
            {
                "name": row.get("name", ""),
                "hubspot_owner_id": owner_id(row.get("owner_id")),
                "industry": row.get("segment"),
                "annualrevenue": None if revenue is None else str(revenue),
                "country": row.get("country"),
            },
            _stamp(row),
        )
    contact_ids = []
    for row in contacts:
        cid = emulator.insert(
            "contacts",
            {
                "email": row.get("email"),
                "firstname": row.get("first_name"),
                "lastname": row.get("last_name"),
                "jobtitle": row.get("title"),
                "hubspot_owner_id": owner_id(row.get("owner_id")),
            },
            _stamp(row),
        )
        company = companies.get(str(row.get("account_id")))
        if company:
            emulator.associate("contacts", cid, "companies", company, primary=True)
        contact_ids.append(cid)
    return companies, contact_ids


def start_demo_server(
    accounts: list[dict[str, Any]], contacts: list[dict[str, Any]]
) -> tuple[str, dict[str, Any], Callable[[], None]]:
    """Seed an emulator from canonical dicts and serve it on loopback.

    Returns (base url, adapter settings pointing at it, stop function). The cx properties
    are installed; HubSpot assigns ids of its own.
    """
    emulator = HubSpotEmulator()
    install_cx_properties(emulator)
    seed(emulator, accounts, contacts)
    url, stop = start_server(emulator)
    return url, emulator_settings(url), stop
