"""Install plans against the emulator's describe and Metadata API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cxsync_salesforce.testing import SalesforceEmulator, emulator_adapter, mock_emulator

from cxsync.schema import PlanAction, canonical_fields


@pytest.fixture
def bare() -> Iterator[SalesforceEmulator]:
    """An org without any cxsync field."""
    emulator = SalesforceEmulator()
    with mock_emulator(emulator):
        yield emulator


def test_plan_apply_then_nothing_to_do(bare: SalesforceEmulator, tmp_path: Path) -> None:
    adapter = emulator_adapter(bare, tmp_path, integration_user_id=bare.integration_user_id)
    fields = canonical_fields()
    first = adapter.plan_schema(fields)
    assert {s.action for s in first.steps} == {PlanAction.CREATE, PlanAction.GRANT}
    assert len(first.pending) == len(fields) + 2  # the fields, the Task key, the grant
    applied = adapter.apply_schema(first)
    assert applied.applied
    assert bare.custom_fields["Contact"]["CX_NPS_Score__c"] == "Double"
    assert bare.custom_fields["Contact"]["CX_Contact_Flags__c"] == "Multipicklist"
    assert ("Contact", "CX_NPS_Score__c") in bare.granted
    assert len(bare.records["PermissionSetAssignment"]) == 1
    again = emulator_adapter(bare, tmp_path).plan_schema(fields)
    assert again.nothing_to_do, again.pending
    assert adapter.usage().write_calls >= 3


def test_a_field_with_another_type_is_a_conflict_never_clobbered(
    bare: SalesforceEmulator, tmp_path: Path
) -> None:
    bare.install_field("Contact", "CX_NPS_Score__c", "String")
    plan = emulator_adapter(bare, tmp_path).plan_schema(canonical_fields())
    (conflict,) = plan.conflicts
    assert conflict.name == "CX_NPS_Score__c" and "string" in conflict.detail
    emulator_adapter(bare, tmp_path).apply_schema(plan)
    assert bare.custom_fields["Contact"]["CX_NPS_Score__c"] == "String"


def test_existing_fields_without_fls_are_granted_not_recreated(
    bare: SalesforceEmulator, tmp_path: Path
) -> None:
    bare.install_field("Contact", "CX_Persona__c", "String", grant=False)
    adapter = emulator_adapter(bare, tmp_path, integration_user_id=bare.integration_user_id)
    plan = adapter.plan_schema(canonical_fields())
    assert any(s.name == "CX_Persona__c" and s.action is PlanAction.CREATE for s in plan.steps)
    adapter.apply_schema(plan)
    assert ("Contact", "CX_Persona__c") in bare.granted
    assert emulator_adapter(bare, tmp_path).plan_schema(canonical_fields()).nothing_to_do
