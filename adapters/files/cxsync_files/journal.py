"""Durable, atomic writes without rewriting a large file for every batch.

A batch of field changes is appended to a journal (one JSON line per record, flushed and
fsync'd) before its results are reported, so a crash never loses an acknowledged write and
never leaves a half-written data file. ``compact`` folds the journal into the data file by
writing a new file beside it, fsync'ing it and renaming it over the old one, then empties
the journal. A torn last line (a crash mid-append) is ignored and reported.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from pathlib import Path
from typing import Any

import orjson

from cxsync_files.tables import DataFile

__all__ = ["Journal", "cell"]

log = logging.getLogger(__name__)

_SHARED_CELLS = 4096  # changes kept as cells while a data file is rewritten


def cell(value: Any) -> str:
    """How a value is written into a CSV cell (multi-select values as ``a;b``)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Journal:
    def __init__(self, folder: Path, table: str) -> None:
        self.path = folder / ".cxsync-journal" / f"{table}.jsonl"
        self.entries = 0
        self.torn_lines = 0

    def append(self, changes: dict[str, dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lines = b"".join(
            orjson.dumps({"id": rid, "values": v}) + b"\n" for rid, v in changes.items()
        )
        with self.path.open("ab") as fh:
            fh.write(lines)
            fh.flush()
            os.fsync(fh.fileno())
        self.entries += len(changes)

    def load(self) -> dict[str, bytes]:
        """Pending changes by record id as JSON (later entries win).

        Kept as JSON bytes, not dicts: a compaction can hold up to ``COMPACT_AFTER``
        records, and bytes are several times smaller; each is decoded only when its row is
        rewritten. Records given the same values (most of a sync's hygiene and role
        results) share one object.
        """
        overlay: dict[str, bytes] = {}
        if not self.path.is_file():
            return overlay
        shared: dict[bytes, bytes] = {}
        with self.path.open("rb") as fh:
            for line in fh:
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    self.torn_lines += 1
                    log.warning(
                        "%s: ignoring a torn journal line (a crash during a write)", self.path
                    )
                    continue
                earlier = overlay.get(entry["id"])
                values = (
                    {**orjson.loads(earlier), **entry["values"]} if earlier else entry["values"]
                )
                # copied to its exact size: orjson's result keeps the capacity of its
                # working buffer (~8 KiB for a health change of under 1 KiB)
                text = memoryview(orjson.dumps(values)).tobytes()
                overlay[entry["id"]] = shared.setdefault(text, text)
        return overlay

    @staticmethod
    def columns(overlay: dict[str, bytes]) -> list[str]:
        """Every field any pending change sets, in first-seen order."""
        seen: dict[str, None] = {}
        for text in dict.fromkeys(overlay.values()):  # each shared change once
            seen.update(dict.fromkeys(orjson.loads(text)))
        return list(seen)

    def compact(self, data: DataFile) -> None:
        overlay = self.load()
        if not overlay:
            self._clear()
            return
        if data.is_jsonl:
            self._rewrite_jsonl(data, overlay)
        else:
            self._rewrite_csv(data, overlay)
        self._clear()

    def _clear(self) -> None:
        if self.path.exists():
            self.path.unlink()
        self.entries = 0

    def _rewrite_csv(self, data: DataFile, overlay: dict[str, bytes]) -> None:
        header = list(data.header)
        header.extend(k for k in self.columns(overlay) if k not in header)
        index = {name: i for i, name in enumerate(header)}
        tmp = data.path.with_name(f".{data.path.name}.tmp")
        # cp1254 files are rewritten as UTF-8 with a BOM: Excel opens it, nothing is lost
        encoding = "utf-8-sig" if data.encoding in ("utf-8-sig", "cp1254") else data.encoding
        with tmp.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out, delimiter=data.delimiter)
            writer.writerow(header)
            with data.path.open(encoding=data.encoding, newline="") as src:
                reader = csv.reader(src, delimiter=data.delimiter)
                next(reader, None)
                id_at = data.header.index("id") if "id" in data.header else 0
                # a shared change is turned into cells once, however many rows it updates;
                # bounded, since most changes are a single record's and would only pile up
                as_cells: dict[bytes, list[tuple[int, str]]] = {}
                for cells in reader:
                    cells = cells + [""] * (len(header) - len(cells))
                    change = overlay.get(cells[id_at]) if cells else None
                    if change:
                        updates = as_cells.get(change)
                        if updates is None:
                            updates = [(index[k], cell(v)) for k, v in orjson.loads(change).items()]
                            if len(as_cells) < _SHARED_CELLS:
                                as_cells[change] = updates
                        for at, text in updates:
                            cells[at] = text
                    writer.writerow(cells)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, data.path)

    def _rewrite_jsonl(self, data: DataFile, overlay: dict[str, bytes]) -> None:
        tmp = data.path.with_name(f".{data.path.name}.tmp")
        with tmp.open("w", encoding="utf-8") as out, data.path.open(encoding=data.encoding) as src:
            for line in src:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    out.write(line if line.endswith("\n") else line + "\n")
                    continue
                change = overlay.get(str(record.get("id")))
                if change:
                    record.update(orjson.loads(change))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, data.path)
