"""`cxsync emails classify`: one verdict per input line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cxsync.cli.common import OutputFormat, guarded
from cxsync.cli.lines import emit_per_line

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

        def record(line: str) -> dict[str, Any]:
            v = classifier.classify(line)
            return {
                "email": line,
                "verdict": v.verdict.value,
                "reason": v.reason,
                "normalized": v.normalized,
                "rule": v.rule,
                "free_mail": v.free_mail,
                "disposable": v.disposable,
            }

        emit_per_line(path, output is OutputFormat.TABLE, ("email", "verdict", "reason"), record)


def register(app: typer.Typer) -> None:
    app.add_typer(emails_app, name="emails")
