"""`cxsync roles tag`: buying roles and function for each title."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cxsync.cli.common import OutputFormat, guarded
from cxsync.cli.lines import emit_per_line

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

        def record(line: str) -> dict[str, Any]:
            tag = tagger.tag(line)
            return {
                "title": line,
                "roles": [r.value for r in tag.roles],
                "function": tag.function.value if tag.function else None,
                "seniority": tag.seniority,
                "persona": tag.persona,
                "rule": tag.rule,
            }

        columns = ("title", "roles", "function", "persona", "rule")
        emit_per_line(path, output is OutputFormat.TABLE, columns, record)


def register(app: typer.Typer) -> None:
    app.add_typer(roles_app, name="roles")
