"""Follow-up tasks and field notes as HubSpot tasks and notes, exactly once per key.

Each carries its cxsync key in the custom property ``cx_followup_key`` (created by
`cxsync install`). Before creating, the adapter searches for the keys; creation goes through
batch create with the key as ``objectWriteTraceId``, so one refused input does not roll back
the batch (HubSpot makes a batch without trace ids all-or-nothing) and results, which come
back in no particular order, are matched to their inputs by key. A create whose answer was
lost (timeout, dropped connection, 5xx) is never blindly re-sent: once search can show
them (``search_lag_seconds`` later), the keys are searched again and only the missing ones
are created.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hubspot.crm.objects import (
    AssociationSpec,
    BatchInputSimplePublicObjectBatchInputForCreate,
    PublicAssociationsForObject,
    PublicObjectId,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInputForCreate,
)

from cxsync.errors import RateLimitError, RetriableError
from cxsync.models import WriteResult
from cxsync_hubspot.client import HubSpotClient

__all__ = ["KEY_PROPERTY", "Engagement", "create_once", "existing_keys"]

logger = logging.getLogger(__name__)
KEY_PROPERTY = "cx_followup_key"
SEARCH_IN_LIMIT = 100
#: HUBSPOT_DEFINED association type ids (API_NOTES B9 and C20)
ASSOCIATION_TYPE = {
    ("tasks", "contacts"): 204,
    ("tasks", "companies"): 192,
    ("notes", "contacts"): 202,
    ("notes", "companies"): 190,
}


@dataclass(frozen=True)
class Engagement:
    key: str
    properties: dict[str, str]
    contact_id: str | None
    company_id: str | None


def existing_keys(client: HubSpotClient, object_type: str, keys: Sequence[str]) -> set[str]:
    """Which keys already have a record of ``object_type`` (search, 100 keys per filter)."""
    found: set[str] = set()
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), SEARCH_IN_LIMIT):
        chunk = unique[start : start + SEARCH_IN_LIMIT]
        after = "0"
        while True:
            request = PublicObjectSearchRequest(
                filter_groups=[
                    {"filters": [{"propertyName": KEY_PROPERTY, "operator": "IN", "values": chunk}]}
                ],
                properties=[KEY_PROPERTY],
                limit=200,
                after=after,
            )
            page = client.invoke_json(
                f"search.{object_type}",
                "crm.objects.search_api",
                "do_search",
                object_type,
                request,
                search=True,
            )
            found.update(
                str((r.get("properties") or {}).get(KEY_PROPERTY))
                for r in page.get("results") or []
                if (r.get("properties") or {}).get(KEY_PROPERTY)
            )
            nxt = ((page.get("paging") or {}).get("next") or {}).get("after")
            if nxt is None:
                break
            after = str(nxt)
    return found


def _input(object_type: str, item: Engagement) -> SimplePublicObjectBatchInputForCreate:
    links = []
    for target, rid in (("contacts", item.contact_id), ("companies", item.company_id)):
        if rid:
            links.append(
                PublicAssociationsForObject(
                    to=PublicObjectId(id=rid),
                    types=[
                        AssociationSpec(
                            association_category="HUBSPOT_DEFINED",
                            association_type_id=ASSOCIATION_TYPE[(object_type, target)],
                        )
                    ],
                )
            )
    return SimplePublicObjectBatchInputForCreate(
        properties={**item.properties, KEY_PROPERTY: item.key},
        associations=links,
        object_write_trace_id=item.key,
    )


def _create_batch(
    client: HubSpotClient, object_type: str, batch: list[Engagement]
) -> dict[str, WriteResult]:
    body = BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[_input(object_type, item) for item in batch]
    )
    answer: Any = client.invoke(
        f"batch_create.{object_type}",
        "crm.objects.batch_api",
        "create",
        object_type,
        body,
        attempts=1,  # never re-send a create blindly: the caller re-checks keys first
    )
    results: dict[str, WriteResult] = {}
    for created in answer.results or []:
        key = (created.properties or {}).get(KEY_PROPERTY) or getattr(
            created, "object_write_trace_id", None
        )
        if key:
            results[str(key)] = WriteResult(
                record_id=str(key), ok=True, external_id=str(created.id)
            )
    for err in getattr(answer, "errors", None) or []:
        for key in (err.context or {}).get("objectWriteTraceId", []) or []:
            results[str(key)] = WriteResult(
                record_id=str(key), ok=False, error=str(err.message), code=str(err.category)
            )
    return results


def _before_recheck(client: HubSpotClient, exc: RetriableError, attempt: int) -> float:
    """Seconds to wait before searching for what a failed create made.

    A throttled create was refused. Any other failure (timeout, dropped connection, 5xx)
    may have created the records and lost the answer, and search shows new records only
    a few moments later: searched at once, they look missing and would be created twice.
    So the search waits as long as the incremental reads trust search to lag.
    """
    backoff = min(0.2 * 2.0**attempt, client.settings.backoff_max_seconds)
    if isinstance(exc, RateLimitError):
        return backoff
    return max(backoff, client.settings.search_lag_seconds)


def create_once(
    client: HubSpotClient,
    object_type: str,
    items: Sequence[Engagement],
    batch_size: int,
    max_attempts: int,
) -> list[WriteResult]:
    """Create each item whose key is not in HubSpot yet; one result per item, in order."""
    keys = [item.key for item in items]
    results: dict[str, WriteResult] = {
        key: WriteResult(record_id=key, ok=True, code="ALREADY_EXISTS")
        for key in existing_keys(client, object_type, keys)
    }
    pending = [item for item in items if item.key not in results]
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        for attempt in range(1, max_attempts + 1):
            try:
                results.update(_create_batch(client, object_type, batch))
                break
            except RetriableError as exc:
                if attempt == max_attempts:
                    results.update(
                        {
                            i.key: WriteResult(
                                record_id=i.key, ok=False, error=str(exc), retriable=True
                            )
                            for i in batch
                        }
                    )
                    break
                logger.info("creating %s failed (%s); checking what arrived", object_type, exc)
                time.sleep(_before_recheck(client, exc, attempt))
                arrived = existing_keys(client, object_type, [i.key for i in batch])
                results.update(
                    {k: WriteResult(record_id=k, ok=True, code="ALREADY_EXISTS") for k in arrived}
                )
                batch = [i for i in batch if i.key not in arrived]
                if not batch:
                    break
    return [
        results.get(key)
        or WriteResult(record_id=key, ok=False, error="HubSpot did not answer for this record")
        for key in keys
    ]
