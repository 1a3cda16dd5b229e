"""Importing files end to end: presets, rejects file, idempotence, quarantine and release."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cxsync.feedback import (
    ImportReport,
    RejectKind,
    Respondent,
    import_feedback,
    load_column_map,
    load_scales,
    retry_quarantined,
)
from cxsync.feedback.importer import BATCH_SIZE
from cxsync.models import Channel, Metric
from tests.feedback.feedback_fakes import DATA, DictLookup, MemoryLedger, StoredRow


def _import(
    paths: list[Path],
    ledger: MemoryLedger,
    lookup: DictLookup,
    layout: str = "default",
    rejects: Path | None = None,
    timezone: str = "UTC",
) -> ImportReport:
    return import_feedback(
        paths,
        ledger=ledger,
        lookup=lookup,
        column_map=load_column_map(layout),
        scales=load_scales(),
        rejects_path=rejects,
        default_timezone=timezone,
    )


def test_form_export_preset(ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    report = _import([DATA / "form_export.csv"], ledger, lookup, "form_export", rejects)
    assert (report.rows_read, report.imported, report.rejected) == (
        3,
        3,
        {RejectKind.INVALID_EMAIL: 1},
    )
    nps = ledger.items["tf-001:nps"]
    assert (nps.contact_id, nps.score, nps.phase, nps.channel) == (
        "C-200",
        10,
        "delivery",
        Channel.EMAIL,
    )
    assert nps.comment == "Teslimat zamanında geldi.\nEkip çok yardımcı."
    assert ledger.items["tf-001:csat"].score == 5
    assert ledger.items["tf-002:nps"].phase == "evaluation"
    (rejected,) = ledger.quarantined
    assert (rejected.row_number, rejected.key) == (5, "tf-003")


def test_qualtrics_preset_skips_extra_header_rows(ledger: MemoryLedger, lookup: DictLookup) -> None:
    report = _import([DATA / "qualtrics.csv"], ledger, lookup, "qualtrics")
    assert report.rejected == {} and report.rows_read == 2
    first = ledger.items["R_1a2b3c:nps"]
    assert (first.contact_id, first.score, first.comment) == ("C-100", 9, "Hızlı destek")
    assert ledger.items["R_1a2b3c:ces"].score == 6
    assert ledger.items["R_4d5e6f:nps"].channel is Channel.WEB
    assert ledger.items["R_4d5e6f:nps"].contact_id == "C-300"


def test_wide_semicolon_bom_file_with_excel_dates(ledger: MemoryLedger, lookup: DictLookup) -> None:
    report = _import([DATA / "wide_bom.csv"], ledger, lookup, timezone="Europe/Istanbul")
    assert report.rejected == {}
    assert sorted(ledger.items) == ["w-1:ces", "w-1:csat", "w-1:happiness", "w-1:nps", "w-2:nps"]
    w1 = ledger.items["w-1:nps"]
    assert w1.comment == "Şantiye şefi, ürün çok iyi"
    assert w1.submitted_at.isoformat() == "2026-11-23T10:55:12+00:00"  # Istanbul wall time
    assert ledger.items["w-2:nps"].channel is Channel.CALL


def test_jsonl_notes(ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path) -> None:
    report = _import([DATA / "notes.jsonl"], ledger, lookup, rejects=tmp_path / "r.csv")
    assert (report.imported, report.notes) == (2, 2)
    assert report.rejected == {RejectKind.EMPTY_NOTE: 1, RejectKind.MALFORMED_ROW: 2}
    visit = ledger.items["n-1"]
    assert (visit.is_note, visit.channel, visit.action_required) == (True, Channel.VISIT, True)
    assert ledger.items["n-2"].channel is Channel.MEETING
    assert [r.row_number for r in ledger.quarantined] == [4, 5, 6]


def test_cp1254_file(ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path) -> None:
    path = tmp_path / "excel_tr.csv"
    text = (
        "response_id;email;metric;score;submitted_at;comment\r\n"
        "t1;mehmet@example.com.tr;Memnuniyet;4;23.11.2026 14:05;Şantiye şefi, ürün çok iyi\r\n"
    )
    path.write_bytes(text.encode("cp1254"))
    report = _import([path], ledger, lookup)
    assert report.imported == 1
    item = ledger.items["t1"]
    assert (item.metric, item.comment) == (Metric.CSAT, "Şantiye şefi, ürün çok iyi")


def test_rejects_file_opens_in_excel(
    ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path
) -> None:
    rejects = tmp_path / "out" / "rejects.csv"
    paths = [DATA / "form_export.csv", DATA / "notes.jsonl"]
    report = _import(paths, ledger, lookup, "form_export", rejects)
    assert report.rejects_path == rejects
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == report.rejected_total
    assert list(rows[0])[:4] == ["source", "row_number", "kind", "reason"]
    first = rows[0]
    assert (first["row_number"], first["kind"], first["Email Address"]) == (
        "5",
        "invalid_email",
        "not-an-email",
    )
    assert rows[-1]["line"] == "[1, 2, 3]"  # raw columns of every file kept


def test_no_rejects_file_when_nothing_rejected(
    ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path
) -> None:
    report = _import([DATA / "qualtrics.csv"], ledger, lookup, "qualtrics", tmp_path / "r.csv")
    assert report.rejects_path is None and not (tmp_path / "r.csv").exists()


def test_reimport_adds_nothing(ledger: MemoryLedger, lookup: DictLookup) -> None:
    first = _import([DATA / "wide_bom.csv"], ledger, lookup)
    again = _import([DATA / "wide_bom.csv"], ledger, lookup)
    assert (first.imported, first.duplicates) == (5, 0)
    assert (again.imported, again.duplicates, again.rows_read) == (0, 5, 2)
    assert len(ledger.items) == 5


def test_same_id_twice_in_one_import(
    ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "response_id,email,metric,score,submitted_at\n"
        "d1,mehmet@example.com.tr,nps,9,2026-11-20\n"
        "d1,mehmet@example.com.tr,nps,9,2026-11-20\n"
        "d1,mehmet@example.com.tr,nps,3,2026-11-20\n"
    )
    report = _import([path], ledger, lookup)
    assert (report.imported, report.duplicates) == (1, 1)
    assert report.rejected == {RejectKind.CONFLICTING_DUPLICATE: 1}
    assert ledger.quarantined[0].row_number == 4
    assert ledger.items["d1"].score == 9


def test_batches(ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    rows = [f"b{i},mehmet@example.com.tr,csat,4,2026-11-20" for i in range(BATCH_SIZE + 5)]
    path.write_text("response_id,email,metric,score,submitted_at\n" + "\n".join(rows) + "\n")
    report = _import([path], ledger, lookup)
    assert report.imported == BATCH_SIZE + 5
    assert ledger.add_calls == [BATCH_SIZE, 5]


def test_unreadable_file_is_reported_and_others_proceed(
    ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path
) -> None:
    report = _import(
        [tmp_path / "missing.csv", DATA / "qualtrics.csv"], ledger, lookup, "qualtrics"
    )
    assert report.rejected == {RejectKind.UNREADABLE_FILE: 1}
    assert report.imported == 4
    assert report.files == [str(tmp_path / "missing.csv"), str(DATA / "qualtrics.csv")]


def test_unknown_respondent_released_after_contact_appears(ledger: MemoryLedger) -> None:
    lookup = DictLookup()  # nobody synced yet
    report = _import([DATA / "wide_bom.csv"], ledger, lookup)
    assert report.rejected == {RejectKind.UNKNOWN_RESPONDENT: 2}
    stored = [
        StoredRow(f"q{i}", r.source, r.row_number, r.raw) for i, r in enumerate(ledger.quarantined)
    ]
    cmap, scales = load_column_map(), load_scales()
    assert retry_quarantined(stored, lookup, column_map=cmap, scales=scales) == []

    lookup.by_key["C-100"] = Respondent("C-100", "A-2")  # a later sync brings one contact
    released = retry_quarantined(stored, lookup, column_map=cmap, scales=scales)
    assert sorted((rid, fb.response_id) for rid, fb in released) == [
        ("q0", "w-1:ces"),
        ("q0", "w-1:csat"),
        ("q0", "w-1:happiness"),
        ("q0", "w-1:nps"),
    ]
    assert all(fb.account_id == "A-2" for _, fb in released)


@pytest.mark.parametrize("layout", ["default", "form_export", "qualtrics"])
def test_every_shipped_layout_loads(layout: str) -> None:
    assert load_column_map(layout).name == layout


def test_raw_column_named_like_a_fixed_one_is_kept(
    ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text("response_id,email,source,submitted_at\nr1,x@y.com,newsletter,2026-11-20\n")
    rejects = tmp_path / "r.csv"
    _import([path], ledger, lookup, rejects=rejects)
    (row,) = csv.DictReader(rejects.read_text(encoding="utf-8-sig").splitlines())
    assert (row["source"], row["raw_source"], row["kind"]) == (
        str(path),
        "newsletter",
        "empty_note",
    )


def test_jsonl_typed_values(ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path) -> None:
    path = tmp_path / "typed.jsonl"
    path.write_text(
        '{"response_id": 17, "contact_id": "C-100", "metric": "csat", "score": 4.0,'
        ' "submitted_at": 1795442700, "action_required": true, "comment": null}\n'
    )
    report = _import([path], ledger, lookup)
    assert report.imported == 1
    item = ledger.items["17"]
    assert (item.score, item.action_required, item.comment) == (4, True, None)


def test_layout_timezone_beats_default(
    ledger: MemoryLedger, lookup: DictLookup, tmp_path: Path
) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "response_id,contact_id,metric,score,submitted_at\nz1,C-100,nps,9,2026-11-23 12:00\n"
    )
    cmap = load_column_map().model_copy(update={"timezone": "Europe/Istanbul"})
    import_feedback(
        [path],
        ledger=ledger,
        lookup=lookup,
        column_map=cmap,
        scales=load_scales(),
        default_timezone="America/New_York",
    )
    assert ledger.items["z1"].submitted_at.isoformat() == "2026-11-23T09:00:00+00:00"
