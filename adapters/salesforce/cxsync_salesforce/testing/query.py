"""SOQL query, queryMore and queryAll for the emulator: pages of at most 2,000 records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cxsync_salesforce.testing.shapes import EmulatorResponse, error, sf_time

__all__ = ["QueryMixin"]


class QueryMixin:
    """Query endpoints; the emulator provides the records, page size and visibility."""

    records: dict[str, dict[str, dict[str, Any]]]
    page_size: int
    _cursors: dict[str, list[dict[str, Any]]]

    def visible_fields(self, sobject: str) -> set[str]:
        raise NotImplementedError

    def _render(self, sobject: str, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": sobject}}
        for name in fields:
            value = record.get(name)
            out[name] = sf_time(value) if isinstance(value, datetime) else value
        return out

    # ---- SOQL ------------------------------------------------------------------------------
    def _query(self, soql: str, *, include_deleted: bool) -> EmulatorResponse:
        from cxsync_salesforce.testing.soql import SoqlError, parse_soql

        try:
            parsed = parse_soql(soql)
        except SoqlError as exc:
            return error(400, "MALFORMED_QUERY", str(exc))
        if parsed.sobject not in self.records:
            return error(400, "INVALID_TYPE", f"sObject type '{parsed.sobject}' is not supported")
        unknown = [f for f in parsed.fields if f not in self.visible_fields(parsed.sobject)]
        if unknown:
            return error(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity")
        rows = [
            r
            for r in self.records[parsed.sobject].values()
            if (include_deleted or not r["IsDeleted"]) and parsed.matches(r)
        ]
        rows.sort(key=parsed.sort_key)
        rendered = [self._render(parsed.sobject, r, parsed.fields) for r in rows]
        if parsed.limit is not None:
            rendered = rendered[: parsed.limit]
        return self._page(f"01g{len(self._cursors):08d}", rendered, 0)

    def _page(self, cursor: str, rows: list[dict[str, Any]], offset: int) -> EmulatorResponse:
        chunk = rows[offset : offset + self.page_size]
        body: dict[str, Any] = {"totalSize": len(rows), "done": True, "records": chunk}
        if offset + self.page_size < len(rows):
            self._cursors[cursor] = rows
            body["done"] = False
            body["nextRecordsUrl"] = f"/services/data/v59.0/query/{cursor}-{offset + len(chunk)}"
        return EmulatorResponse(200, body)

    def _query_more(self, locator: str) -> EmulatorResponse:
        cursor, _, offset = locator.rpartition("-")
        rows = self._cursors.get(cursor)
        if rows is None or not offset.isdigit():
            return error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(cursor, rows, int(offset))
