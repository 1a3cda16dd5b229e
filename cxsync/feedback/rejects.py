"""The rejects file: every rejected row with its source, row number, kind and reason.

Written as CSV in UTF-8 with a byte-order mark, so Excel shows Turkish text correctly when
the file is double-clicked. The raw columns follow the four fixed ones, the union over all
files of the import in first-seen order.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from cxsync.feedback.validate import Rejection

__all__ = ["REJECT_COLUMNS", "RejectSpool"]

REJECT_COLUMNS = ("source", "row_number", "kind", "reason")


class RejectSpool:
    """Rejections spooled to a temporary JSONL file, written out as CSV at the end.

    The raw columns differ between files and are only all known at the end; spooling keeps
    memory flat however many rows are rejected.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._columns: dict[str, None] = {}
        self.count = 0

    def __enter__(self) -> RejectSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def write(self, rejection: Rejection) -> None:
        """Spool one rejection."""
        for key in rejection.raw:
            self._columns.setdefault(key)
        record = {
            "source": rejection.source,
            "row_number": rejection.row_number,
            "kind": rejection.kind,
            "reason": rejection.reason,
            "raw": {k: _cell_text(v) for k, v in rejection.raw.items()},
        }
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def write_csv(self, path: Path) -> None:
        """Write the rejects CSV: UTF-8 with a BOM so Excel reads Turkish text correctly."""
        path.parent.mkdir(parents=True, exist_ok=True)
        raw_columns = list(self._columns)
        # a raw column called "source" or "reason" must not shadow the fixed ones
        titles = [f"raw_{c}" if c in REJECT_COLUMNS else c for c in raw_columns]
        self._file.seek(0)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([*REJECT_COLUMNS, *titles])
            for line in self._file:
                record = json.loads(line)
                raw = record["raw"]
                writer.writerow(
                    [*(record[c] for c in REJECT_COLUMNS), *(raw.get(c, "") for c in raw_columns)]
                )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
