"""The store's raw bulk paths: same results as the one-call-at-a-time paths, and rows that
SQLAlchemy Core reads and writes interchangeably with them (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from cxsync.store import ContactRow, QuarantineItem, Store
from cxsync.store import tables as t

T0 = datetime(2026, 11, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _row(cid: str, **kw: object) -> ContactRow:
    values: dict[str, object] = {
        "contact_id": cid,
        "account_id": "A1",
        "email_normalized": f"{cid.lower()}@örnek.com.tr",
        "verdict": "person",
        "flags": ("stale", "duplicate"),
        "duplicate_of": None,
        "roles": ("approver", "decision_maker"),
        "function": "procurement",
        "persona": "buyer",
        "display_name": "Ayşe Çelik",
        "modified_at": T0,
    }
    values.update(kw)
    return ContactRow(**values)  # type: ignore[arg-type]


def _state(store: Store, scope: str, ids: list[str]) -> tuple[object, ...]:
    return (
        store.get_crm_values(scope, "contact", ids),
        store.get_desired(scope, "contact", ids),
        store.dirty(scope, "contact"),
    )


def test_save_pulled_equals_the_three_calls_it_folds(store: Store, scope: str) -> None:
    one, other = scope + ":calls", scope + ":folded"
    for s in (one, other):  # earlier state: C1 known and dirty, C2 known and clean
        store.replace_crm_values(s, "contact", {"C1": {"cx_a": 1}, "C2": {"cx_a": 2}})
        store.set_desired(s, "contact", {"C2": {"cx_b": "x"}})
        store.mark_dirty(s, "contact", ["C1"])
    crm = {"C2": {"cx_a": 3}, "C3": {}, "C4": {"cx_roles": "approver;end_user"}}
    desired = {"C3": {"cx_roles": ["approver"], "cx_duplicate_of": None}, "C5": {"cx_b": "y"}}
    dirty = ["C3", "C5", "C6"]
    store.replace_crm_values(one, "contact", crm)
    store.set_desired(one, "contact", desired)
    store.mark_dirty(one, "contact", dirty)
    store.save_pulled(other, "contact", crm_values=crm, desired=desired, dirty=dirty)
    ids = [f"C{i}" for i in range(1, 8)]
    assert _state(store, one, ids) == _state(store, other, ids)
    crm_values, wanted, marked = _state(store, other, ids)
    assert marked == ["C1", "C3", "C5", "C6"]
    assert crm_values == {"C1": {"cx_a": 1}, "C2": {"cx_a": 3}, "C4": crm["C4"]}
    assert store.get_crm_and_desired(other, "contact", ids) == (crm_values, wanted)


def test_record_applied_merges_what_was_written_and_keeps_dirty_marks(
    store: Store, scope: str
) -> None:
    store.save_pulled(scope, "contact", crm_values={"C1": {"cx_a": "old", "cx_b": 1}}, dirty=["C1"])
    store.record_written(scope, "contact", {"C1": {"cx_z": True}}, run_id=1)
    store.record_applied(scope, "contact", {"C1": {"cx_a": "new"}, "C2": {"cx_c": [1, 2]}}, 2)
    assert store.get_written(scope, "contact", ["C1", "C2"]) == {
        "C1": {"cx_z": True, "cx_a": "new"},
        "C2": {"cx_c": [1, 2]},
    }
    assert store.get_crm_values(scope, "contact", ["C1", "C2"]) == {
        "C1": {"cx_a": "new", "cx_b": 1},
        "C2": {"cx_c": [1, 2]},
    }
    assert store.dirty(scope, "contact") == ["C1"]  # C2 is new: it starts clean
    with store.engine.connect() as conn:
        q = select(t.written.c.record_id, t.written.c.run_id).where(t.written.c.scope == scope)
        run_ids = {rid: run for rid, run in conn.execute(q)}
    assert run_ids == {"C1": 2, "C2": 2}


def test_record_applied_from_the_planned_values_equals_reading_them(
    store: Store, scope: str
) -> None:
    read, given = scope + ":read", scope + ":given"
    crm = {"C1": {"cx_a": "old", "cx_b": 1}, "C3": {"cx_b": 2}}
    for s in (read, given):
        store.save_pulled(s, "contact", crm_values=crm, dirty=["C1", "C2", "C3"])
        store.record_written(s, "contact", {"C1": {"cx_z": True}}, run_id=1)
    applied = {"C1": {"cx_a": "new"}, "C2": {"cx_c": [1, 2]}, "C3": {"cx_a": "x"}}
    store.record_applied(read, "contact", applied, 2)
    # C3 is left out of what is given: it is read, as before
    store.record_applied(
        given,
        "contact",
        applied,
        2,
        written_before={"C1": {"cx_z": True}, "C2": {}},
        crm_before={"C1": crm["C1"], "C2": {}},
        settled=["C1", "C2"],
    )
    ids = ["C1", "C2", "C3"]
    for s in (read, given):
        assert store.get_written(s, "contact", ids) == {
            "C1": {"cx_z": True, "cx_a": "new"},
            "C2": {"cx_c": [1, 2]},
            "C3": {"cx_a": "x"},
        }
        assert store.get_crm_values(s, "contact", ids) == {
            "C1": {"cx_a": "new", "cx_b": 1},
            "C2": {"cx_c": [1, 2]},
            "C3": {"cx_b": 2, "cx_a": "x"},
        }
    assert store.dirty(read, "contact") == ids
    assert store.dirty(given, "contact") == ["C3"]  # only the settled marks are cleared


def test_contacts_written_in_bulk_read_back_by_sqlalchemy_and_the_reverse(
    store: Store, scope: str
) -> None:
    local = datetime(2026, 11, 1, 12, 0, tzinfo=UTC) + timedelta(microseconds=7)
    store.upsert_contacts(scope, [_row("C1"), _row("C2", deleted=True, modified_at=local)])
    c = t.contacts.c
    with store.engine.connect() as conn:
        core = conn.execute(
            select(c.flags, c.roles, c.modified_at, c.deleted)
            .where(c.scope == scope)
            .order_by(c.contact_id)
        ).all()
    assert [tuple(r) for r in core] == [
        (["stale", "duplicate"], ["approver", "decision_maker"], core[0][2], False),
        (["stale", "duplicate"], ["approver", "decision_maker"], core[1][2], True),
    ]
    assert {r[2].replace(tzinfo=UTC) for r in core} == {T0, local}
    with store.engine.begin() as conn:
        conn.execute(
            insert(t.contacts).values(
                scope=scope,
                contact_id="C3",
                account_id="A2",
                email_normalized="c3@x.com",
                verdict="generic",
                flags=["free_mail"],
                duplicate_of="C1",
                roles=[],
                function=None,
                persona=None,
                display_name="info",
                modified_at=T0,
                deleted=False,
            )
        )
    got = store.get_contacts(scope, ["C1", "C2", "C3"])
    assert got["C1"] == _row("C1")
    assert got["C2"] == _row("C2", deleted=True, modified_at=local)
    assert got["C3"].flags == ("free_mail",) and got["C3"].duplicate_of == "C1"
    assert got["C3"].modified_at == T0 and got["C3"].roles == ()
    assert [r.contact_id for r in store.contacts_for_accounts(scope, ["A1", "A9"])["A1"]] == [
        "C1",
        "C2",
    ]
    assert store.contacts_for_accounts(scope, ["A9"]) == {"A9": []}


def test_a_key_repeated_in_one_quarantine_call_is_one_row_with_the_last_values(
    store: Store, scope: str
) -> None:
    first = QuarantineItem("f.csv", 3, "bad_phase", "first", {"r": 1}, key="R1")
    store.quarantine(scope, [QuarantineItem("f.csv", 9, "bad_score", "earlier", {}, key="R0")])
    new = store.quarantine(
        scope,
        [
            first,
            QuarantineItem("f.csv", 4, "bad_score", "no key", {"r": 2}),
            QuarantineItem("f.csv", 5, "bad_phase", "second", {"r": 3}, key="R1"),
            QuarantineItem("f.csv", 10, "bad_score", "again", {"r": 0}, key="R0"),
            QuarantineItem("g.csv", 3, "bad_phase", "other file", {}, key="R1"),
        ],
    )
    assert new == 3  # R1 in f.csv, the unkeyed row, R1 in g.csv
    rows = store.list_quarantine(scope)
    assert [(r.source, r.key, r.row_number, r.reason) for r in rows] == [
        ("f.csv", "R0", 10, "again"),
        ("f.csv", "R1", 5, "second"),
        ("f.csv", None, 4, "no key"),
        ("g.csv", "R1", 3, "other file"),
    ]
    assert rows[1].raw == {"r": 3}
