"""The fault suite's portal on the HubSpot emulator, runs against it, and its final state.

The customer base is the Salesforce portal's (``tests/faults/portal.py``): the same 30
companies and 300 people, translated to HubSpot properties, with the same feedback folder.
HubSpot assigns ids in insertion order, so two emulators seeded here hold the same records
under the same ids. hubspot-api-client talks urllib3, so every portal is served on
loopback; in-process runs all score at the suite's ``NOW``, so a faulted portal and the
clean reference are compared exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from cxsync_hubspot.engagements import KEY_PROPERTY
from cxsync_hubspot.testing import (
    Answer,
    HubSpotEmulator,
    emulator_settings,
    install_cx_properties,
    start_server,
)
from cxsync_hubspot.testing import seed as seed_hubspot
from cxsync_hubspot.testing.shapes import error, rate_limit_body
from cxsync_salesforce.testing import SalesforceEmulator

from cxsync.engine.summary import RunSummary
from cxsync.schema import load_field_map
from tests.faults.conftest import assert_same_state
from tests.faults.conftest import at_another_instant as drivers_at_another_instant
from tests.faults.portal import seed, write_feedback
from tests.faults.runs import NOW, PortalRuns

#: the retry budget of one API call
MAX_ATTEMPTS = 4
# the requests a run makes (a path with its query string contains one of these)
COMPANIES_LIST = "/crm/v3/objects/companies?"
CONTACTS_LIST = "/crm/v3/objects/contacts?"
ASSOCIATIONS = "/crm/v4/associations/contacts/companies/batch/read"
NOTES_CREATE = "/crm/v3/objects/notes/batch/create"
CONTACT_WRITES = "/crm/v3/objects/contacts/batch/update"
COMPANY_WRITES = "/crm/v3/objects/companies/batch/update"
TASKS_SEARCH = "/crm/v3/objects/tasks/search"
TASKS_CREATE = "/crm/v3/objects/tasks/batch/create"
TOKEN = "/oauth/v1/token"
CRM = "hubspot"
#: searches a second, the emulator's limit and the client's pace: HubSpot's 5 would make
#: every run wait seconds for its follow-up key searches (one per account with follow-ups)
SEARCH_PER_SECOND = 1000
OAUTH_APP = {"client_id": "cxsync-faults", "client_secret": "cs-not-a-secret"}
REFRESH_TOKEN = "rt-not-a-secret"


def seed_portal(emulator: HubSpotEmulator) -> tuple[list[str], list[str]]:
    """The Salesforce portal's rows as HubSpot companies and contacts (primary company
    associations); returns (company ids, contact ids) in insertion order.

    Each record keeps the Salesforce emulator's modification stamp (one second apart, in
    the past): the order of ``lastmodifieddate`` decides which of two duplicates survives,
    and records seeded within one millisecond would tie, differently from portal to portal.
    """
    org = SalesforceEmulator()
    seed(org)
    accounts = [
        {
            "id": rid,
            "name": r["Name"],
            "owner_id": r["OwnerId"],
            "segment": r["Industry"],
            "annual_revenue": r["AnnualRevenue"],
            "country": r["BillingCountry"],
            "modified_at": r["SystemModstamp"],
        }
        for rid, r in org.records["Account"].items()
    ]
    contacts = [
        {
            "id": rid,
            "account_id": r["AccountId"],
            "email": r["Email"],
            "first_name": r["FirstName"],
            "last_name": r["LastName"],
            "title": r["Title"],
            "owner_id": r["OwnerId"],
            "modified_at": r["SystemModstamp"],
        }
        for rid, r in org.records["Contact"].items()
    ]
    companies, contact_ids = seed_hubspot(emulator, accounts, contacts)
    return list(companies.values()), contact_ids


@dataclass
class HubSpotPortal(PortalRuns):
    """One seeded portal on loopback, one state store, and the runs against them."""

    crm: ClassVar[str] = CRM
    root: Path
    emulator: HubSpotEmulator
    base_url: str
    settings: dict[str, Any] = field(default_factory=dict)

    def adapter_settings(self) -> dict[str, Any]:
        merged = {
            **emulator_settings(self.base_url),
            "max_attempts": MAX_ATTEMPTS,
            "backoff_max_seconds": 0.01,  # the waits are real sleeps: keep them short
            "timeout_seconds": 1.0,  # a stalled answer costs this much
            "search_per_second": SEARCH_PER_SECOND,
            **self.settings,
        }
        return {k: v for k, v in merged.items() if v is not None}

    def use_oauth(self) -> None:
        """Connect as a public app: tokens come from the refresh token, and expire."""
        self.emulator.add_oauth_app(
            OAUTH_APP["client_id"], OAUTH_APP["client_secret"], REFRESH_TOKEN
        )
        self.settings.update(
            flow="oauth", access_token=None, refresh_token=REFRESH_TOKEN, **OAUTH_APP
        )

    def state(self) -> dict[str, Any]:
        return portal_state(self.emulator)


def new_emulator() -> HubSpotEmulator:
    # a test's runs follow each other within ten seconds and would share HubSpot's window
    # of 190 requests; pacing to it is the adapter's own tests' business
    emulator = HubSpotEmulator(burst_limit=10_000, search_per_second=SEARCH_PER_SECOND)
    install_cx_properties(emulator)
    seed_portal(emulator)
    return emulator


def new_portal(root: Path) -> tuple[HubSpotPortal, Callable[[], None]]:
    """A seeded portal served on loopback; returns it and the function that stops it."""
    emulator = new_emulator()
    write_feedback(root / "feedback", NOW)
    url, stop = start_server(emulator)
    return HubSpotPortal(root, emulator, url), stop


@dataclass(frozen=True)
class Reference:
    """What a clean run does and leaves behind."""

    first: RunSummary
    runs: int
    requests: list[tuple[str, str]]  # (method, path) of the first run's requests
    state: dict[str, Any]


def clean_reference(portal: HubSpotPortal) -> Reference:
    """Run a fresh portal until a run finds nothing left to do."""
    first = portal.sync()
    requests = list(portal.emulator.journal)
    assert first.status == "ok", first.exit_reason
    runs = 1 + len(portal.settle())
    return Reference(first, runs, requests, portal.state())


# ---- the portal's final state ------------------------------------------------------------
# when the health was computed differs from run to run by design; everything else must not
_VOLATILE = {"cx_health_updated_at"}
_ENGAGEMENT_PROPERTIES = {
    "tasks": (
        "hs_task_subject",
        "hs_task_body",
        "hs_task_status",
        "hs_task_priority",
        "hs_task_type",
        "hs_timestamp",
        "hubspot_owner_id",
    ),
    "notes": ("hs_note_body", "hs_timestamp", "hubspot_owner_id"),
}


def portal_state(emulator: HubSpotEmulator) -> dict[str, Any]:
    """What cxsync left in the portal: every record's cx properties as HubSpot stores them
    (text), and every task and note as (key, properties…, contact ids, company ids)."""
    cx = {m.vendor_name for m in load_field_map(CRM).fields if m.spec.name not in _VOLATILE}

    def records(object_type: str) -> dict[str, dict[str, str]]:
        return {
            rid: {k: v for k, v in r["properties"].items() if k in cx and v is not None}
            for rid, r in emulator.objects[object_type].items()
        }

    def engagements(object_type: str) -> list[tuple[Any, ...]]:
        rows = []
        for rid, r in emulator.objects[object_type].items():
            held = r["properties"]
            rows.append(
                (
                    str(held.get(KEY_PROPERTY)),
                    *(held.get(name) for name in _ENGAGEMENT_PROPERTIES[object_type]),
                    *(
                        tuple(sorted(emulator.associated(object_type, rid, to)))
                        for to in ("contacts", "companies")
                    ),
                )
            )
        return sorted(rows, key=str)

    return {
        "contacts": records("contacts"),
        "accounts": records("companies"),
        "tasks": engagements("tasks"),
        "notes": engagements("notes"),
    }


def assert_same_portal(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every cx property of every record, and every task and note, as the clean run left
    them: no key twice, none missing, none extra, none with other values or associations."""
    assert_same_state(actual, expected, ("contacts", "accounts"))
    for kind in ("tasks", "notes"):
        keys = [row[0] for row in actual[kind]]
        assert len(keys) == len(set(keys)), f"a {kind[:-1]} key was created twice"
        missing = sorted(set(expected[kind]) - set(actual[kind]))
        extra = sorted(set(actual[kind]) - set(expected[kind]))
        assert not missing and not extra, f"{kind} missing {missing[:2]}, extra {extra[:2]}"


def at_another_instant(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` without what depends on the instant a run scores at: the drivers' points
    (see tests/faults/conftest.py) and the tasks' due dates (days after the scoring day).
    A run in a subprocess scores at its own wall-clock time, not at the suite's ``NOW``."""
    due = 1 + _ENGAGEMENT_PROPERTIES["tasks"].index("hs_timestamp")
    tasks = [(*row[:due], None, *row[due + 1 :]) for row in state["tasks"]]
    return {**drivers_at_another_instant(state), "tasks": sorted(tasks, key=str)}


def last_write(emulator: HubSpotEmulator) -> datetime:
    """When the portal's records were last changed: what a later run writes comes after."""
    return max(
        r["updatedAt"]
        for kind in ("contacts", "companies")
        for r in emulator.objects[kind].values()
    )


def assert_sent_first(emulator: HubSpotEmulator, since: datetime, keys: set[str]) -> None:
    """The writes waiting under ``keys`` (``contact:<id>``, ``account:<id>``) were the first
    a run made after ``since``: the emulator stamps every record it changes, strictly in
    the order it changes them."""
    kinds = {"contacts": "contact", "companies": "account"}
    written = sorted(
        (r["updatedAt"], f"{kinds[kind]}:{rid}")
        for kind in kinds
        for rid, r in emulator.objects[kind].items()
        if r["updatedAt"] > since
    )
    assert {key for _, key in written[: len(keys)]} == keys, "the outbox was not sent first"


def rate_limited(policy: str, retry_after: str | None = None) -> Answer:
    """HubSpot's 429 for ``policy`` (with a ``Retry-After`` header when given)."""
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Answer(429, rate_limit_body(policy), headers)


def unavailable() -> Answer:
    return error(503, "Service Unavailable", "SERVICE_UNAVAILABLE")
