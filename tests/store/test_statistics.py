"""The store refreshes PostgreSQL's planner statistics as a run's records double, so lookups
by id keep using the key's index while the tables grow inside one run."""

from __future__ import annotations

from sqlalchemy import text

from cxsync.store import Store


def _fill(store: Store, scope: str, n: int) -> list[str]:
    ids = [f"C{i:06d}" for i in range(n)]
    store.save_pulled(scope, "contact", desired={i: {"cx_email_status": "person"} for i in ids})
    return ids


def _plan(store: Store, scope: str, ids: list[str]) -> str:
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    sql = (
        "EXPLAIN SELECT record_id, desired FROM cxsync_record_state "
        f"WHERE scope = :scope AND object_type = 'contact' AND record_id IN ({marks})"
    )
    params = {"scope": scope, **{f"i{n}": v for n, v in enumerate(ids)}}
    with store.engine.connect() as conn:
        return "\n".join(row[0] for row in conn.execute(text(sql), params))


def test_statistics_are_refreshed_each_time_the_handled_records_double(
    store: Store, scope: str
) -> None:
    ids = _fill(store, scope, 6_000)
    postgres = store.engine.dialect.name == "postgresql"
    store.note_handled(4_000)
    assert store.refreshed == 0  # under the first threshold (5,000)
    store.note_handled(2_000)
    assert store.refreshed == (1 if postgres else 0)
    store.note_handled(5_000)  # 11,000 handled: the next refresh waits for 12,000
    assert store.refreshed == (1 if postgres else 0)
    store.note_handled(1_000)
    assert store.refreshed == (2 if postgres else 0)
    if postgres:
        plan = _plan(store, scope, ids[100:110])
        assert "cxsync_record_state_pkey" in plan, plan
