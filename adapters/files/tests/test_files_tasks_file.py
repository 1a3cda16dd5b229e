"""tasks.jsonl is read once per adapter and kept current, and still sees other writers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from cxsync.models import FollowUpTask


def _task(key: str) -> FollowUpTask:
    return FollowUpTask(
        key=key, account_id="A1", subject="Call the site chief", body="NPS 3", due=date(2026, 12, 1)
    )


def _lines(folder: Path) -> list[dict[str, str]]:
    text = (folder / "tasks.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_batches_of_tasks_are_created_once_each(contract_harness: Any, tmp_path: Path) -> None:
    adapter = contract_harness.adapter()
    first = adapter.create_tasks([_task("k1"), _task("k2")])
    again = adapter.create_tasks([_task("k2"), _task("k3")])
    assert [r.external_id for r in first] == ["T-1", "T-2"]
    assert [r.external_id for r in again] == ["T-2", "T-3"]  # k2 not created twice
    assert [line["key"] for line in _lines(tmp_path)] == ["k1", "k2", "k3"]
    assert adapter.existing_task_keys(["k1", "k3", "k9"]) == {"k1", "k3"}


def test_a_task_written_by_another_process_is_seen(contract_harness: Any, tmp_path: Path) -> None:
    adapter = contract_harness.adapter()
    adapter.create_tasks([_task("k1")])
    assert adapter.existing_task_keys(["k1", "elsewhere"]) == {"k1"}
    with (tmp_path / "tasks.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "T-77", **_task("elsewhere").model_dump(mode="json")}) + "\n")
    assert adapter.existing_task_keys(["k1", "elsewhere"]) == {"k1", "elsewhere"}
    [result] = adapter.create_tasks([_task("elsewhere")])
    assert result.external_id == "T-77"
    assert len(_lines(tmp_path)) == 2
