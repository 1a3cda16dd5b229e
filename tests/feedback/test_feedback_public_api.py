"""The public surface of cxsync.feedback is explicit and importable."""

from __future__ import annotations

import cxsync.feedback as feedback

EXPECTED = {
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
}


def test_public_names_pinned() -> None:
    assert set(feedback.__all__) == EXPECTED
    assert all(hasattr(feedback, name) for name in feedback.__all__)
