"""Batch updates: 100 records a call, every 207 error mapped back to its record.

HubSpot answers a batch update 200 when all went well and 207 when some inputs failed
(missing or locked records, listed by id in ``errors[].context.ids``); the client does not
raise on either. A property value HubSpot refuses fails the whole batch with 400 and does
not always say which input carried it, so such a batch is split in halves until the
refused record stands alone: one bad value never blocks the other 99.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from cxsync.errors import AuthError, FatalError, QuotaExhaustedError, RetriableError
from cxsync.models import WriteResult
from cxsync_hubspot.client import HubSpotClient

__all__ = ["batch_update"]

logger = logging.getLogger(__name__)


def _errors_by_id(answer: Any) -> dict[str, tuple[str, str]]:
    """(category, message) per record id named in a 207's errors."""
    failed: dict[str, tuple[str, str]] = {}
    for err in getattr(answer, "errors", None) or []:
        context = err.context or {}
        for rid in context.get("ids", []) or []:
            failed[str(rid)] = (str(err.category or "ERROR"), str(err.message or ""))
    return failed


def batch_update(
    client: HubSpotClient,
    object_type: str,
    items: Sequence[tuple[str, dict[str, str]]],
    batch_size: int,
) -> list[WriteResult]:
    """Update ``items`` (record id, properties); one result per item, in order."""
    results: list[WriteResult] = []
    for start in range(0, len(items), batch_size):
        results.extend(_send(client, object_type, list(items[start : start + batch_size])))
    return results


def _send(
    client: HubSpotClient, object_type: str, chunk: list[tuple[str, dict[str, str]]]
) -> list[WriteResult]:
    # plain dicts: the client builds a Configuration for every model object it is given
    body = {"inputs": [{"id": rid, "properties": values} for rid, values in chunk]}
    try:
        answer = client.invoke(
            f"batch_update.{object_type}", "crm.objects.batch_api", "update", object_type, body
        )
    except (AuthError, QuotaExhaustedError):
        # the run stops; an AuthError may carry 400 (a refused OAuth refresh), not a bad value
        raise
    except RetriableError as exc:
        # the client's retries are spent: the engine keeps these in its outbox
        return [
            WriteResult(record_id=rid, ok=False, error=str(exc), code=exc.code, retriable=True)
            for rid, _ in chunk
        ]
    except FatalError as exc:
        if exc.status != 400:
            raise
        if len(chunk) == 1:
            return [WriteResult(record_id=chunk[0][0], ok=False, error=exc.message, code=exc.code)]
        logger.info("HubSpot refused a batch of %d (%s); isolating the record", len(chunk), exc)
        half = len(chunk) // 2
        return _send(client, object_type, chunk[:half]) + _send(client, object_type, chunk[half:])
    failed = _errors_by_id(answer)
    out = []
    for rid, _ in chunk:
        if rid in failed:
            category, message = failed[rid]
            out.append(WriteResult(record_id=rid, ok=False, error=message, code=category))
        else:
            out.append(WriteResult(record_id=rid, ok=True))
    return out
