"""Reading CSV and JSONL files row by row, whatever their encoding and delimiter.

UTF-8 (with or without BOM) is tried first over the whole file; a file that is not valid
UTF-8 is read as Windows-1254, the usual encoding of Turkish Excel exports. The delimiter
(comma, semicolon, tab) is sniffed from the header line.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DataFile", "Row", "detect_encoding", "find_table"]

_FALLBACK = "cp1254"


@dataclass(frozen=True)
class Row:
    number: int  # 1-based line of the record in the file (the CSV header is line 1)
    values: dict[str, Any]


def detect_encoding(path: Path, forced: str | None = None) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1254."""
    if forced:
        return forced
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        head = fh.read(3)
        fh.seek(0)
        try:
            # incremental: a character split across two chunks is still one character
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _FALLBACK
    return "utf-8-sig" if head == b"\xef\xbb\xbf" else "utf-8"


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def find_table(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".jsonl"):
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


class DataFile:
    """One accounts or contacts file."""

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        self.path = path
        self.encoding = detect_encoding(path, encoding)
        self.is_jsonl = path.suffix.lower() == ".jsonl"
        self.delimiter = ","
        self.header: list[str] = []
        if not self.is_jsonl:
            with path.open(encoding=self.encoding, newline="") as fh:
                first = fh.readline()
            self.delimiter = _delimiter(first)
            self.header = next(csv.reader([first], delimiter=self.delimiter), [])
            self.header = [h.strip() for h in self.header]

    def rows(self) -> Iterator[Row]:
        """Every record; a malformed one comes back with ``values = {"__error__": reason}``."""
        if self.is_jsonl:
            yield from self._jsonl()
        else:
            yield from self._csv()

    def _csv(self) -> Iterator[Row]:
        with self.path.open(encoding=self.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            next(reader, None)
            line = reader.line_num
            for cells in reader:
                start = line + 1
                line = reader.line_num
                if not "".join(cells).strip():  # blank (or only whitespace): no record
                    continue
                if len(cells) > len(self.header):
                    yield Row(
                        start, {"__error__": f"{len(cells)} cells for {len(self.header)} columns"}
                    )
                    continue
                values = dict(zip(self.header, cells, strict=False))
                yield Row(start, values)

    def _jsonl(self) -> Iterator[Row]:
        with self.path.open(encoding=self.encoding) as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Row(number, {"__error__": f"not valid JSON: {exc.msg}"})
                    continue
                if not isinstance(value, dict):
                    yield Row(number, {"__error__": "a JSON object was expected"})
                    continue
                yield Row(number, value)
