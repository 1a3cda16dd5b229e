"""A small files-adapter CRM for end-to-end engine tests."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cxsync.config import CxSyncConfig

ACCOUNTS = [
    ["id", "name", "owner_id", "segment", "annual_revenue", "country", "modified_at"],
    [
        "A1",
        "Boğaziçi İnşaat A.Ş.",
        "owner-1",
        "construction",
        "25000000",
        "TR",
        "2026-10-01T08:00:00Z",
    ],
    ["A2", "Rheinbau GmbH", "owner-2", "construction", "40000000", "DE", "2026-10-02T08:00:00Z"],
]
CONTACTS = [
    ["id", "account_id", "email", "first_name", "last_name", "title", "owner_id", "modified_at"],
    [
        "C1",
        "A1",
        "ahmet.yilmaz@bogazici.com.tr",
        "Ahmet",
        "Yılmaz",
        "Şantiye Şefi",
        "owner-1",
        "2026-10-05T08:00:00Z",
    ],
    [
        "C2",
        "A1",
        "ayse.demir@bogazici.com.tr",
        "Ayşe",
        "Demir",
        "Satınalma Müdürü",
        "owner-1",
        "2026-10-05T08:00:00Z",
    ],
    ["C3", "A1", "info@bogazici.com.tr", "", "", "", "owner-1", "2026-10-05T08:00:00Z"],
    [
        "C4",
        "A1",
        "ahmet.yilmaz@bogazici.com.tr",
        "Ahmet",
        "Yilmaz",
        "Site Chief",
        "owner-1",
        "2026-09-01T08:00:00Z",
    ],
    [
        "C5",
        "A2",
        "k.weber@rheinbau.de",
        "Klaus",
        "Weber",
        "Geschäftsführer",
        "owner-2",
        "2026-10-06T08:00:00Z",
    ],
    [
        "C6",
        "A2",
        "j.braun@rheinbau.de",
        "Julia",
        "Braun",
        "Einkaufsleiterin",
        "owner-2",
        "2020-01-06T08:00:00Z",
    ],
]
FEEDBACK = [
    [
        "response_id",
        "contact_id",
        "email",
        "metric",
        "score",
        "phase",
        "channel",
        "submitted_at",
        "comment",
        "action_required",
    ],
    [
        "R1",
        "C1",
        "",
        "nps",
        "3",
        "delivery",
        "email",
        "2026-11-10T09:00:00Z",
        "Teslimat iki hafta gecikti.",
        "",
    ],
    [
        "R2",
        "",
        "ayse.demir@bogazici.com.tr",
        "csat",
        "4",
        "purchase",
        "email",
        "2026-11-11T09:00:00Z",
        "",
        "",
    ],
    [
        "R3",
        "C5",
        "",
        "nps",
        "10",
        "decision",
        "meeting",
        "2026-11-12T09:00:00Z",
        "Sehr zufrieden.",
        "",
    ],
    ["R4", "C5", "", "nps", "11", "decision", "email", "2026-11-12T09:00:00Z", "", ""],
    ["R5", "C99", "", "nps", "8", "usage", "email", "2026-11-12T09:00:00Z", "", ""],
]


@dataclass
class MiniCrm:
    root: Path
    crm: Path

    def config(self, **extra: Any) -> CxSyncConfig:
        return CxSyncConfig(
            crm="files",
            work_dir=self.root / ".cxsync",
            adapter={"files": {"path": str(self.crm), "page_size": 2}},
            **extra,
        )

    def rows(self, name: str) -> dict[str, dict[str, str]]:
        with (self.crm / name).open(encoding="utf-8-sig", newline="") as fh:
            return {row["id"]: row for row in csv.DictReader(fh)}

    def edit(self, name: str, record_id: str, **changes: str) -> None:
        path = self.crm / name
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = list(reader)
        for key in changes:
            if key not in header:
                header.append(key)
        for row in rows:
            if row["id"] == record_id:
                row.update(changes)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)

    def add_feedback(self, name: str, rows: list[list[str]]) -> None:
        write_csv(self.crm / "feedback" / name, [FEEDBACK[0], *rows])


def write_csv(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


@pytest.fixture
def mini_crm(tmp_path: Path) -> MiniCrm:
    crm = tmp_path / "crm"
    write_csv(crm / "accounts.csv", ACCOUNTS)
    write_csv(crm / "contacts.csv", CONTACTS)
    write_csv(crm / "feedback" / "responses.csv", FEEDBACK)
    return MiniCrm(tmp_path, crm)


MakeCrm = Callable[[], MiniCrm]
