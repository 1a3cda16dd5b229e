"""`cxsync install --crm NAME [--apply]`: plan (default) or create cxsync's custom fields."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cxsync.cli.common import OutputFormat, guarded, out_console, print_json, state
from cxsync.cli.exit_codes import ExitCode

__all__ = ["register"]


def install(
    crm: Annotated[str | None, typer.Option("--crm", help="Adapter to install into.")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Create what the plan lists.")] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Show (or, with --apply, carry out) the plan for cxsync's fields in the CRM."""
    from cxsync.adapter import AdapterContext
    from cxsync.config import load_config
    from cxsync.registry import get_factory
    from cxsync.schema import load_field_map

    with guarded():
        config = load_config(state.config_path, crm=crm)
        factory = get_factory(config.crm)
        field_map = load_field_map(config.crm, config.field_map)
        adapter = factory.create(
            config.adapter_settings(),
            AdapterContext(field_map=field_map, work_dir=Path(config.work_dir)),
        )
        try:
            plan = adapter.plan_schema([f.spec for f in field_map.fields])
            if apply and not plan.nothing_to_do:
                plan = adapter.apply_schema(plan)
        finally:
            adapter.close()
    if output is not OutputFormat.TABLE:
        print_json(plan.model_dump(mode="json") | {"nothing_to_do": plan.nothing_to_do})
    else:
        verb = "applied" if plan.applied else "plan"
        table = Table(
            "action",
            "object",
            "field",
            "detail",
            title=f"install {verb} for {config.crm}",
            title_justify="left",
        )
        for step in plan.steps:
            table.add_row(step.action.value, step.object, step.name, step.detail)
        out_console.print(table)
        if plan.nothing_to_do and not plan.applied:
            out_console.print("nothing to do: every field is in place")
        elif not apply:
            out_console.print("run again with --apply to carry out this plan")
    if plan.conflicts:
        raise typer.Exit(int(ExitCode.PARTIAL))


def register(app: typer.Typer) -> None:
    app.command("install")(install)
