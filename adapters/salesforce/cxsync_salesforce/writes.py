"""sObject Collections updates: 200 records a call, per-record results, lock retries."""

from __future__ import annotations

import logging
import random
import time
from functools import partial
from typing import Any

from cxsync.errors import FatalError, RetriableError
from cxsync.models import WriteResult
from cxsync_salesforce.client import SalesforceClient

__all__ = ["create_collections", "write_collections"]

logger = logging.getLogger(__name__)
COLLECTION_SIZE = 200
_LOCK = "UNABLE_TO_LOCK_ROW"


def _result(record: dict[str, Any], answer: dict[str, Any]) -> WriteResult:
    rid = str(record["id"])
    if answer.get("success"):
        return WriteResult(record_id=rid, ok=True, external_id=answer.get("id") or rid)
    errors = answer.get("errors") or [{}]
    first = errors[0]
    code = first.get("statusCode")
    fields = ", ".join(first.get("fields") or [])
    message = "; ".join(str(e.get("message", "")) for e in errors)
    return WriteResult(
        record_id=rid,
        ok=False,
        code=code,
        error=f"{rid}: {message}" + (f" (fields: {fields})" if fields else ""),
        retriable=code == _LOCK,
    )


def _send(client: SalesforceClient, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sf = client.sf
    payload = {"allOrNone": False, "records": records}
    answer = client.call(
        "collections.update", lambda: sf.restful("composite/sobjects", method="PATCH", json=payload)
    )
    if not isinstance(answer, list) or len(answer) != len(records):
        raise FatalError("Collections answered with an unexpected shape")
    return answer


def write_collections(
    client: SalesforceClient, ready: list[tuple[int, dict[str, Any]]], max_attempts: int
) -> dict[int, WriteResult]:
    """PATCH ``ready`` (index, record) in chunks of 200; returns a result per index.

    Records refused with ``UNABLE_TO_LOCK_ROW`` are sent again, with backoff, up to
    ``max_attempts`` times; other refusals are final. A chunk whose call fails with a
    retriable error after the client's own retries is reported retriable, record by record.
    """
    results: dict[int, WriteResult] = {}
    for start in range(0, len(ready), COLLECTION_SIZE):
        pending = ready[start : start + COLLECTION_SIZE]
        for attempt in range(1, max_attempts + 1):
            try:
                answers = _send(client, [r for _, r in pending])
            except RetriableError as exc:
                for index, record in pending:
                    results[index] = WriteResult(
                        record_id=str(record["id"]),
                        ok=False,
                        error=str(exc),
                        code=exc.code,
                        retriable=True,
                    )
                break
            locked = []
            for (index, record), answer in zip(pending, answers, strict=True):
                results[index] = _result(record, answer)
                if results[index].code == _LOCK:
                    locked.append((index, record))
            if not locked or attempt == max_attempts:
                break
            logger.info("%d records locked; retrying them (attempt %d)", len(locked), attempt)
            time.sleep(min(0.05 * 2**attempt, 2.0) * random.uniform(0.5, 1.0))
            pending = locked
    return results


def create_collections(
    client: SalesforceClient, sobject: str, key_field: str, items: list[dict[str, Any]]
) -> list[WriteResult]:
    """Create records (each carrying its ``key_field``) 200 per POST; one result each.

    A key that turns out to exist already (``DUPLICATE_VALUE``: created by an earlier,
    interrupted run) counts as done, which keeps creation exactly-once.
    """
    results: list[WriteResult] = []
    sf = client.sf
    for start in range(0, len(items), COLLECTION_SIZE):
        chunk = items[start : start + COLLECTION_SIZE]
        records = [{"attributes": {"type": sobject}, **item} for item in chunk]
        payload = {"allOrNone": False, "records": records}
        try:
            answers = client.call(
                f"collections.create.{sobject}",
                partial(sf.restful, "composite/sobjects", method="POST", json=payload),
            )
        except RetriableError as exc:
            results.extend(
                WriteResult(
                    record_id=str(i[key_field]),
                    ok=False,
                    error=str(exc),
                    code=exc.code,
                    retriable=True,
                )
                for i in chunk
            )
            continue
        if not isinstance(answers, list) or len(answers) != len(chunk):
            raise FatalError("Collections answered with an unexpected shape")
        for item, answer in zip(chunk, answers, strict=True):
            key = str(item[key_field])
            code = ((answer.get("errors") or [{}])[0]).get("statusCode")
            if answer.get("success"):
                results.append(WriteResult(record_id=key, ok=True, external_id=answer.get("id")))
            elif code == "DUPLICATE_VALUE":
                results.append(WriteResult(record_id=key, ok=True, code="ALREADY_EXISTS"))
            else:
                results.append(_result({"id": key}, answer))
    return results
