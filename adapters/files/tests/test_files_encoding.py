"""Reading files the way real exports arrive."""

from __future__ import annotations

from pathlib import Path

import pytest
from cxsync_files.tables import DataFile, detect_encoding


def test_utf8_character_split_across_read_chunks_is_still_utf8(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    filler = "a" * ((1 << 20) - 1)  # puts the two bytes of "ş" on both sides of a chunk edge
    path.write_bytes(f"id,title\n1,{filler}ş\n".encode())
    assert detect_encoding(path) == "utf-8"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("id;title\n1;Şantiye Şefi\n".encode("utf-8-sig"), "utf-8-sig"),
        ("id;title\n1;Şantiye Şefi\n".encode("cp1254"), "cp1254"),
        ("id\ttitle\n1\tŞantiye Şefi\n".encode(), "utf-8"),
    ],
    ids=["utf8-bom", "windows-1254", "tab"],
)
def test_encodings_and_delimiters(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    table = DataFile(path)
    assert table.encoding == encoding
    assert [r.values for r in table.rows()] == [{"id": "1", "title": "Şantiye Şefi"}]


def test_a_row_with_too_many_cells_is_reported_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text('id,title\n1,"Site, Chief",extra\n2,Polier\n', encoding="utf-8")
    rows = list(DataFile(path).rows())
    assert "__error__" in rows[0].values and rows[0].number == 2
    assert rows[1].values == {"id": "2", "title": "Polier"}
