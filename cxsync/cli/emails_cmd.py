"""`cxsync emails classify`: one verdict per input line."""

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

emails_app = typer.Typer(help="Email address hygiene.", no_args_is_help=True)


@emails_app.command("classify")
def classify(
    path: Annotated[
        str, typer.Argument(help="A file with one address per line, or - for stdin.")
    ] = "-",
    output: Annotated[
        OutputFormat, typer.Option("--format", help="jsonl or table.")
    ] = OutputFormat.JSONL,
    overrides: Annotated[
        Path | None, typer.Option("--rules", help="Your own mailbox rules file.")
    ] = None,
) -> None:
    """Classify each address as person, generic or invalid, with the reason."""
    from cxsync.hygiene import EmailClassifier

    with guarded():
        classifier = EmailClassifier.from_mappings(overrides)
        table = Table("email", "verdict", "reason") if output is OutputFormat.TABLE else None
        for line in read_lines(path):
            verdict = classifier.classify(line)
            if table is not None:
                table.add_row(line, verdict.verdict.value, verdict.reason)
                continue
            record = {
                "email": line,
                "verdict": verdict.verdict.value,
                "reason": verdict.reason,
                "normalized": verdict.normalized,
                "rule": verdict.rule,
                "free_mail": verdict.free_mail,
                "disposable": verdict.disposable,
            }
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        if table is not None:
            out_console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(emails_app, name="emails")
