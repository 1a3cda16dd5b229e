"""Reads: incremental past the 10,000-result search cap, associations, pacing, chunking."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from cxsync_hubspot.testing import HubSpotEmulator, emulator_adapter
from cxsync_hubspot.testing import seed as seed_portal

from cxsync.models import Page


def drain(pages: object) -> tuple[list[object], str | None]:
    records: list[object] = []
    cursor = None
    for page in pages:  # type: ignore[attr-defined]
        assert isinstance(page, Page)
        records.extend(page.records)
        cursor = page.cursor
    return records, cursor


def test_twelve_thousand_changes_sharing_one_timestamp_are_read_past_the_cap(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [
        emulator.insert("contacts", {"email": f"p{i}@musteri.com.tr"}, old) for i in range(12_000)
    ]
    emulator.search_per_second = 50  # the 5/s pacing has its own test; keep this one quick
    adapter = emulator_adapter(url, tmp_path, search_per_second=50)
    _, cursor = drain(adapter.stream_contacts())
    # a bulk import touches every contact within one millisecond, after the full load
    emulator.touch_many("contacts", ids, datetime.now(UTC))
    time.sleep(0.01)  # the window ends at "now": let the touch fall inside it
    before = emulator.calls["search"]
    adapter = emulator_adapter(url, tmp_path, search_per_second=50)
    changed, _ = drain(adapter.stream_contacts(cursor))
    seen = [c.id for c in changed]  # type: ignore[attr-defined]
    assert len(seen) == len(set(seen)) == 12_000
    assert set(seen) == set(ids)
    searches = emulator.calls["search"] - before
    assert searches == 12_000 // 200, "one search per 200 records: the minimum"
    assert emulator.throttled["SECONDLY"] == 0


def test_a_cursor_inside_a_window_resumes_without_repeats(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [emulator.insert("contacts", {"email": f"p{i}@a.com"}, old) for i in range(450)]
    adapter = emulator_adapter(url, tmp_path)
    _, cursor = drain(adapter.stream_contacts())
    emulator.touch_many("contacts", ids, datetime.now(UTC))
    time.sleep(0.01)  # the window ends at "now": let the touch fall inside it
    reader = adapter._reader("contacts", ["email"], None)
    pages = reader.pages(cursor)
    first, middle_cursor = next(pages)
    assert len(first) == 200 and json.loads(middle_cursor)["id"] == first[-1].id
    rest = [r.id for records, _ in reader.pages(middle_cursor) for r in records]
    assert sorted([r.id for r in first] + rest, key=int) == ids


def test_each_contact_gets_its_primary_company_or_none(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    companies, contacts = seed_portal(
        emulator,
        [{"id": "A", "name": "Yapı A.Ş."}, {"id": "B", "name": "İnşaat Ltd."}],
        [
            {"id": "c1", "account_id": "A", "email": "a@yapi.com.tr"},
            {"id": "c2", "email": "x@y.com"},
        ],
    )
    # a second, non-primary company with a lower id must not win
    emulator.associate("contacts", contacts[0], "companies", companies["B"])
    adapter = emulator_adapter(url, tmp_path)
    found, _ = drain(adapter.stream_contacts())
    by_id = {c.id: c for c in found}  # type: ignore[attr-defined]
    assert by_id[contacts[0]].account_id == companies["A"]
    assert by_id[contacts[1]].account_id is None
    assert adapter.usage().by_endpoint["associations.contacts.companies"] == 1


def test_search_is_paced_to_five_a_second_without_a_429(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    adapter = emulator_adapter(url, tmp_path)  # default: 5 searches a second
    keys = [f"k{i}" for i in range(1_100)]  # 11 searches of 100 keys
    assert adapter.existing_task_keys(keys) == set()
    assert emulator.calls["search"] == 11
    assert emulator.throttled["SECONDLY"] == 0
    assert adapter.client.search.waited_seconds > 1.0, "the limiter had to hold requests back"


def test_long_property_lists_are_split_so_no_url_is_too_long(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    _, contacts = seed_portal(emulator, [], [{"id": "c", "email": "ayse@firma.com.tr"}])
    emulator.update("contacts", contacts[0], {"cx_nps_score": "9", "cx_last_comment": "iyi"})
    adapter = emulator_adapter(url, tmp_path)
    adapter.url_budget = 200  # a tiny budget forces the split a huge field map would need
    found, _ = drain(adapter.stream_contacts())
    (contact,) = found
    assert contact.email == "ayse@firma.com.tr"  # type: ignore[attr-defined]
    assert contact.fields["cx_nps_score"] == 9.0  # type: ignore[attr-defined]
    assert contact.fields["cx_last_comment"] == "iyi"  # type: ignore[attr-defined]
    assert adapter.usage().by_endpoint.get("batch_read.contacts", 0) >= 1


def test_values_come_back_under_their_canonical_types(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    _, contacts = seed_portal(emulator, [], [{"id": "c", "email": "e@f.com"}])
    emulator.update(
        "contacts",
        contacts[0],
        {
            "cx_nps_date": "2026-03-04",
            "cx_roles": "approver;influencer",
            "cx_last_feedback_at": "1772617200000",
            "cx_response_count": "3",
        },
    )
    found, _ = drain(emulator_adapter(url, tmp_path).stream_contacts())
    fields = found[0].fields  # type: ignore[attr-defined]
    assert fields["cx_nps_date"] == "2026-03-04"
    assert fields["cx_roles"] == ["approver", "influencer"]
    assert fields["cx_last_feedback_at"] == datetime.fromtimestamp(1772617200, UTC).isoformat()
    assert fields["cx_response_count"] == 3.0


def test_a_contact_archived_after_the_last_read_comes_back_deleted_once(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [emulator.insert("contacts", {"email": f"p{i}@a.com"}, old) for i in range(3)]
    earlier = emulator.insert("contacts", {"email": "gone.before@a.com"}, old)
    emulator.archive("contacts", earlier)  # before the first read: never seen, never reported
    adapter = emulator_adapter(url, tmp_path)
    first, cursor = drain(adapter.stream_contacts())
    assert sorted(c.id for c in first) == sorted(ids)  # type: ignore[attr-defined]
    emulator.archive("contacts", ids[1])
    time.sleep(0.05)  # the window ends at "now": let the archive fall inside it
    changed, cursor = drain(emulator_adapter(url, tmp_path).stream_contacts(cursor))
    assert [(c.id, c.deleted) for c in changed] == [(ids[1], True)]  # type: ignore[attr-defined]
    assert changed[0].account_id is None  # type: ignore[attr-defined]
    time.sleep(0.01)
    again, _ = drain(emulator_adapter(url, tmp_path).stream_contacts(cursor))
    assert again == [], "a deletion is reported in the window it happened, once"


def test_a_cursor_inside_the_archived_pages_resumes_there(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    ids = [emulator.insert("contacts", {"email": f"p{i}@a.com"}, old) for i in range(250)]
    adapter = emulator_adapter(url, tmp_path)
    _, cursor = drain(adapter.stream_contacts())
    for rid in ids:
        emulator.archive("contacts", rid)
    # the emulator's stamps are a millisecond apart at least, so they can run ahead of the
    # clock by that many milliseconds: let the window's end pass them
    time.sleep(0.3)
    reader = adapter._reader("contacts", ["email"], None, with_archived=True)
    pages = list(reader.pages(cursor))
    # the (empty) search window, then the archived records a list page (100) at a time
    assert [len(records) for records, _ in pages] == [0, 100, 100, 50]
    resume_at = pages[2][1]
    assert json.loads(resume_at)["phase"] == "archived"
    rest = [r.id for records, _ in reader.pages(resume_at) for r in records]
    assert rest == [r.id for r in pages[3][0]]
    assert all(r.archived for records, _ in pages for r in records)
