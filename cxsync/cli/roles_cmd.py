"""`cxsync roles tag`: buying roles and function for each title."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cxsync.cli.common import OutputFormat, guarded, out_console
from cxsync.cli.lines import read_lines

__all__ = ["register"]

roles_app = typer.Typer(help="Buying roles from job titles.", no_args_is_help=True)


@roles_app.command("tag")
def tag(
    path: Annotated[
        str, typer.Argument(help="A file with one title per line, or - for stdin.")
    ] = "-",
    output: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl or table.")
    ] = OutputFormat.JSONL,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Your own title rules file.")
    ] = None,
) -> None:
    """Tag each title with buying roles (most specific first), function and persona."""
    from cxsync.roles import RoleTagger

    with guarded():
        tagger = RoleTagger.from_mappings(rules)
        table = (
            Table("title", "roles", "function", "persona", "rule")
            if output is OutputFormat.TABLE
            else None
        )
        for line in read_lines(path):
            result = tagger.tag(line)
            roles = [r.value for r in result.roles]
            function = result.function.value if result.function else None
            if table is not None:
                table.add_row(
                    line, ", ".join(roles), function or "", result.persona or "", result.rule or ""
                )
                continue
            record = {
                "title": line,
                "roles": roles,
                "function": function,
                "seniority": result.seniority,
                "persona": result.persona,
                "rule": result.rule,
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        if table is not None:
            out_console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(roles_app, name="roles")
