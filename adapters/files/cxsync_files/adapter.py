"""The files adapter: a CRM kept as CSV/JSONL files in a folder.

It is the reference implementation of :class:`cxsync.adapter.Adapter`: every verb of the
protocol, in the plainest form. Folder layout::

    accounts.csv | accounts.jsonl      id, name, owner_id, segment, annual_revenue, country,
                                       modified_at, cx_* fields
    contacts.csv | contacts.jsonl      id, account_id, email, first_name, last_name, title,
                                       owner_id, modified_at, deleted, cx_* fields
    feedback/                          survey exports and field notes for `cxsync sync`
    tasks.jsonl, notes.jsonl           follow-up tasks and field notes cxsync created
    rejects/<file>.rejects.csv         rows that could not be read, with the reason
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Container, Iterator, Sequence
from pathlib import Path
from typing import Any

from cxsync.adapter import ApiUsage, Capability, ConnectionInfo
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
from cxsync.schema import FieldMap, FieldSpec, PlanAction, SchemaPlan, SchemaStep
from cxsync_files.journal import Journal
from cxsync_files.records import FileCursor, RowError, key_of, to_account, to_contact
from cxsync_files.tables import DataFile, find_table
from cxsync_files.testing import FaultPlan

__all__ = ["CAPABILITIES", "FilesAdapter"]

log = logging.getLogger(__name__)

CAPABILITIES = frozenset(
    {
        Capability.READ,
        Capability.INCREMENTAL,
        Capability.WRITE_FIELDS,
        Capability.TASKS,
        Capability.NOTES,
        Capability.SCHEMA,
        Capability.FEEDBACK,
    }
)
_TABLES = {ObjectType.ACCOUNT: "accounts", ObjectType.CONTACT: "contacts"}
_OK = WriteResult(record_id="-", ok=True)
# Past this many journalled changes the journal is folded into the data file, so memory
# and replay time stay bounded however many records a run writes. Each fold rewrites the
# whole data file, so it is not done often: the pending changes it holds are compact (JSON
# bytes, identical changes shared), tens of MB at this size.
COMPACT_AFTER = 500_000


class FilesAdapter:
    name = "files"
    capabilities = CAPABILITIES

    def __init__(
        self,
        folder: Path,
        field_map: FieldMap,
        *,
        page_size: int = 1000,
        encoding: str | None = None,
    ) -> None:
        self.folder = folder
        self.field_map = field_map
        self.page_size = page_size
        self.encoding = encoding
        self.faults: FaultPlan | None = None
        self._usage = ApiUsage()
        self._journals = {t: Journal(folder, name) for t, name in _TABLES.items()}
        self._rejected_rows = 0
        self._account_ids: dict[str, None] | None = None
        # ids of the contacts file, read once per adapter on the first write (a property of
        # the files backend: a CRM answers "no such record" itself)
        self._contact_ids: dict[str, None] | None = None
        # tasks.jsonl / notes.jsonl read once, then kept up to date (see _keyed)
        self._keyed_cache: dict[str, tuple[tuple[int, int], dict[str, str]]] = {}

    def __repr__(self) -> str:
        return f"FilesAdapter({self.folder})"

    # reading ----------------------------------------------------------------------------
    def _data(self, object_type: ObjectType) -> DataFile:
        path = find_table(self.folder, _TABLES[object_type])
        if path is None:
            raise FileNotFoundError(f"{self.folder}: no {_TABLES[object_type]}.csv or .jsonl")
        journal = self._journals[object_type]
        if journal.path.exists():  # writes not yet folded in (or left by a crash)
            journal.compact(DataFile(path, self.encoding))
        return DataFile(path, self.encoding)

    def check(self) -> ConnectionInfo:
        self._fault("check")
        for object_type in _TABLES:
            self._data(object_type)
        return ConnectionInfo(adapter=self.name, endpoint=str(self.folder))

    def stream_accounts(self, since: str | None = None) -> Iterator[Page]:
        self._fault("stream_accounts")
        return self._stream(ObjectType.ACCOUNT, since, to_account)

    def stream_contacts(self, since: str | None = None) -> Iterator[Page]:
        self._fault("stream_contacts")
        known = self._known_accounts()
        return self._stream(ObjectType.CONTACT, since, lambda v, w: self._contact(v, w, known))

    def _contact(self, values: dict[str, Any], where: str, known: Container[str]) -> Contact:
        contact = to_contact(values, where)
        if contact.account_id and contact.account_id not in known:
            raise RowError(f"{where}: account {contact.account_id!r} does not exist")
        return contact

    def _known_accounts(self) -> dict[str, None]:
        if self._account_ids is None:
            self._account_ids = self._id_index(ObjectType.ACCOUNT)
        return self._account_ids

    def _id_index(self, object_type: ObjectType) -> dict[str, None]:
        """The ids of a data file's readable rows.

        A dict, not a set: CPython's cycle collector never tracks a dict holding only
        strings and None, while it walks every entry of a set on each full collection (a
        large sync's write stage runs many of them).
        """
        return dict.fromkeys(
            str(r.values.get("id", "")).strip()
            for r in self._data(object_type).rows()
            if "__error__" not in r.values
        )

    def _stream(
        self,
        object_type: ObjectType,
        since: str | None,
        build: Callable[[dict[str, Any], str], Account | Contact],
    ) -> Iterator[Page]:
        data = self._data(object_type)
        cursor = FileCursor.decode(since)
        base = cursor.since if cursor.offset is not None else cursor.high
        skip = cursor.offset or 0
        high = cursor.high if cursor.offset is not None else base
        delivered = 0
        page: list[Account | Contact] = []
        rejects = _Rejects(self.folder, data.path.name)
        for row in data.rows():
            where = f"{data.path.name}:{row.number}"
            try:
                if "__error__" in row.values:
                    raise RowError(f"{where}: {row.values['__error__']}")
                record = build(row.values, where)
            except RowError as exc:
                rejects.add(row.number, str(exc), row.values)
                continue
            key = key_of(record.modified_at, record.id)
            if base is not None and key <= base:
                continue
            delivered += 1
            if delivered <= skip:
                continue
            page.append(record)
            high = max(high, key) if high else key
            if len(page) == self.page_size:
                self._usage.read_calls += 1
                yield Page(records=tuple(page), cursor=FileCursor(base, delivered, high).encode())
                page = []
        self._rejected_rows += rejects.close()
        self._usage.read_calls += 1
        yield Page(
            records=tuple(page), cursor=FileCursor(since=None, offset=None, high=high).encode()
        )

    def rejected_rows(self) -> int:
        return self._rejected_rows

    def feedback_files(self) -> list[Path]:
        folder = self.folder / "feedback"
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".jsonl", ".txt"))

    # writing ----------------------------------------------------------------------------
    def apply_changes(self, changes: Sequence[FieldChange]) -> list[WriteResult]:
        self._fault("apply_changes")
        results: list[WriteResult] = []
        accepted: dict[ObjectType, dict[str, dict[str, Any]]] = {}
        ids = {t: self._ids(t) for t in {c.object_type for c in changes}}
        for change in changes:
            if self.faults and self.faults.take_rejection(change.record_id):
                results.append(
                    WriteResult(
                        record_id=change.record_id,
                        ok=False,
                        error="refused by the backend (injected)",
                        code="REJECTED",
                    )
                )
                continue
            if change.record_id not in ids[change.object_type]:
                results.append(
                    WriteResult(
                        record_id=change.record_id,
                        ok=False,
                        code="NOT_FOUND",
                        error=f"no {change.object_type.value} with id {change.record_id!r}",
                    )
                )
                continue
            accepted.setdefault(change.object_type, {}).setdefault(change.record_id, {}).update(
                change.values
            )
            # copied unvalidated from one success: the id is already typed, and a large
            # sync makes a million of these (twice as fast as building each one)
            results.append(_OK.model_copy(update={"record_id": change.record_id}))
        for object_type, values in accepted.items():
            journal = self._journals[object_type]
            journal.append(values)
            if journal.entries >= COMPACT_AFTER:
                self.compact()
        if changes:
            self._usage.write_calls += 1
        return results

    def _ids(self, object_type: ObjectType) -> dict[str, None]:
        if object_type is ObjectType.ACCOUNT:
            return self._known_accounts()
        if self._contact_ids is None:
            self._contact_ids = self._id_index(object_type)
        return self._contact_ids

    def compact(self) -> None:
        """Fold journalled writes into the data files (write-then-rename)."""
        for object_type, journal in self._journals.items():
            path = find_table(self.folder, _TABLES[object_type])
            if path is not None and journal.path.exists():
                journal.compact(DataFile(path, self.encoding))

    def create_tasks(self, tasks: Sequence[FollowUpTask]) -> list[WriteResult]:
        self._fault("create_tasks")
        return self._append_keyed("tasks.jsonl", "T", [t.model_dump(mode="json") for t in tasks])

    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        return set(keys) & set(self._keyed("tasks.jsonl"))

    def create_notes(self, notes: Sequence[ActivityNote]) -> list[WriteResult]:
        self._fault("create_notes")
        return self._append_keyed("notes.jsonl", "N", [n.model_dump(mode="json") for n in notes])

    def existing_note_keys(self, keys: Sequence[str]) -> set[str]:
        return set(keys) & set(self._keyed("notes.jsonl"))

    def _keyed(self, name: str) -> dict[str, str]:
        """Item id by key in ``name``. Kept between calls while the file is unchanged (same
        size and modification time): a large run creates tasks a batch at a time, and
        re-reading the whole file for each batch made that quadratic."""
        path = self.folder / name
        if not path.is_file():
            return {}
        stat = path.stat()
        cached = self._keyed_cache.get(name)
        if cached is not None and cached[0] == (stat.st_size, stat.st_mtime_ns):
            return cached[1]
        found: dict[str, str] = {}
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line from a crash: the item was never acknowledged
                found[entry["key"]] = entry["id"]
        self._keyed_cache[name] = ((stat.st_size, stat.st_mtime_ns), found)
        return found

    def _append_keyed(
        self, name: str, prefix: str, items: list[dict[str, Any]]
    ) -> list[WriteResult]:
        existing = dict(self._keyed(name))
        results = []
        path = self.folder / name
        with path.open("a", encoding="utf-8") as fh:
            for item in items:
                if item["key"] in existing:  # never create the same key twice
                    results.append(
                        WriteResult(
                            record_id=item["key"], ok=True, external_id=existing[item["key"]]
                        )
                    )
                    continue
                new_id = f"{prefix}-{len(existing) + 1}"
                existing[item["key"]] = new_id
                fh.write(json.dumps({"id": new_id, **item}, ensure_ascii=False) + "\n")
                results.append(WriteResult(record_id=item["key"], ok=True, external_id=new_id))
            fh.flush()
        stat = path.stat()
        self._keyed_cache[name] = ((stat.st_size, stat.st_mtime_ns), existing)
        if items:
            self._usage.write_calls += 1
        return results

    # schema -----------------------------------------------------------------------------
    def plan_schema(self, fields: Sequence[FieldSpec]) -> SchemaPlan:
        steps = []
        for spec in fields:
            data = self._data(spec.object)
            if data.is_jsonl or spec.name in data.header:
                steps.append(
                    SchemaStep(action=PlanAction.OK, object=data.path.name, name=spec.name)
                )
            else:
                steps.append(
                    SchemaStep(
                        action=PlanAction.CREATE,
                        object=data.path.name,
                        name=spec.name,
                        detail="add an empty column",
                    )
                )
        return SchemaPlan(crm=self.name, steps=tuple(steps))

    def apply_schema(self, plan: SchemaPlan) -> SchemaPlan:
        for object_type in _TABLES:
            data = self._data(object_type)
            new = [s.name for s in plan.pending if s.object == data.path.name]
            if new and not data.is_jsonl:
                _add_columns(data, new)
        done = tuple(
            s.model_copy(update={"action": PlanAction.OK, "detail": "added"})
            if s.action is PlanAction.CREATE
            else s
            for s in plan.steps
        )
        return SchemaPlan(crm=self.name, steps=done, applied=True)

    # housekeeping -----------------------------------------------------------------------
    def usage(self) -> ApiUsage:
        return self._usage

    def close(self) -> None:
        self.compact()

    def _fault(self, verb: str) -> None:
        if self.faults is not None:
            self.faults.before(verb)


def _add_columns(data: DataFile, names: list[str]) -> None:
    import os

    tmp = data.path.with_name(f".{data.path.name}.tmp")
    with (
        tmp.open(
            "w", encoding="utf-8-sig" if data.encoding != "utf-8" else "utf-8", newline=""
        ) as out,
        data.path.open(encoding=data.encoding, newline="") as src,
    ):
        writer = csv.writer(out, delimiter=data.delimiter)
        reader = csv.reader(src, delimiter=data.delimiter)
        next(reader, None)
        writer.writerow([*data.header, *names])
        for cells in reader:
            writer.writerow(cells)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, data.path)


class _Rejects:
    """Rows that could not be read, appended to rejects/<file>.rejects.csv once each."""

    def __init__(self, folder: Path, source: str) -> None:
        self.path = folder / "rejects" / f"{source}.rejects.csv"
        self.source = source
        self._seen: set[tuple[int, str]] | None = None
        self._new: list[tuple[int, str, dict[str, Any]]] = []

    def add(self, number: int, reason: str, values: dict[str, Any]) -> None:
        log.warning("%s", reason)
        self._new.append((number, reason, values))

    def close(self) -> int:
        if not self._new:
            return 0
        seen: set[tuple[str, str]] = set()
        if self.path.is_file():
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                seen = {(r["row_number"], r["reason"]) for r in csv.DictReader(fh)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.is_file()
        with self.path.open("a", encoding="utf-8-sig" if fresh else "utf-8", newline="") as fh:
            writer = csv.writer(fh)
            if fresh:
                writer.writerow(["source", "row_number", "reason", "raw"])
            for number, reason, values in self._new:
                if (str(number), reason) in seen:
                    continue
                raw = {k: v for k, v in values.items() if k != "__error__"}
                writer.writerow([self.source, number, reason, json.dumps(raw, ensure_ascii=False)])
        return len(self._new)
