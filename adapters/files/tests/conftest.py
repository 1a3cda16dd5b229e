"""The contract harness for the files adapter: a folder in tmp_path."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cxsync_files import FilesAdapter, FilesAdapterFactory
from cxsync_files.testing import FaultPlan

from cxsync.adapter import AdapterContext
from cxsync.models import ObjectType
from cxsync.schema import load_field_map
from cxsync.testing.harness import Fault

ACCOUNT_COLUMNS = ["id", "name", "owner_id", "segment", "annual_revenue", "country", "modified_at"]
CONTACT_COLUMNS = [
    "id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "title",
    "owner_id",
    "modified_at",
]


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value or "")


class FilesHarness:
    page_size = 3

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.faults = FaultPlan()
        for name, columns in (("accounts.csv", ACCOUNT_COLUMNS), ("contacts.csv", CONTACT_COLUMNS)):
            with (folder / name).open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerow(columns)

    def adapter(self) -> FilesAdapter:
        adapter = FilesAdapterFactory().create(
            {"path": str(self.folder), "page_size": self.page_size},
            AdapterContext(field_map=load_field_map("files"), work_dir=self.folder / ".cxsync"),
        )
        adapter.faults = self.faults
        return adapter

    def _append(self, name: str, columns: list[str], rows: Sequence[dict[str, Any]]) -> None:
        with (self.folder / name).open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for row in rows:
                writer.writerow(
                    [_iso(row.get(c)) if c == "modified_at" else row.get(c, "") for c in columns]
                )

    def seed(
        self, accounts: Sequence[dict[str, Any]], contacts: Sequence[dict[str, Any]]
    ) -> tuple[list[str], list[str]]:
        self._append("accounts.csv", ACCOUNT_COLUMNS, accounts)
        self._append("contacts.csv", CONTACT_COLUMNS, contacts)
        return [a["id"] for a in accounts], [c["id"] for c in contacts]

    def _rows(self, name: str) -> tuple[list[str], list[dict[str, str]]]:
        with (self.folder / name).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            return list(reader.fieldnames or []), list(reader)

    def touch(self, object_type: ObjectType, record_id: str, changes: dict[str, Any]) -> None:
        name = "contacts.csv" if object_type is ObjectType.CONTACT else "accounts.csv"
        header, rows = self._rows(name)
        for row in rows:
            if row["id"] == record_id:
                row.update(changes)
                row["modified_at"] = datetime.now(UTC).isoformat()
        with (self.folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)

    def read_back(self, object_type: ObjectType, record_id: str) -> dict[str, Any]:
        self.adapter().compact()
        name = "contacts.csv" if object_type is ObjectType.CONTACT else "accounts.csv"
        _, rows = self._rows(name)
        row = next(r for r in rows if r["id"] == record_id)
        return {k: v for k, v in row.items() if k.startswith("cx_") and v != ""}

    def reject_next_write(self, record_id: str) -> None:
        self.faults.rejected.add(record_id)

    def inject(self, fault: Fault) -> None:
        self.faults.fault = fault

    def clear_faults(self) -> None:
        self.faults.fault = None
        self.faults.rejected.clear()


@pytest.fixture
def contract_harness(tmp_path: Path) -> FilesHarness:
    return FilesHarness(tmp_path)
