"""Reading line-oriented input (a file or stdin) for the per-line commands."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from cxsync.errors import InputError

__all__ = ["read_lines"]


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
