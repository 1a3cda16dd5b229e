"""Feedback in, results out: import survey responses and field notes, roll them up.

Pure core: the state store binds :class:`FeedbackLedger` and :class:`RespondentLookup`;
the CLI and the engine call :func:`import_feedback`, :func:`retry_quarantined`,
:func:`rollup_contact`, :func:`contact_fields` and :func:`note_for`.
"""

from cxsync.feedback.columns import CANONICAL_COLUMNS, ColumnMap, column_maps, load_column_map
from cxsync.feedback.importer import (
    FeedbackLedger,
    ImportReport,
    QuarantinedRow,
    import_feedback,
    retry_quarantined,
)
from cxsync.feedback.notes import note_for
from cxsync.feedback.phases import phase_checker
from cxsync.feedback.readers import SourceRow, detect_encoding, read_rows
from cxsync.feedback.rollup import TRUNCATION_MARKER, contact_fields, nps_category, rollup_contact
from cxsync.feedback.scales import Scale, Scales, load_scales
from cxsync.feedback.validate import (
    PhaseCheck,
    Rejection,
    RejectKind,
    Respondent,
    RespondentLookup,
)

__all__ = [
    "CANONICAL_COLUMNS",
    "TRUNCATION_MARKER",
    "ColumnMap",
    "FeedbackLedger",
    "ImportReport",
    "PhaseCheck",
    "QuarantinedRow",
    "RejectKind",
    "Rejection",
    "Respondent",
    "RespondentLookup",
    "Scale",
    "Scales",
    "SourceRow",
    "column_maps",
    "contact_fields",
    "detect_encoding",
    "import_feedback",
    "load_column_map",
    "load_scales",
    "note_for",
    "nps_category",
    "phase_checker",
    "read_rows",
    "retry_quarantined",
    "rollup_contact",
]
