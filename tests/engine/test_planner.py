"""The write planner: only differences, and a person's edit wins on fields cxsync doesn't own."""

from __future__ import annotations

from typing import Any

import pytest

from cxsync.engine.planner import plan_record
from cxsync.engine.values import normalize, same_value
from cxsync.models import ObjectType
from cxsync.schema import FieldSpec, FieldType, load_field_map

FIELD_MAP = load_field_map("files")
C = ObjectType.CONTACT


def plan(desired: dict[str, Any], crm: dict[str, Any], last: dict[str, Any]) -> Any:
    return plan_record(FIELD_MAP, C, "003A", desired, crm, last)


def test_nothing_planned_when_crm_already_holds_the_value() -> None:
    planned, conflicts = plan({"cx_nps_score": 9}, {"cx_nps_score": "9"}, {"cx_nps_score": 9})
    assert planned is None
    assert conflicts == []


def test_out_of_date_value_that_cxsync_wrote_is_rewritten() -> None:
    planned, conflicts = plan({"cx_nps_score": 3}, {"cx_nps_score": 9}, {"cx_nps_score": 9})
    assert planned is not None
    assert planned.change.values == {"cx_nps_score": 3}
    assert planned.before == {"cx_nps_score": 9}
    assert conflicts == []


def test_empty_crm_field_is_filled() -> None:
    planned, _ = plan({"cx_email_status": "person"}, {}, {})
    assert planned is not None and planned.change.values == {"cx_email_status": "person"}


def test_person_edit_of_unowned_field_is_kept_and_reported() -> None:
    planned, conflicts = plan(
        {"cx_function": "procurement"}, {"cx_function": "finance"}, {"cx_function": "it"}
    )
    assert planned is None
    assert [(c.field, c.resolution) for c in conflicts] == [("cx_function", "kept_crm")]


def test_person_edit_of_owned_field_is_overwritten_and_reported() -> None:
    planned, conflicts = plan({"cx_nps_score": 4}, {"cx_nps_score": 10}, {"cx_nps_score": 6})
    assert planned is not None and planned.change.values == {"cx_nps_score": 4}
    assert [(c.field, c.resolution) for c in conflicts] == [("cx_nps_score", "overwritten")]


def test_fields_the_crm_map_does_not_carry_are_ignored() -> None:
    planned, _ = plan({"not_a_cx_field": 1, "cx_nps_score": 5}, {}, {})
    assert planned is not None and list(planned.change.values) == ["cx_nps_score"]


def spec(kind: FieldType, **kw: Any) -> FieldSpec:
    return FieldSpec(name="cx_x", object=C, type=kind, label="x", **kw)


@pytest.mark.parametrize(
    ("kind", "left", "right", "same"),
    [
        (FieldType.NUMBER, 9, "9", True),
        (FieldType.NUMBER, 9, "9.0", True),
        (FieldType.NUMBER, "4,5", 4.5, True),
        (FieldType.NUMBER, 9, 8, False),
        (FieldType.DATETIME, "2026-11-01T10:00:00.000+0000", "2026-11-01T10:00:00+00:00", True),
        (FieldType.DATETIME, "1793520000000", "2026-11-01T08:00:00Z", True),
        (FieldType.DATETIME, "2026-11-01T10:00:00+03:00", "2026-11-01T07:00:00Z", True),
        (FieldType.DATETIME, "2026-11-01T10:00:00Z", "2026-11-01T10:00:01Z", False),
        (FieldType.DATE, "2026-11-01", "2026-11-01T00:00:00Z", True),
        (FieldType.MULTIPICKLIST, "approver;decision_maker", ["decision_maker", "approver"], True),
        (FieldType.MULTIPICKLIST, "approver", ["decision_maker", "approver"], False),
        (FieldType.TEXT, "", None, True),
        (FieldType.TEXT, " a ", "a", True),
        (FieldType.CHECKBOX, "true", True, True),
    ],
    ids=[
        "int-vs-string",
        "int-vs-float-string",
        "decimal-comma",
        "different-number",
        "salesforce-datetime",
        "epoch-ms",
        "offsets",
        "one-second-apart",
        "date-vs-midnight",
        "multiselect-order",
        "multiselect-subset",
        "empty-is-none",
        "trimmed",
        "checkbox",
    ],
)
def test_values_compare_by_meaning(kind: FieldType, left: Any, right: Any, same: bool) -> None:
    assert (
        same_value(left, right, spec(kind, scale=1 if kind is FieldType.NUMBER else None)) is same
    )


def test_unparseable_datetime_normalises_to_none_rather_than_crashing() -> None:
    assert normalize("not a date", spec(FieldType.DATETIME)) is None
