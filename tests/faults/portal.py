"""A small, realistic customer portal for the fault suite, and the CRM state it ends in.

Thirty construction and industrial companies in Turkey and Germany, ten people each: site
chiefs, procurement and finance heads, quality and IT leads, operators, plus a shared
``info@``/``einkauf@`` mailbox, a few duplicated addresses, malformed addresses, free-mail
users (and, on request, contacts nobody has touched for years). Their survey answers (NPS, CSAT, CES) and
field notes sit in a feedback folder, keyed by email as a survey export would be. Detractors,
low CSAT/CES and notes that need action open follow-up tasks; every person gets hygiene and
role fields; every account gets health fields.

Everything is derived from the indices, so two emulators seeded here hold the same records
under the same ids, and a run against one can be compared field by field with a run
against the other.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cxsync_salesforce.testing import SalesforceEmulator

from cxsync.models import ObjectType
from cxsync.schema import FieldType, load_field_map

ACCOUNTS = 30
PEOPLE = 10  # per account, the shared mailbox included

# (title, a journey stage the title's persona has): feedback names a stage of its journey
_TITLES = [
    ("Şantiye Şefi", "delivery"),
    ("Satınalma Müdürü", "purchase"),
    ("Finans Direktörü", "payment"),
    ("Geschäftsführer", "decision"),
    ("Einkaufsleiterin", "evaluation"),
    ("Quality Manager", "evaluation"),
    ("Operatör", "usage"),
    ("Bauleiter", "delivery"),
    ("Kalite Müdürü", "delivery"),
    ("IT Manager", "evaluation"),
]
_FIRST = ["Ahmet", "Ayşe", "Mehmet", "Zeynep", "Klaus", "Julia", "Serkan", "Elif", "Stefan"]
_LAST = ["Yılmaz", "Demir", "Kaya", "Şahin", "Weber", "Braun", "Koç", "Öztürk", "Schmidt", "Doğan"]
_CITIES = ["Boğaziçi", "Anadolu", "Ege", "Karadeniz", "Marmara", "Rhein", "Ruhr", "Elbe", "Isar"]
_ASCII = str.maketrans("ıİşŞğĞüÜöÖçÇ", "iIsSgGuUoOcC")
_OLD = datetime(2023, 3, 1, 9, 0, tzinfo=UTC)  # untouched for years: stale


def _owner(i: int) -> str:
    return f"005EMU{i % 4:012d}"


def _domain(i: int) -> str:
    return f"bau{i:02d}.de" if i % 3 == 2 else f"yapi{i:02d}.com.tr"


def _person(i: int, j: int) -> tuple[str, str, str, str]:
    """(first name, last name, title, journey stage) of person ``j`` at account ``i``."""
    title, stage = _TITLES[(i + j) % len(_TITLES)]
    return _FIRST[(3 * i + j) % len(_FIRST)], _LAST[(7 * i + j) % len(_LAST)], title, stage


def email(i: int, j: int) -> str:
    """The address person ``j`` of account ``i`` has in the CRM (and answers surveys with)."""
    first, last, _, _ = _person(i, j)
    local = f"{first}.{last}".lower().translate(_ASCII)
    if j == PEOPLE - 1:
        return ("einkauf@" if i % 3 == 2 else "info@") + _domain(i)
    if j == 8 and i % 5 == 0:
        return email(i, 0)  # the same person entered twice
    if j == 7 and i % 6 == 1:
        return f"{local}.{_domain(i)}"  # the @ got lost
    if j == 5 and i % 7 == 2:
        return f"{local}{i}@gmail.com"
    return f"{local}@{_domain(i)}"


def seed(emulator: SalesforceEmulator, *, stale: bool = False) -> tuple[list[str], list[str]]:
    """Insert the portal; returns (account ids, contact ids) in insertion order.

    ``stale`` backdates eight contacts by years. The fault tests leave it off: cxsync's own
    write moves a contact's SystemModstamp, so it un-flags them one run later, which makes
    the number of runs show in the final state (test_own_writes.py holds that bug).
    """
    accounts = emulator.seed_accounts(
        [
            {
                "Name": f"{_CITIES[i % len(_CITIES)]} {'Bau GmbH' if i % 3 == 2 else 'Yapı A.Ş.'} "
                f"{i:02d}",
                "OwnerId": _owner(i),
                "Industry": "industrial" if i % 3 == 1 else "construction",
                "AnnualRevenue": 5_000_000 * (i + 1),
                "BillingCountry": "DE" if i % 3 == 2 else "TR",
            }
            for i in range(ACCOUNTS)
        ]
    )
    contacts = []
    for i, account in enumerate(accounts):
        for j in range(PEOPLE):
            first, last, title, _ = _person(i, j)
            mailbox = j == PEOPLE - 1
            values = {
                "AccountId": account,
                "Email": email(i, j),
                "FirstName": None if mailbox else first,
                "LastName": "Zentrale" if mailbox else last,
                "Title": None if mailbox else title,
                "OwnerId": _owner(i),
            }
            old = stale and j == 6 and i % 4 == 1
            contacts.append(emulator.insert("Contact", values, _OLD if old else None))
    return accounts, contacts


def _responses(now: datetime) -> list[dict[str, Any]]:
    rows = []
    for i in range(ACCOUNTS):
        for j in range(6):
            _, _, _, stage = _person(i, j)
            base = {"contact_id": "", "email": email(i, j), "phase": stage, "channel": "email"}
            ago = timedelta(days=(5 * i + 11 * j) % 90 + 1, hours=3)
            if j < 4:
                score = (7 * i + 3 * j) % 11
                metric = "nps"
            elif j == 4:
                score, metric = (i + j) % 5 + 1, "csat"
            elif i % 2 == 0:
                score, metric = (i // 2) % 7 + 1, "ces"
            else:
                continue
            rows.append(
                base
                | {
                    "response_id": f"SV-{i:02d}-{j}",
                    "metric": metric,
                    "score": str(score),
                    "submitted_at": (now - ago).isoformat(),
                    "comment": "Teslimat gecikti." if score <= 2 else "",
                    "action_required": "",
                }
            )
        old = now - timedelta(days=200)
        rows.append(
            {
                "response_id": f"SV-{i:02d}-old",
                "contact_id": "",
                "email": email(i, 0),
                "metric": "nps",
                "score": str((i + 4) % 11),
                "phase": _person(i, 0)[3],
                "channel": "sms",
                "submitted_at": old.isoformat(),
                "comment": "",
                "action_required": "",
            }
        )
    return rows


def _notes(now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "response_id": f"NOTE-{i:02d}",
            "email": email(i, 1),
            "phase": _person(i, 1)[3],
            "channel": "visit" if i % 2 else "call",
            "submitted_at": (now - timedelta(days=4, hours=i)).isoformat(),
            "comment": "Şantiye ziyareti: iki kırıcı arızalı, yedek parça bekleniyor.",
            "action_required": i % 6 == 0,
        }
        for i in range(0, ACCOUNTS, 3)
    ]


def write_feedback(folder: Path, now: datetime) -> Path:
    """The survey export and the field-note log, dated relative to ``now``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = _responses(now)
    with (folder / "responses.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    notes = "".join(json.dumps(n, ensure_ascii=False) + "\n" for n in _notes(now))
    (folder / "field_notes.jsonl").write_text(notes, encoding="utf-8")
    return folder


# when the health was computed differs from run to run by design; everything else must not
_VOLATILE = {"cx_health_updated_at"}
_TASK_FIELDS = ("WhoId", "WhatId", "OwnerId", "Subject", "Status", "Type", "Priority")


def _as_stored(kind: FieldType, value: Any) -> Any:
    """A value as Salesforce keeps it: an empty string is null, and a Bulk CSV cell is
    typed by its field (the emulator keeps Bulk cells as the text they arrived as)."""
    if value is None or value == "":
        return None
    if kind is FieldType.NUMBER:
        return float(value)
    if kind is FieldType.CHECKBOX:
        return value if isinstance(value, bool) else str(value).lower() == "true"
    return value


def crm_state(emulator: SalesforceEmulator) -> dict[str, Any]:
    """What cxsync left in the org: every record's cx fields and every Task it created."""
    field_map = load_field_map("salesforce")

    def cx(sobject: str, object_type: ObjectType) -> dict[str, dict[str, Any]]:
        fields = [
            (m.spec.name, m.vendor_name, m.spec.type)
            for m in field_map.for_object(object_type)
            if m.spec.name not in _VOLATILE
        ]
        out = {}
        for rid, record in sorted(emulator.records[sobject].items()):
            values = {name: _as_stored(kind, record.get(vendor)) for name, vendor, kind in fields}
            out[rid] = {k: v for k, v in values.items() if v is not None}
        return out

    tasks = sorted(
        (str(r.get("CX_Followup_Key__c")), *(str(r.get(f)) for f in _TASK_FIELDS))
        for r in emulator.records["Task"].values()
    )
    return {
        "contacts": cx("Contact", ObjectType.CONTACT),
        "accounts": cx("Account", ObjectType.ACCOUNT),
        "tasks": tasks,
    }
