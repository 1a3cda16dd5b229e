"""Install plans against the emulator's properties API, and `cxsync install --crm hubspot`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cxsync_hubspot.testing import HubSpotEmulator, emulator_adapter, serve_emulator
from typer.testing import CliRunner

from cxsync.cli.app import app
from cxsync.schema import PlanAction, canonical_fields


@pytest.fixture
def bare() -> Iterator[tuple[HubSpotEmulator, str]]:
    """A portal without any cxsync property."""
    emulator = HubSpotEmulator()
    with serve_emulator(emulator) as url:
        yield emulator, url


def test_plan_apply_then_nothing_to_do(bare: tuple[HubSpotEmulator, str], tmp_path: Path) -> None:
    emulator, url = bare
    adapter = emulator_adapter(url, tmp_path)
    fields = canonical_fields()
    first = adapter.plan_schema(fields)
    assert {s.action for s in first.steps} == {PlanAction.CREATE}
    # the fields, the key property on tasks and notes, one group per object type
    assert len(first.pending) == len(fields) + 2 + 4
    applied = adapter.apply_schema(first)
    assert applied.applied and not applied.conflicts
    nps = emulator.definitions["contacts"]["cx_nps_score"]
    assert (nps["type"], nps["fieldType"], nps["groupName"]) == ("number", "number", "cxsync")
    flags = emulator.definitions["contacts"]["cx_contact_flags"]
    assert (flags["type"], flags["fieldType"]) == ("enumeration", "checkbox")
    assert [o["value"] for o in flags["options"]] == [
        "duplicate",
        "stale",
        "free_mail",
        "disposable",
    ]
    assert emulator.definitions["tasks"]["cx_followup_key"]["type"] == "string"
    assert emulator.definitions["companies"]["cx_health_updated_at"]["type"] == "datetime"
    again = emulator_adapter(url, tmp_path).plan_schema(fields)
    assert again.nothing_to_do, again.pending
    # two reads per object type to plan; 4 groups and 4 batch creates to apply
    assert adapter.usage().write_calls == 8


def test_a_property_with_another_type_is_a_conflict_never_clobbered(
    bare: tuple[HubSpotEmulator, str], tmp_path: Path
) -> None:
    emulator, url = bare
    emulator.define_property("contacts", "cx_nps_score", "string", "text")
    adapter = emulator_adapter(url, tmp_path)
    plan = adapter.plan_schema(canonical_fields())
    (conflict,) = plan.conflicts
    assert conflict.name == "cx_nps_score" and "string/text" in conflict.detail
    applied = adapter.apply_schema(plan)
    assert emulator.definitions["contacts"]["cx_nps_score"]["type"] == "string"
    assert [s.name for s in applied.conflicts] == ["cx_nps_score"]


def test_a_picklist_missing_options_is_reported(
    bare: tuple[HubSpotEmulator, str], tmp_path: Path
) -> None:
    emulator, url = bare
    emulator.define_property(
        "companies", "cx_health_band", "enumeration", "select", ["green", "red"]
    )
    plan = emulator_adapter(url, tmp_path).plan_schema(canonical_fields())
    (conflict,) = plan.conflicts
    assert "yellow" in conflict.detail


def test_the_emulator_refuses_invalid_type_pairs_like_hubspot(
    bare: tuple[HubSpotEmulator, str],
) -> None:
    emulator, _ = bare
    answer = emulator.handle(
        "POST",
        "/crm/v3/properties/contacts",
        {"Authorization": "Bearer pat-emu-0000"},
        json.dumps(
            {
                "name": "cx_x",
                "label": "x",
                "type": "number",
                "fieldType": "text",
                "groupName": "hubspot_defined",
            }
        ),
    )
    assert answer.status == 400 and "not valid for type" in answer.body["message"]


def test_install_command_plans_and_applies(
    bare: tuple[HubSpotEmulator, str], tmp_path: Path
) -> None:
    emulator, url = bare
    config = tmp_path / "cxsync.toml"
    config.write_text(
        f"""crm = "hubspot"
store_url = "sqlite:///{tmp_path / "state.db"}"
work_dir = "{tmp_path}"

[adapter.hubspot]
access_token = "pat-emu-0000"
host = "{url}"
search_lag_seconds = 0
"""
    )
    runner = CliRunner()
    planned = runner.invoke(app, ["--config", str(config), "install", "--format", "json"])
    assert planned.exit_code == 0, planned.output
    assert not json.loads(planned.stdout)["nothing_to_do"]
    assert "cx_nps_score" not in emulator.definitions["contacts"], "a plan writes nothing"
    applied = runner.invoke(app, ["--config", str(config), "install", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "cx_nps_score" in emulator.definitions["contacts"]
    again = runner.invoke(app, ["--config", str(config), "install", "--format", "json"])
    assert json.loads(again.stdout)["nothing_to_do"]
