"""Stage 2: import new feedback, match it to people, and turn field notes into activities.

Sources: the configured feedback folder (or the adapter's own feedback files) and, where
the adapter offers it, the CRM's native feedback records. Every row lands in the ledger
(keyed by response id: a re-import changes nothing) or in the quarantine with its reason.
Rows quarantined for an unknown respondent are retried on every run and released once the
contact has appeared in a sync.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxsync.engine.actions import ActionRunner
from cxsync.engine.context import RunContext
from cxsync.engine.summary import RunSummary
from cxsync.models import Feedback, ObjectType

if TYPE_CHECKING:
    from cxsync.feedback.readers import SourceRow

__all__ = ["NativeFeedback", "StoreLedger", "StoreLookup", "feedback_paths", "import_stage"]

log = logging.getLogger(__name__)

UNKNOWN_RESPONDENT = "unknown_respondent"


class StoreLookup:
    """Finds a respondent in the contact snapshot, by CRM id first, then by address.

    ``prefetch`` loads a chunk's respondents in two bulk queries; ``resolve`` then answers
    from that chunk's cache (kept for one chunk only, so memory follows the chunk size).
    """

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._by_id: dict[str, Any] = {}
        self._by_email: dict[str, list[Any]] = {}
        self._prefetched = False

    def prefetch(self, keys: Sequence[tuple[str | None, str | None]]) -> None:
        store, scope = self._ctx.store, self._ctx.scope
        self._by_id = store.get_contacts(scope, sorted({c for c, _ in keys if c}))
        self._by_email = store.contacts_by_email(scope, sorted({e for _, e in keys if e}))
        self._prefetched = True

    def _row_by_id(self, contact_id: str) -> Any:
        if self._prefetched and contact_id in self._by_id:
            return self._by_id[contact_id]
        return self._ctx.store.get_contacts(self._ctx.scope, [contact_id]).get(contact_id)

    def _rows_by_email(self, email: str) -> list[Any]:
        if self._prefetched and email in self._by_email:
            return self._by_email[email]
        found = self._ctx.store.contacts_by_email(self._ctx.scope, [email])
        rows: list[Any] = found.get(email, [])
        return rows

    def resolve(self, contact_id: str | None, email_normalized: str | None) -> Any:
        from cxsync.feedback import Respondent

        row = self._row_by_id(contact_id) if contact_id else None
        if row is None and email_normalized:
            candidates = [r for r in self._rows_by_email(email_normalized) if not r.deleted]
            # a duplicated address answers for its surviving contact
            row = next((r for r in candidates if not r.duplicate_of), None) or (
                candidates[0] if candidates else None
            )
        if row is None or row.deleted:
            return None
        eligible = row.verdict == "person" and not row.duplicate_of
        return Respondent(
            contact_id=row.contact_id,
            account_id=row.account_id,
            persona=row.persona,
            eligible=eligible,
        )


@dataclass
class StoreLedger:
    """Binds the importer's ledger protocol to the state store."""

    ctx: RunContext
    new_rejections: int = 0

    def add(self, items: Sequence[Feedback]) -> list[str]:
        new: list[str] = self.ctx.store.add_feedback(self.ctx.scope, list(items))
        return new

    def quarantine(self, rejections: Sequence[Any]) -> None:
        from cxsync.store import QuarantineItem

        # a row without a response id is still the same row when the file is read again
        self.new_rejections += self.ctx.store.quarantine(
            self.ctx.scope,
            [
                QuarantineItem(
                    source=r.source,
                    row_number=r.row_number,
                    kind=r.kind,
                    reason=r.reason,
                    raw=r.raw,
                    key=r.key or f"row {r.row_number}",
                )
                for r in rejections
            ],
        )


@dataclass(frozen=True)
class _Quarantined:
    """A quarantine record as the importer's retry wants it (string ids)."""

    record: Any

    @property
    def record_id(self) -> str:
        return str(self.record.id)

    @property
    def source(self) -> str:
        return str(self.record.source)

    @property
    def row_number(self) -> int:
        return int(self.record.row_number or 0)

    @property
    def raw(self) -> dict[str, Any]:
        return dict(self.record.raw)


def feedback_paths(ctx: RunContext) -> list[Path]:
    folder = ctx.config.feedback.folder
    if folder is not None:
        return sorted(
            p for p in Path(folder).iterdir() if p.suffix.lower() in (".csv", ".jsonl", ".txt")
        )
    listing = getattr(ctx.adapter, "feedback_files", None)
    return list(listing()) if callable(listing) else []


def import_stage(ctx: RunContext, summary: RunSummary, paths: Sequence[Path] | None = None) -> Any:
    """Import feedback files and native feedback; retry quarantined unknown respondents."""
    from cxsync.feedback import import_feedback, load_column_map, load_scales, phase_checker

    stage = summary.stage("feedback")
    lookup = StoreLookup(ctx)
    ledger = StoreLedger(ctx)
    _release_quarantined(ctx, lookup, ledger, stage)
    files = list(paths) if paths is not None else feedback_paths(ctx)
    stream = getattr(ctx.adapter, "stream_feedback", None)
    native = NativeFeedback(ctx, summary.dry_run) if callable(stream) else None
    report = None
    if files or native is not None:
        rejects_dir = Path(ctx.config.feedback.rejects_dir or Path(ctx.config.work_dir) / "rejects")
        report = import_feedback(
            files,
            ledger=ledger,
            lookup=lookup,
            column_map=load_column_map(
                ctx.config.feedback.column_map, ctx.config.feedback.column_map_file
            ),
            scales=load_scales(),
            check_phase=phase_checker(ctx.personas),
            rejects_path=rejects_dir / "feedback.rejects.csv",
            default_timezone=ctx.config.feedback.default_timezone,
            extra_sources=[(native.source, native.rows())] if native is not None else [],
        )
        if native is not None:
            # only now is every native row in the ledger or the quarantine
            native.commit()
            stage.add("native_read", native.read)
        stage.add("files", len(files))
        stage.add("rows", report.rows_read)
        stage.add("imported", report.imported)
        stage.add("already_imported", report.duplicates)
        stage.add("notes", report.notes)
        for kind, n in report.rejected.items():
            stage.add(f"rejected_{kind}", n)
    stage.add("newly_quarantined", ledger.new_rejections)
    return report


class NativeFeedback:
    """The CRM's own survey responses (``stream_feedback``), as rows for the importer.

    They pass the same validation as files (scales, dates, respondent, phase) and go to the
    same ledger, quarantine and rejects file. A record the adapter could not turn into a
    response (a survey type without a cxsync metric…) arrives as a dict with a ``reason``
    and is quarantined with it. The cursor moves only after the import has stored every
    row, so a crash re-reads (and the ledger ignores what it already holds).
    """

    def __init__(self, ctx: RunContext, dry_run: bool) -> None:
        self.ctx = ctx
        self.dry_run = dry_run
        self.source = f"{ctx.adapter.name}:feedback"
        self.read = 0
        self._since = ctx.store.get_cursor(ctx.scope, "feedback")
        self._cursor = self._since

    def rows(self) -> Iterator[SourceRow]:
        from cxsync.feedback.readers import SourceRow

        for page in self.ctx.adapter.stream_feedback(self._since):  # type: ignore[attr-defined]
            for item in page.records:
                self.read += 1
                if isinstance(item, Feedback):
                    yield SourceRow(self.read, _canonical_row(item))
                else:
                    raw = {k: v for k, v in dict(item).items() if k != "reason"}
                    yield SourceRow(self.read, raw, problem=str(item.get("reason") or "unusable"))
            self._cursor = page.cursor

    def commit(self) -> None:
        if self._cursor != self._since and not self.dry_run:
            self.ctx.store.set_cursor(self.ctx.scope, "feedback", self._cursor)


def _canonical_row(item: Feedback) -> dict[str, Any]:
    """A native response in the importer's canonical columns."""
    row: dict[str, Any] = {
        "response_id": item.response_id,
        "contact_id": item.contact_id or "",
        "email": item.email or "",
        "metric": item.metric.value if item.metric else "",
        "score": "" if item.score is None else f"{item.score:g}",
        "phase": item.phase or "",
        "channel": item.channel.value,
        "submitted_at": item.submitted_at.isoformat(),
        "comment": item.comment or "",
    }
    return row


def _release_quarantined(
    ctx: RunContext, lookup: StoreLookup, ledger: StoreLedger, stage: Any
) -> None:
    from cxsync.feedback import load_column_map, load_scales, phase_checker, retry_quarantined

    waiting = ctx.store.list_quarantine(ctx.scope, kind=UNKNOWN_RESPONDENT)
    if not waiting:
        return
    resolved = retry_quarantined(
        [_Quarantined(q) for q in waiting],
        lookup,
        column_map=load_column_map(
            ctx.config.feedback.column_map, ctx.config.feedback.column_map_file
        ),
        scales=load_scales(),
        check_phase=phase_checker(ctx.personas),
        default_timezone=ctx.config.feedback.default_timezone,
    )
    if not resolved:
        return
    ledger.add([fb for _, fb in resolved])
    ctx.store.release(ctx.scope, sorted({int(record_id) for record_id, _ in resolved}))
    stage.add("released_from_quarantine", len(resolved))


def process_new_feedback(ctx: RunContext, actions: ActionRunner, summary: RunSummary) -> None:
    """Mark contacts with new responses for a roll-up; log new field notes in the CRM."""
    from cxsync.feedback import note_for

    new = ctx.store.unprocessed_feedback(ctx.scope)
    if not new:
        return
    contact_ids = sorted({f.contact_id for f in new if f.contact_id})
    ctx.store.mark_dirty(ctx.scope, ObjectType.CONTACT.value, contact_ids)
    account_ids = sorted({f.account_id for f in new if f.account_id})
    ctx.store.mark_dirty(ctx.scope, ObjectType.ACCOUNT.value, account_ids)
    owners = {a: r.owner_id for a, r in ctx.store.get_accounts(ctx.scope, account_ids).items()}
    notes = [
        note_for(f, account_id=f.account_id, owner_id=owners.get(f.account_id or ""))
        for f in new
        if f.is_note
    ]
    if notes:
        summary.stage("feedback").add("notes_logged", actions.submit("note", notes))
    if not summary.dry_run:
        ctx.store.mark_feedback_processed(ctx.scope, [f.response_id for f in new])
