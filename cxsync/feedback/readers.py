"""Streaming readers for feedback files: CSV (any delimiter, any common encoding) and JSONL.

Each record comes out as a :class:`SourceRow` with the line it starts on (the header is
line 1), so a rejection can point a person at the exact row. Files are read one record at
a time; only a small sample is held to sniff the encoding and the delimiter.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from charset_normalizer import from_path

__all__ = ["SourceRow", "detect_encoding", "read_rows", "sniff_delimiter"]

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_SAMPLE = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
FALLBACK_ENCODING = "cp1254"  # Windows Turkish: what Excel writes on a Turkish desktop


@dataclass(frozen=True)
class SourceRow:
    """One record of a feedback file.

    Attributes:
        row_number: the 1-based line the record starts on (a CSV header is line 1).
        raw: column name → cell text (JSON values for JSONL), exactly as read.
        problem: why the record could not be read as a row, if it could not.
    """

    row_number: int
    raw: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


def detect_encoding(path: Path, fallback: str = FALLBACK_ENCODING) -> str:
    """The encoding to read ``path`` with.

    A UTF-16 byte-order mark wins; otherwise the whole file is checked as strict UTF-8 (in
    chunks, so memory stays flat) and read as ``utf-8-sig``, which also drops a UTF-8 BOM.
    Bytes that are not UTF-8 mean a legacy code page: ``fallback`` (Windows-1254) when it
    decodes the sample, else the best guess of charset-normalizer.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        sample = fh.read(_SAMPLE)
    try:
        sample.decode(fallback)
        return fallback
    except UnicodeDecodeError:
        best = from_path(path).best()
        guessed = best.encoding if best is not None else "latin-1"
        log.info("%s: not UTF-8 nor %s; reading as %s", path, fallback, guessed)
        return guessed


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV header line: the candidate found most often outside quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(path: Path, *, skip_rows: int = 0) -> Iterator[SourceRow]:
    """Stream the records of a CSV or JSONL file (JSONL by its ``.jsonl``/``.ndjson`` name).

    Args:
        path: the file.
        skip_rows: CSV lines to skip after the header (survey tools that export the
            question texts and import ids as extra header rows).

    Raises:
        OSError: the file cannot be opened.
    """
    encoding = detect_encoding(path)
    with path.open("r", encoding=encoding, newline="") as fh:
        if path.suffix.lower() in _JSONL_SUFFIXES:
            yield from _jsonl_rows(fh)
        else:
            yield from _csv_rows(fh, skip_rows)


def _jsonl_rows(fh: TextIO) -> Iterator[SourceRow]:
    for number, line in enumerate(fh, start=1):
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield SourceRow(number, {"line": text}, f"line is not valid JSON: {exc.msg}")
            continue
        if not isinstance(value, dict):
            yield SourceRow(number, {"line": text}, "line is not a JSON object")
            continue
        yield SourceRow(number, {str(k): v for k, v in value.items()})


def _csv_rows(fh: TextIO, skip_rows: int) -> Iterator[SourceRow]:
    first = fh.readline()
    if not first.strip():
        return
    delimiter = sniff_delimiter(first)
    header = _header(next(csv.reader([first], delimiter=delimiter), []))
    reader = csv.reader(fh, delimiter=delimiter)
    line_base = 1  # lines consumed before the reader started
    skipped = 0
    while True:
        start = line_base + reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield SourceRow(start, {}, f"unreadable CSV record: {exc}")
            continue
        if skipped < skip_rows:
            skipped += 1
            continue
        if not any(c.strip() for c in cells):
            continue
        yield _csv_record(start, header, cells)


def _header(cells: list[str]) -> list[str]:
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cell.strip().lstrip("\ufeff") or f"column_{index}"
        # a repeated header keeps both columns rather than silently losing one
        names.append(name if name not in names else f"{name}_{index}")
    return names


def _csv_record(start: int, header: list[str], cells: list[str]) -> SourceRow:
    raw = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
    extra = cells[len(header) :]
    if any(c.strip() for c in extra):
        for offset, value in enumerate(extra, start=len(header) + 1):
            raw[f"column_{offset}"] = value
        return SourceRow(
            start,
            raw,
            f"row has {len(cells)} values but the header has {len(header)} columns",
        )
    return SourceRow(start, raw)
