"""Bulk API 2.0 updates for large write sets, with failed rows reported per record."""

from __future__ import annotations

import csv
import io
import logging
from functools import partial
from typing import Any

from cxsync.models import WriteResult
from cxsync_salesforce.client import SalesforceClient

__all__ = ["bulk_row", "write_bulk"]

logger = logging.getLogger(__name__)
_RETRIABLE = {"UNABLE_TO_LOCK_ROW"}


def bulk_row(record: dict[str, Any]) -> dict[str, str]:
    """A Collections record as a Bulk CSV row: ``Id`` plus text cells, ``#N/A`` for null."""
    row = {"Id": str(record["id"])}
    for key, value in record.items():
        if key in ("attributes", "id"):
            continue
        if value is None:
            row[key] = "#N/A"  # an empty cell would leave the old value in place
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        else:
            row[key] = str(value)
    return row


def _failures(text: str) -> dict[str, tuple[str, str]]:
    failed: dict[str, tuple[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        code, _, message = (row.get("sf__Error") or "").partition(":")
        failed[row.get("Id") or row.get("sf__Id") or ""] = (code, message.rstrip(":-"))
    return failed


def _failed_records(handler: Any, job_id: str) -> str:
    return str(handler().get_failed_records(job_id))


def write_bulk(
    client: SalesforceClient,
    sobject: str,
    ready: list[tuple[int, dict[str, Any]]],
    poll_seconds: float,
) -> dict[int, WriteResult]:
    """Update ``ready`` records of one sObject type in Bulk 2.0 job(s).

    Result order in failedResults is not the input order, so failures are matched by Id.
    """
    rows = [bulk_row(record) for _, record in ready]

    def handler() -> Any:
        # looked up per attempt: the handler keeps the session it was built with, and a
        # retry after a renewed login must use the new one
        return getattr(client.sf.bulk2, sobject)

    jobs = client.call(
        f"bulk2.update.{sobject}", lambda: handler().update(records=rows, wait=poll_seconds)
    )
    failed: dict[str, tuple[str, str]] = {}
    for job in jobs:
        if int(job.get("numberRecordsFailed", 0)):
            job_id = job["job_id"]
            text = client.call(f"bulk2.failed.{sobject}", partial(_failed_records, handler, job_id))
            failed.update(_failures(text))
    logger.info("Bulk update of %d %s records: %d failed", len(rows), sobject, len(failed))
    results: dict[int, WriteResult] = {}
    for index, record in ready:
        rid = str(record["id"])
        if rid in failed:
            code, message = failed[rid]
            results[index] = WriteResult(
                record_id=rid,
                ok=False,
                code=code,
                error=f"{rid}: {message}",
                retriable=code in _RETRIABLE,
            )
        else:
            results[index] = WriteResult(record_id=rid, ok=True, external_id=rid)
    return results
