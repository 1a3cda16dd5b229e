"""Bulk API 2.0 ingest jobs for the emulator (update only: what the adapter uses)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxsync_salesforce.testing.shapes import EmulatorResponse
from cxsync_salesforce.testing.shapes import error as _error

if TYPE_CHECKING:
    from cxsync_salesforce.testing.emulator import SalesforceEmulator

__all__ = ["BulkJobs"]


@dataclass
class _Job:
    id: str
    sobject: str
    operation: str
    state: str = "Open"
    rows: list[dict[str, str]] = field(default_factory=list)
    failed: list[tuple[dict[str, str], str]] = field(default_factory=list)
    succeeded: list[dict[str, str]] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": self.sobject,
            "operation": self.operation,
            "state": self.state,
            "contentType": "CSV",
            "apiVersion": 59.0,
            "numberRecordsProcessed": len(self.succeeded) + len(self.failed),
            "numberRecordsFailed": len(self.failed),
        }


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


class BulkJobs:
    """Ingest jobs: create, upload CSV (201), close, poll, failed/successful results."""

    def __init__(self, emulator: SalesforceEmulator) -> None:
        self.emulator = emulator
        self.jobs: dict[str, _Job] = {}

    def route(self, method: str, path: str, raw: str | None, payload: Any) -> EmulatorResponse:
        parts = path.split("/")[2:]  # after jobs/ingest
        if method == "POST" and not parts:
            return self._create(payload or {})
        job = self.jobs.get(parts[0]) if parts else None
        if job is None:
            return _error(404, "NOT_FOUND", "no such job")
        tail = "/".join(parts[1:]).lower()
        if method == "PUT" and tail == "batches":
            return self._upload(job, raw or "")
        if method == "PATCH" and not tail:
            return self._close(job, (payload or {}).get("state", ""))
        if method == "GET" and not tail:
            return EmulatorResponse(200, job.info())
        if method == "GET" and tail in ("failedresults", "successfulresults", "unprocessedrecords"):
            return self._results(job, tail)
        return _error(404, "NOT_FOUND", f"no job resource {tail}")

    def _create(self, payload: dict[str, Any]) -> EmulatorResponse:
        if payload.get("operation") != "update" or payload.get("contentType", "CSV") != "CSV":
            return _error(400, "INVALIDJOB", "this emulator supports CSV update jobs")
        job = _Job(id=f"750EMU{len(self.jobs):09d}", sobject=payload["object"], operation="update")
        self.jobs[job.id] = job
        self.emulator.calls["bulk_jobs"] += 1
        return EmulatorResponse(200, job.info())

    def _upload(self, job: _Job, raw: str) -> EmulatorResponse:
        if job.state != "Open":
            return _error(400, "INVALIDJOBSTATE", "job is not open")
        job.rows.extend(csv.DictReader(io.StringIO(raw)))
        return EmulatorResponse(201, None)

    def _close(self, job: _Job, state: str) -> EmulatorResponse:
        if state == "Aborted":
            job.state = "Aborted"
            return EmulatorResponse(200, job.info())
        if state != "UploadComplete" or job.state != "Open":
            return _error(400, "INVALIDJOBSTATE", f"cannot move job to {state}")
        for row in job.rows:
            # empty CSV cells are ignored on update; #N/A sets null
            values = {k: (None if v == "#N/A" else v) for k, v in row.items() if v != ""}
            record = {"attributes": {"type": job.sobject}, **values, "id": row.get("Id")}
            record.pop("Id", None)
            answer = self.emulator._update_one(record)
            if answer["success"]:
                job.succeeded.append(row)
            else:
                err = answer["errors"][0]
                job.failed.append((row, f"{err['statusCode']}:{err['message']}:--"))
        job.state = "JobComplete"
        return EmulatorResponse(200, job.info())

    def _results(self, job: _Job, kind: str) -> EmulatorResponse:
        columns = list(job.rows[0].keys()) if job.rows else ["Id"]
        if kind == "failedresults":
            rows = [[r.get("Id", ""), e, *(r.get(c, "") for c in columns)] for r, e in job.failed]
            text = _csv(["sf__Id", "sf__Error", *columns], rows)
        elif kind == "successfulresults":
            rows = [
                [r.get("Id", ""), "false", *(r.get(c, "") for c in columns)] for r in job.succeeded
            ]
            text = _csv(["sf__Id", "sf__Created", *columns], rows)
        else:
            text = _csv(columns, [])
        return EmulatorResponse(200, text, {"Content-Type": "text/csv"})
