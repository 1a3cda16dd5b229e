"""What cxsync's own writes do to the next pull, with and without a fault in between.

Salesforce moves a record's SystemModstamp on every write, cxsync's included, and the
adapter reports it as the contact's ``modified_at``. Hygiene reads that stamp as "when a
person last touched the contact": a stale contact stops being stale once cxsync has written
its flags, and the survivor of a duplicated address is whichever contact cxsync wrote last.
The pull now tells cxsync's echo from a person's edit; these tests hold it there. The portal
of the other fault tests leaves stale contacts out so that they do not blur every comparison.
"""

from __future__ import annotations

from pathlib import Path

from cxsync_salesforce.testing import mock_emulator

from tests.faults.conftest import Portal, Reference, assert_same_state, new_portal


def _stale(portal: Portal) -> set[str]:
    contacts = portal.state()["contacts"]
    return {rid for rid, v in contacts.items() if "stale" in v.get("cx_contact_flags", "")}


def test_a_stale_contact_stays_stale_after_cxsync_flags_it(tmp_path: Path) -> None:
    portal = new_portal(tmp_path, stale=True)
    with mock_emulator(portal.emulator):
        portal.sync()
        flagged = _stale(portal)
        assert len(flagged) == 8
        portal.settle()
        assert _stale(portal) == flagged


def test_a_duplicate_pair_ends_as_in_a_clean_run_after_one_write_was_held_back(
    portal: Portal, clean: Reference
) -> None:
    contacts = sorted(clean.state["contacts"])
    first_of_pair = contacts[150]  # account 15's first person; its eighth has the same address
    portal.emulator.invalid_rows.add(first_of_pair)
    portal.sync()
    portal.emulator.invalid_rows.clear()
    portal.settle()
    assert_same_state(portal.state(), clean.state)
