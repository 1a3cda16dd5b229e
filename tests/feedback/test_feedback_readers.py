"""Reading feedback files: encodings, BOMs, delimiters, quoted newlines, row numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsync.feedback import detect_encoding, read_rows
from cxsync.feedback.readers import sniff_delimiter

TURKISH = "Şantiye şefi, ürün çok iyi"


def _write(tmp_path: Path, name: str, text: str, encoding: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "written", "detected"),
    [
        ("utf-8", "utf-8", "utf-8-sig"),
        ("utf-8 BOM", "utf-8-sig", "utf-8-sig"),
        ("windows-1254", "cp1254", "cp1254"),
        ("utf-16 (Excel unicode text)", "utf-16", "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "cp1254", "utf16"],
)
def test_turkish_text_survives_every_encoding(
    tmp_path: Path, encoding: str, written: str, detected: str
) -> None:
    text = f'response_id,comment\r\nr1,"{TURKISH}"\r\n'
    path = _write(tmp_path, "f.csv", text, written)
    assert detect_encoding(path) == detected
    rows = list(read_rows(path))
    assert [(r.row_number, r.raw) for r in rows] == [(2, {"response_id": "r1", "comment": TURKISH})]


def test_bom_does_not_leak_into_first_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "response_id,score\nr1,9\n", "utf-8-sig")
    (row,) = read_rows(path)
    assert list(row.raw) == ["response_id", "score"]


def test_utf8_checked_beyond_the_first_chunk(tmp_path: Path) -> None:
    # ASCII for over a megabyte, then one cp1254 byte: the whole file is not UTF-8
    filler = "r,x\n" * 300_000
    path = tmp_path / "late.csv"
    path.write_bytes(("id,comment\n" + filler + "r9,").encode() + "ş\n".encode("cp1254"))
    assert detect_encoding(path) == "cp1254"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"a;1","b;2",c,d', ","),
        ("single", ","),
    ],
    ids=["comma", "semicolon", "tab", "quoted-semicolons-ignored", "one-column"],
)
def test_sniff_delimiter(header: str, expected: str) -> None:
    assert sniff_delimiter(header) == expected


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_rows_read_with_each_delimiter(tmp_path: Path, delimiter: str) -> None:
    lines = [delimiter.join(r) for r in (["id", "score", "comment"], ["r1", "9,0", "ok"])]
    if delimiter == ",":
        lines[1] = 'r1,"9,0",ok'
    path = _write(tmp_path, "f.csv", "\n".join(lines) + "\n", "utf-8")
    (row,) = read_rows(path)
    assert row.raw == {"id": "r1", "score": "9,0", "comment": "ok"}


def test_row_numbers_count_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    text = 'id,comment\nr1,"line one\nline two\nline three"\n\nr2,plain\nr3,"x"\n'
    path = _write(tmp_path, "f.csv", text, "utf-8")
    rows = list(read_rows(path))
    assert [(r.row_number, r.raw["id"]) for r in rows] == [(2, "r1"), (6, "r2"), (7, "r3")]
    assert rows[0].raw["comment"] == "line one\nline two\nline three"


def test_short_rows_padded_long_rows_flagged(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "a,b,c\n1,2\n1,2,3,4\n", "utf-8")
    short, long = read_rows(path)
    assert short.raw == {"a": "1", "b": "2", "c": ""} and short.problem is None
    assert long.problem == "row has 4 values but the header has 3 columns"
    assert long.raw["column_4"] == "4"


def test_skip_rows_after_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "id\nQuestion text\n{ImportId}\nr1\n", "utf-8")
    assert [(r.row_number, r.raw) for r in read_rows(path, skip_rows=2)] == [(4, {"id": "r1"})]


def test_jsonl_rows_and_bad_lines(tmp_path: Path) -> None:
    text = '{"id": "r1", "score": 9}\n\nnot json\n[1]\n{"id": "r2"}\n'
    path = _write(tmp_path, "f.jsonl", text, "utf-8")
    rows = list(read_rows(path))
    assert [(r.row_number, r.problem is None) for r in rows] == [
        (1, True),
        (3, False),
        (4, False),
        (5, True),
    ]
    assert rows[0].raw == {"id": "r1", "score": 9}
    assert rows[1].problem is not None and "not valid JSON" in rows[1].problem
    assert rows[2].problem == "line is not a JSON object"


def test_reading_streams_lazily(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "id\n" + "".join(f"r{i}\n" for i in range(1000)), "utf-8")
    rows = read_rows(path)
    assert next(rows).raw == {"id": "r0"}
    assert next(rows).row_number == 3


def test_duplicate_and_empty_headers_keep_every_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "f.csv", "id,comment,,comment\nr1,a,b,c\n", "utf-8")
    (row,) = read_rows(path)
    assert row.raw == {"id": "r1", "comment": "a", "column_3": "b", "comment_4": "c"}
