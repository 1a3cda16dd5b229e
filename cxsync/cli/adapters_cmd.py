"""`cxsync adapters list`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cxsync.cli.common import OutputFormat, out_console, print_json

__all__ = ["register"]

adapters_app = typer.Typer(help="Installed CRM adapters.", no_args_is_help=True)


@adapters_app.command("list")
def list_command(
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Every adapter registered under the `cxsync.adapters` entry-point group."""
    from cxsync.registry import list_adapters

    infos = list_adapters()
    if output is not OutputFormat.TABLE:
        print_json([info.__dict__ for info in infos])
        return
    table = Table(
        "name", "distribution", "version", "capabilities", title="adapters", title_justify="left"
    )
    for info in infos:
        caps = ", ".join(info.capabilities) if not info.error else f"[red]{info.error}[/red]"
        table.add_row(info.name, info.distribution, info.version, caps)
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(adapters_app, name="adapters")
