"""Reading objects: full loads through the list API, changes through search.

A full load pages the list API (100 a page) and ends with an incremental cursor set to
the moment it began. Incremental reads search one time window at a time
(``modified >= from AND modified < to``, ``to`` = now minus the search lag) and walk it by
``hs_object_id`` with a fresh ``hs_object_id > last`` filter per request, sorted by id.
That never pages past the 10,000-result cap and cannot loop when thousands of records
share one timestamp (API_NOTES B3); each request costs the same as paging would.

Search never returns archived (deleted) records. A reader built ``with_archived`` ends each
window by paging the list API's archived records and keeping those archived inside the
window, so a deletion reaches the engine as a record with ``archived`` set.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hubspot.crm.objects import (
    BatchReadInputSimplePublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
)

from cxsync_hubspot.client import HubSpotClient
from cxsync_hubspot.convert import decode_cursor, encode_cursor, epoch_ms, parse_time

__all__ = ["MODIFIED", "RawRecord", "read_pages", "url_chunks"]

LIST_PAGE = 100
SEARCH_PAGE = 200
BATCH_READ = 100
#: longest property list sent in one GET query string (URLs beyond ~3,000 characters fail)
URL_PROPERTY_BUDGET = 1800
MODIFIED = {"contacts": "lastmodifieddate"}  # every other object: hs_lastmodifieddate


def modified_property(object_type: str) -> str:
    return MODIFIED.get(object_type, "hs_lastmodifieddate")


@dataclass(frozen=True)
class RawRecord:
    id: str
    properties: dict[str, Any]
    updated_at: str | None
    archived: bool = False
    archived_at: str | None = None


def url_chunks(names: Sequence[str], budget: int = URL_PROPERTY_BUDGET) -> list[list[str]]:
    """Split property names so no query string exceeds ``budget`` characters."""
    chunks: list[list[str]] = [[]]
    used = 0
    for name in names:
        cost = len("&properties=") + len(name)
        if chunks[-1] and used + cost > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(name)
        used += cost
    return chunks


def _raw(item: dict[str, Any]) -> RawRecord:
    return RawRecord(
        id=str(item["id"]),
        properties=dict(item.get("properties") or {}),
        updated_at=item.get("updatedAt"),
        archived=bool(item.get("archived", False)),
        archived_at=item.get("archivedAt"),
    )


def _archived_ms(record: RawRecord) -> int | None:
    """When a record was archived (its last update when HubSpot does not say)."""
    stamp = record.archived_at or record.updated_at
    return epoch_ms(parse_time(stamp)) if stamp else None


def _next_after(page: dict[str, Any]) -> str | None:
    nxt = (page.get("paging") or {}).get("next") or {}
    return str(nxt["after"]) if nxt.get("after") is not None else None


class ObjectReader:
    """Pages of one object type's records, each with the cursor that resumes after it."""

    def __init__(
        self,
        client: HubSpotClient,
        object_type: str,
        properties: Sequence[str],
        lag_seconds: float,
        url_budget: int = URL_PROPERTY_BUDGET,
        *,
        with_archived: bool = False,
    ) -> None:
        self.client = client
        self.object_type = object_type
        self.with_archived = with_archived
        self.modified = modified_property(object_type)
        names = list(dict.fromkeys([*properties, self.modified]))
        self.chunks = url_chunks(names, url_budget)
        self.all_properties = names
        self.lag_ms = int(lag_seconds * 1000)

    def _now_ms(self) -> int:
        return int(time.time() * 1000) - self.lag_ms

    def pages(self, since: str | None) -> Iterator[tuple[list[RawRecord], str]]:
        state = decode_cursor(since)
        if state is None or state["phase"] == "full":
            yield from self._full(state)
        elif state["phase"] == "archived":
            yield from self._archived(int(state["from"]), int(state["to"]), state.get("after"))
        else:
            yield from self._changes(state, since)

    # ---- full load -------------------------------------------------------------------------
    def _full(self, state: dict[str, Any] | None) -> Iterator[tuple[list[RawRecord], str]]:
        start = state["start"] if state else self._now_ms()
        after = state.get("after") if state else None
        while True:
            page = self._list_page(after, archived=False)
            records = [_raw(r) for r in page.get("results") or []]
            self._complete(records)
            nxt = _next_after(page)
            if nxt is None:
                yield records, encode_cursor({"phase": "inc", "from": start, "to": None, "id": "0"})
                return
            after = nxt
            yield records, encode_cursor({"phase": "full", "start": start, "after": nxt})

    def _list_page(self, after: str | None, *, archived: bool) -> dict[str, Any]:
        """One page of the list API (live or archived records), first property chunk."""
        return self.client.invoke_json(
            f"list.{self.object_type}",
            "crm.objects.basic_api",
            "get_page",
            self.object_type,
            limit=LIST_PAGE,
            after=after,
            properties=self.chunks[0],
            archived=archived,
        )

    def _complete(self, records: list[RawRecord]) -> None:
        """Fetch property chunks beyond the first (only for very long property lists)."""
        for chunk in self.chunks[1:]:
            for start in range(0, len(records), BATCH_READ):
                part = records[start : start + BATCH_READ]
                body = BatchReadInputSimplePublicObjectId(
                    properties=chunk, inputs=[SimplePublicObjectId(id=r.id) for r in part]
                )
                answer = self.client.invoke_json(
                    f"batch_read.{self.object_type}",
                    "crm.objects.batch_api",
                    "read",
                    self.object_type,
                    body,
                    archived=False,
                )
                extra = {
                    str(r["id"]): r.get("properties") or {} for r in answer.get("results") or []
                }
                for record in part:
                    record.properties.update(extra.get(record.id, {}))

    # ---- changes ---------------------------------------------------------------------------
    def _changes(
        self, state: dict[str, Any], since: str | None
    ) -> Iterator[tuple[list[RawRecord], str]]:
        window_from = int(state["from"])
        window_to = int(state["to"]) if state.get("to") is not None else self._now_ms()
        last_id = str(state.get("id") or "0")
        if window_to <= window_from:
            yield [], since or ""
            return
        done = encode_cursor({"phase": "inc", "from": window_to, "to": None, "id": "0"})
        while True:
            request = PublicObjectSearchRequest(
                filter_groups=[
                    {
                        "filters": [
                            {
                                "propertyName": self.modified,
                                "operator": "GTE",
                                "value": str(window_from),
                            },
                            {
                                "propertyName": self.modified,
                                "operator": "LT",
                                "value": str(window_to),
                            },
                            {"propertyName": "hs_object_id", "operator": "GT", "value": last_id},
                        ]
                    }
                ],
                sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                properties=self.all_properties,
                limit=SEARCH_PAGE,
                after="0",
            )
            page = self.client.invoke_json(
                f"search.{self.object_type}",
                "crm.objects.search_api",
                "do_search",
                self.object_type,
                request,
                search=True,
            )
            records = [_raw(r) for r in page.get("results") or []]
            more = len(records) == SEARCH_PAGE and _next_after(page) is not None
            if not more and self.with_archived:
                yield records, _archived_cursor(window_from, window_to, None)
                yield from self._archived(window_from, window_to, None)
                return
            if not more:
                yield records, done
                return
            last_id = records[-1].id
            yield (
                records,
                encode_cursor(
                    {"phase": "inc", "from": window_from, "to": window_to, "id": last_id}
                ),
            )

    # ---- deletions -------------------------------------------------------------------------
    def _archived(
        self, window_from: int, window_to: int, after: str | None
    ) -> Iterator[tuple[list[RawRecord], str]]:
        """Records archived inside the window, from the list API's archived records (no
        filter there: every archived record is paged, and those of the window kept)."""
        done = encode_cursor({"phase": "inc", "from": window_to, "to": None, "id": "0"})
        while True:
            page = self._list_page(after, archived=True)
            records = []
            for item in page.get("results") or []:
                record = _raw(item)
                when = _archived_ms(record)
                if when is not None and window_from <= when < window_to:
                    records.append(replace(record, archived=True))
            after = _next_after(page)
            if after is None:
                yield records, done
                return
            yield records, _archived_cursor(window_from, window_to, after)


def _archived_cursor(window_from: int, window_to: int, after: str | None) -> str:
    state = {"phase": "archived", "from": window_from, "to": window_to, "after": after}
    return encode_cursor(state)


def read_pages(
    reader: ObjectReader, since: str | None, group: int
) -> Iterator[tuple[list[RawRecord], str]]:
    """Merge consecutive pages into groups of at least ``group`` records (fewer lookups)."""
    buffer: list[RawRecord] = []
    cursor: str | None = None
    sent: str | None = None
    for records, page_cursor in reader.pages(since):
        buffer.extend(records)
        cursor = page_cursor
        if len(buffer) >= group:
            yield buffer, cursor
            buffer, sent = [], cursor
    if cursor is not None and (buffer or cursor != sent):
        yield buffer, cursor
