"""Column maps: header matching, presets, an admin's own layout file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsync.errors import MappingError
from cxsync.feedback import ColumnMap, column_maps, load_column_map
from cxsync.models import Metric


def test_default_layout_binds_canonical_headers_in_any_case() -> None:
    bound = load_column_map().bind(["Response_ID", "EMAIL", "Metric", "Score", "Submitted At"])
    assert bound.columns == {
        "response_id": "Response_ID",
        "email": "EMAIL",
        "metric": "Metric",
        "score": "Score",
        "submitted_at": "Submitted At",
    }


@pytest.mark.parametrize(
    ("layout", "headers", "field", "expected"),
    [
        ("default", ["Tarih"], "submitted_at", "Tarih"),
        ("default", ["E-Posta"], "email", "E-Posta"),
        ("form_export", ["#", "Email"], "response_id", "#"),
        (
            "form_export",
            ["What could we do better? (optional)"],
            "comment",
            "What could we do better? (optional)",
        ),
        ("qualtrics", ["RecordedDate", "EndDate"], "submitted_at", "EndDate"),
    ],
    ids=["turkish-date", "e-posta", "typeform-hash", "question-prefix", "alias-order"],
)
def test_header_aliases(layout: str, headers: list[str], field: str, expected: str) -> None:
    assert load_column_map(layout).bind(headers).columns[field] == expected


def test_wide_question_headers() -> None:
    bound = load_column_map("form_export").bind(
        ["How likely is it that you would recommend Acme to a friend?", "How easy was ordering?"]
    )
    assert bound.wide == {
        Metric.NPS: "How likely is it that you would recommend Acme to a friend?",
        Metric.CES: "How easy was ordering?",
    }


def test_punctuation_only_name_does_not_match_other_punctuation() -> None:
    bound = load_column_map("form_export").bind(["?", "Response ID"])
    assert bound.columns["response_id"] == "Response ID"


def test_admin_layout_file(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text(
        '[layout.crm_visits]\ndefaults = { channel = "ziyaret" }\ntimezone = "Europe/Istanbul"\n'
        'date_order = "dmy"\n[layout.crm_visits.columns]\nemail = ["Musteri E-posta"]\n'
        '[layout.crm_visits.wide]\n"Müşteri Memnuniyeti" = ["Puan"]\n'
    )
    cmap = load_column_map("anything", path)  # a file with one layout needs no name
    assert (cmap.name, cmap.timezone, cmap.date_order) == ("crm_visits", "Europe/Istanbul", "dmy")
    assert cmap.wide == {Metric.CSAT: ("Puan",)}
    assert cmap.bind(["Müşteri E-posta", "Puan"]).columns == {"email": "Müşteri E-posta"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[layout.x]\ncolumns = { shoe_size = ['a'] }\n", "layout 'x'"),
        ("[layout.x]\ntimezone = 'Mars/Base'\n", "Mars/Base"),
        ("title = 'no layouts'\n", "no [layout.<name>] tables"),
        ("[layout.a]\n[layout.b]\n", "no layout 'c'; it has a, b"),
    ],
    ids=["unknown-field", "unknown-zone", "no-layouts", "ambiguous-name"],
)
def test_bad_admin_files_named(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(MappingError) as err:
        load_column_map("c", path)
    assert fragment in str(err.value) and "bad.toml" in str(err.value)


def test_unknown_preset_lists_the_shipped_ones() -> None:
    with pytest.raises(MappingError, match="shipped: default, form_export, qualtrics"):
        load_column_map("surveytool9000")


def test_presets_are_valid_maps() -> None:
    maps = column_maps()
    assert all(isinstance(m, ColumnMap) for m in maps.values())
    assert maps["qualtrics"].skip_rows == 2
