"""Reading line-oriented input (a file or stdin) for the per-line commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.table import Table

from cxsync.errors import InputError

__all__ = ["emit_per_line", "read_lines"]


def read_lines(path: str) -> Iterator[str]:
    """Each line without its newline, in order; UTF-8 (BOM tolerated) or Windows-1254."""
    if path == "-":
        for line in sys.stdin:
            yield line.rstrip("\r\n")
        return
    file = Path(path)
    if not file.is_file():
        raise InputError(path, "no such file")
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1254")
    yield from text.splitlines()


def emit_per_line(
    path: str,
    as_table: bool,
    columns: tuple[str, ...],
    record_for: Callable[[str], dict[str, Any]],
) -> None:
    """One JSON object per input line, in order (or a table of ``columns``)."""
    from cxsync.cli.common import out_console

    table = Table(*columns) if as_table else None
    for line in read_lines(path):
        record = record_for(line)
        if table is not None:
            table.add_row(*(_cell(record.get(c)) for c in columns))
        else:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    if table is not None:
        out_console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
