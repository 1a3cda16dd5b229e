"""Import feedback files into the ledger: read, validate, match, store — nothing lost.

Good rows go to the ledger in batches (keyed by response id, so a re-import adds nothing);
every bad row goes to the quarantine and to a rejects CSV with its row number and reason.
Rows quarantined for an unknown respondent are re-validated by :func:`retry_quarantined`
after later syncs and released once their contact is known.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any, Protocol

from cxsync.feedback.columns import ColumnMap
from cxsync.feedback.readers import SourceRow, read_rows
from cxsync.feedback.rejects import RejectSpool
from cxsync.feedback.scales import Scales
from cxsync.feedback.validate import (
    PhaseCheck,
    Rejection,
    RejectKind,
    RespondentLookup,
    RowRules,
    validate_row,
)
from cxsync.feedback.values import timezone_named
from cxsync.models import Feedback

__all__ = [
    "BATCH_SIZE",
    "FeedbackLedger",
    "ImportReport",
    "QuarantinedRow",
    "import_feedback",
    "retry_quarantined",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 1000


class FeedbackLedger(Protocol):
    """Where imported feedback and rejected rows are kept (the state store)."""

    def add(self, items: Sequence[Feedback]) -> list[str]:
        """Store items not stored yet (by response id); return the ids that were new."""
        ...

    def quarantine(self, rejections: Sequence[Rejection]) -> None:
        """Keep rejected rows for a person (or a later retry) to deal with."""
        ...


class QuarantinedRow(Protocol):
    """A quarantined row as the store hands it back for a retry."""

    @property
    def record_id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def row_number(self) -> int: ...
    @property
    def raw(self) -> Mapping[str, Any]: ...


@dataclass
class ImportReport:
    """What an import did.

    Attributes:
        rows_read: data rows read from all files (blank lines excluded).
        imported: feedback items new to the ledger (survey responses and notes; a wide
            row yields one item per metric).
        duplicates: items the ledger already held, or repeated within this import.
        notes: field notes among ``imported``.
        rejected: rejected rows per rejection kind.
        files: the files read.
        rejects_path: the rejects CSV written, when any row was rejected.
    """

    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    notes: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    rejects_path: Path | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``--format json``."""
        return {
            "rows_read": self.rows_read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "notes": self.notes,
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": self.rejected_total,
            "files": list(self.files),
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
        }


class _Run:
    """The state of one import: batches, counts, the spooled rejects."""

    def __init__(self, ledger: FeedbackLedger, spool: RejectSpool) -> None:
        self.ledger = ledger
        self.spool = spool
        self.report = ImportReport()
        self.items: list[Feedback] = []
        self.rejections: list[Rejection] = []
        # response id → digest of its content, to tell a repeat from a conflict in one run
        self.seen: dict[str, bytes] = {}

    def accept(self, source: str, row: SourceRow, items: list[Feedback]) -> None:
        fresh = []
        for item in items:
            fingerprint = hashlib.blake2b(item.model_dump_json().encode(), digest_size=16).digest()
            earlier = self.seen.get(item.response_id)
            if earlier is None:
                self.seen[item.response_id] = fingerprint
                fresh.append(item)
            elif earlier == fingerprint:
                self.report.duplicates += 1
            else:
                self.reject(_conflict(source, row, item.response_id))
                return
        self.items.extend(fresh)
        if len(self.items) >= BATCH_SIZE:
            self.flush()

    def reject(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)
        self.report.rejected[rejection.kind] = self.report.rejected.get(rejection.kind, 0) + 1
        self.spool.write(rejection)
        if len(self.rejections) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.items:
            new = set(self.ledger.add(self.items))
            self.report.imported += len(new)
            self.report.duplicates += len(self.items) - len(new)
            self.report.notes += sum(1 for i in self.items if i.is_note and i.response_id in new)
            self.items = []
        if self.rejections:
            self.ledger.quarantine(self.rejections)
            self.rejections = []


def _conflict(source: str, row: SourceRow, response_id: str) -> Rejection:
    return Rejection(
        source,
        row.row_number,
        RejectKind.CONFLICTING_DUPLICATE,
        f"response id {response_id!r} appears earlier in this import with different values",
        row.raw,
        response_id,
    )


def import_feedback(
    paths: Sequence[Path],
    *,
    ledger: FeedbackLedger,
    lookup: RespondentLookup,
    column_map: ColumnMap,
    scales: Scales,
    check_phase: PhaseCheck | None = None,
    rejects_path: Path | None = None,
    default_timezone: str = "UTC",
    extra_sources: Iterable[tuple[str, Iterable[SourceRow]]] = (),
) -> ImportReport:
    """Import feedback files; see the module docstring for where each row goes.

    Args:
        paths: CSV or JSONL files, read in the order given.
        ledger: stores new feedback and quarantines rejected rows.
        lookup: finds the contact behind each row.
        column_map: the export layout.
        scales: the accepted score ranges.
        check_phase: (persona key, phase) → why the phase is wrong, or None.
        rejects_path: where to write the rejects CSV (only when a row was rejected).
        default_timezone: zone of times without one, unless the column map sets one.
        extra_sources: (source name, rows) read after the files with the same rules, e.g. a
            CRM's native survey responses; rows there use the canonical field names.

    Returns:
        The counts; a file that cannot be opened counts as one ``unreadable_file`` rejection.
    """
    zone = timezone_named(column_map.timezone or default_timezone)
    with RejectSpool() as spool:
        run = _Run(ledger, spool)
        for path in paths:
            run.report.files.append(str(path))
            _import_file(path, run, lookup, column_map, scales, zone, check_phase)
        for source, rows in extra_sources:
            _import_rows(source, rows, run, lookup, _Binder(ColumnMap(), scales, zone), check_phase)
        run.flush()
        if spool.count and rejects_path is not None:
            spool.write_csv(rejects_path)
            run.report.rejects_path = rejects_path
    log.info(
        "feedback import: %d rows, %d new, %d duplicates, %d rejected",
        run.report.rows_read,
        run.report.imported,
        run.report.duplicates,
        run.report.rejected_total,
    )
    return run.report


def _import_file(
    path: Path,
    run: _Run,
    lookup: RespondentLookup,
    column_map: ColumnMap,
    scales: Scales,
    zone: tzinfo,
    check_phase: PhaseCheck | None,
) -> None:
    source = str(path)
    binder = _Binder(column_map, scales, zone)
    try:
        rows = read_rows(path, skip_rows=column_map.skip_rows)
        _import_rows(source, rows, run, lookup, binder, check_phase)
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("%s: cannot be read: %s", path, exc)
        run.reject(Rejection(source, 0, RejectKind.UNREADABLE_FILE, f"cannot read file: {exc}", {}))


def _import_rows(
    source: str,
    rows: Iterable[SourceRow],
    run: _Run,
    lookup: RespondentLookup,
    binder: _Binder,
    check_phase: PhaseCheck | None,
) -> None:
    prefetch = getattr(lookup, "prefetch", None)
    for chunk in _chunks(rows, BATCH_SIZE):
        if callable(prefetch):
            # one bulk look-up per chunk instead of one per row (large imports)
            prefetch([_respondent_cells(binder.rules(row.raw), row.raw) for row in chunk])
        for row in chunk:
            run.report.rows_read += 1
            outcome = validate_row(source, row, binder.rules(row.raw), lookup, check_phase)
            if isinstance(outcome, Rejection):
                run.reject(outcome)
            else:
                run.accept(source, row, outcome)


def _chunks(rows: Iterable[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    chunk: list[SourceRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _respondent_cells(rules: RowRules, raw: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(contact id, lower-cased email) as the row names them, for a bulk prefetch."""
    email = rules.columns.get(raw, "email").strip().lower()
    return rules.columns.get(raw, "contact_id").strip() or None, email or None


class _Binder:
    """Binds the column map once per header layout (every row of a CSV shares one)."""

    def __init__(self, column_map: ColumnMap, scales: Scales, zone: tzinfo) -> None:
        self.column_map = column_map
        self.scales = scales
        self.zone = zone
        self._cache: dict[tuple[str, ...], RowRules] = {}

    def rules(self, raw: Mapping[str, Any]) -> RowRules:
        headers = tuple(raw)
        rules = self._cache.get(headers)
        if rules is None:
            rules = RowRules(
                columns=self.column_map.bind(headers),
                scales=self.scales,
                default_tz=self.zone,
                date_order=self.column_map.date_order,
                derive_response_id=self.column_map.derive_response_id,
            )
            if len(self._cache) < 64:  # JSONL keys vary per line; keep the cache bounded
                self._cache[headers] = rules
        return rules


def retry_quarantined(
    rows: Iterable[QuarantinedRow],
    lookup: RespondentLookup,
    *,
    column_map: ColumnMap,
    scales: Scales,
    check_phase: PhaseCheck | None = None,
    default_timezone: str = "UTC",
) -> list[tuple[str, Feedback]]:
    """Re-validate quarantined rows; return ``(record_id, feedback)`` for those now valid.

    Meant for rows quarantined as ``unknown_respondent``: once their contact has appeared
    in a sync they validate, and the caller adds the feedback and releases the record ids.
    Rows that still fail stay where they are (they are already quarantined).
    """
    binder = _Binder(column_map, scales, timezone_named(column_map.timezone or default_timezone))
    released: list[tuple[str, Feedback]] = []
    for row in rows:
        raw = dict(row.raw)
        source_row = SourceRow(row.row_number, raw)
        outcome = validate_row(row.source, source_row, binder.rules(raw), lookup, check_phase)
        if isinstance(outcome, Rejection):
            continue
        released.extend((row.record_id, item) for item in outcome)
    return released
