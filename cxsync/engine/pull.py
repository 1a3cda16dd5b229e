"""Stage 1: pull accounts and contacts changed since the last cursor into the store.

Contacts are handled a page at a time (memory follows the page, not the CRM): each email
is classified, each title tagged (a person's manual tag wins), duplicates and stale
contacts flagged, and the contact's snapshot, its desired hygiene/role values and the
values the CRM holds now are saved. The cursor is checkpointed after each page, so a run
killed mid-stream resumes after the last finished page.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cxsync.engine.context import RunContext
from cxsync.engine.summary import RunSummary
from cxsync.models import Account, Contact, ObjectType, Verdict

__all__ = ["pull_accounts", "pull_contacts"]

log = logging.getLogger(__name__)

#: kept with the CRM's values of each contact: a digest of the fields a person edits
PERSON_KEY = "_person"
ACCOUNT_STREAM = "accounts"
CONTACT_STREAM = "contacts"


def pull_accounts(ctx: RunContext, summary: RunSummary) -> None:
    from cxsync.store import AccountRow

    stage = summary.stage("accounts")
    since = ctx.store.get_cursor(ctx.scope, ACCOUNT_STREAM)
    for page in ctx.adapter.stream_accounts(since):
        accounts: Sequence[Account] = page.records
        rows = [
            AccountRow(
                account_id=a.id,
                name=a.name,
                owner_id=a.owner_id,
                segment=a.segment,
                annual_revenue=a.annual_revenue,
                country=a.country,
                modified_at=a.modified_at,
            )
            for a in accounts
        ]
        ctx.store.upsert_accounts(ctx.scope, rows)
        ctx.store.save_pulled(
            ctx.scope,
            ObjectType.ACCOUNT.value,
            crm_values={a.id: dict(a.fields) for a in accounts},
            dirty=[a.id for a in accounts],
        )
        if not summary.dry_run:  # a dry run must not move the next real run's starting point
            ctx.store.set_cursor(ctx.scope, ACCOUNT_STREAM, page.cursor)
        stage.add("read", len(accounts))


def pull_contacts(ctx: RunContext, summary: RunSummary) -> None:
    stage = summary.stage("contacts")
    since = ctx.store.get_cursor(ctx.scope, CONTACT_STREAM)
    # accounts already marked dirty in this run: a page of a large CRM touches thousands
    # of accounts, mostly the same ones page after page, and the marks stay in the store
    marked: set[str] = set()
    for page in ctx.adapter.stream_contacts(since):
        contacts: Sequence[Contact] = page.records
        _process_page(ctx, list(contacts), summary, marked)
        ctx.store.note_handled(len(contacts))
        if not summary.dry_run:
            ctx.store.set_cursor(ctx.scope, CONTACT_STREAM, page.cursor)
        stage.add("read", len(contacts))


def _process_page(
    ctx: RunContext, contacts: list[Contact], summary: RunSummary, marked: set[str]
) -> None:
    from cxsync.hygiene import is_stale

    stage = summary.stage("contacts")
    ids = [c.id for c in contacts]
    last = ctx.store.get_written(ctx.scope, ObjectType.CONTACT.value, ids)
    known_rows = ctx.store.get_contacts(ctx.scope, ids)
    known_crm = ctx.store.get_crm_values(ctx.scope, ObjectType.CONTACT.value, ids)
    persons = {c.id: _person_key(c) for c in contacts}
    touched = {
        c.id: _touched_at(
            ctx, c, persons[c.id], known_rows.get(c.id), known_crm.get(c.id, {}), last.get(c.id, {})
        )
        for c in contacts
    }
    verdicts = {c.id: ctx.classifier.classify(c.email or "") for c in contacts}
    desired: dict[str, dict[str, Any]] = {}
    rows = {}
    for contact in contacts:
        verdict = verdicts[contact.id]
        tag = _role_tag(ctx, contact, last.get(contact.id, {}))
        flags = [
            f
            for f, on in (("free_mail", verdict.free_mail), ("disposable", verdict.disposable))
            if on
        ]
        when = touched[contact.id]
        stale = is_stale(when, ctx.now, ctx.config.hygiene.stale_after_days)
        if stale:
            flags.append("stale")
        rows[contact.id] = _row(
            contact, verdict.normalized, verdict.verdict.value, flags, tag, when
        )
        desired[contact.id] = {
            "cx_email_status": verdict.verdict.value,
            "cx_contact_flags": flags,
            "cx_duplicate_of": None,
            "cx_hygiene_reason": _reason(verdict.reason, stale, when),
            "cx_roles": [r.value for r in tag.roles],
            "cx_function": tag.function.value if tag.function else None,
            "cx_role_source": tag.source.value,
            "cx_persona": tag.persona,
        }
        stage.add(f"email_{verdict.verdict.value}")
        stage.add(f"roles_{tag.source.value}")
        if stale:
            stage.add("stale")
        if contact.deleted:
            stage.add("deleted_in_crm")
    reflagged = _flag_duplicates(ctx, rows, desired, stage)
    ctx.store.upsert_contacts(ctx.scope, [*rows.values(), *reflagged])
    ctx.store.save_pulled(
        ctx.scope,
        ObjectType.CONTACT.value,
        crm_values={c.id: {**c.fields, PERSON_KEY: persons[c.id]} for c in contacts},
        desired=desired,
        dirty=[c.id for c in contacts if not c.deleted] + [r.contact_id for r in reflagged],
    )
    account_ids = {c.account_id for c in contacts if c.account_id}
    # the account a contact left (moved, or deleted without its link) is re-scored too
    account_ids |= {
        known.account_id
        for c in contacts
        if (known := known_rows.get(c.id)) is not None
        and known.account_id
        and known.account_id != c.account_id
    }
    account_ids -= marked
    if account_ids:
        ctx.store.mark_dirty(ctx.scope, ObjectType.ACCOUNT.value, sorted(account_ids))
        marked.update(account_ids)


def _role_tag(ctx: RunContext, contact: Contact, last: dict[str, Any]) -> Any:
    from cxsync.roles import merge_with_crm

    inferred = ctx.tagger.tag(contact.title or "")
    crm_roles = contact.fields.get("cx_roles")
    if isinstance(crm_roles, str):
        crm_roles = [r.strip() for r in crm_roles.split(";") if r.strip()]
    return merge_with_crm(
        inferred,
        crm_roles or None,
        contact.fields.get("cx_function") or None,
        last.get("cx_roles"),
        last.get("cx_function"),
    )


def _person_key(contact: Contact) -> str:
    """A digest of what a person edits that cxsync reads (not cxsync's own fields)."""
    seen = (
        contact.account_id,
        contact.email,
        contact.first_name,
        contact.last_name,
        contact.title,
        contact.owner_id,
        contact.deleted,
    )
    return hashlib.sha1(repr(seen).encode()).hexdigest()[:16]


def _touched_at(
    ctx: RunContext,
    contact: Contact,
    person: str,
    known: Any,
    known_crm: dict[str, Any],
    written: dict[str, Any],
) -> datetime:
    """When a person last changed the contact, as far as cxsync can tell.

    CRMs move a record's modification stamp on every write, cxsync's own included. Taken at
    face value, cxsync writing the ``stale`` flag would make the contact fresh again, and
    the survivor of a duplicated address would be whichever contact cxsync wrote last. So
    when nothing a person edits has changed since the last pull (the fields cxsync reads,
    and cxsync's fields hold what the CRM held or what cxsync wrote), the stamp is cxsync's
    echo and the earlier date stands. Edits to fields cxsync does not read are not seen.
    """
    if known is None or known_crm.get(PERSON_KEY) != person:
        return contact.modified_at
    from cxsync.engine.values import same_value

    for name, value in contact.fields.items():
        spec = ctx.field_map.spec(ObjectType.CONTACT, name)
        if not (
            same_value(value, known_crm.get(name), spec)
            or (name in written and same_value(value, written[name], spec))
        ):
            return contact.modified_at
    earlier: datetime = known.modified_at
    if earlier.tzinfo is None:
        earlier = earlier.replace(tzinfo=UTC)
    return min(earlier, contact.modified_at)


def _row(
    contact: Contact,
    email: str | None,
    verdict: str,
    flags: list[str],
    tag: Any,
    touched_at: datetime,
) -> Any:
    from cxsync.store import ContactRow

    return ContactRow(
        contact_id=contact.id,
        account_id=contact.account_id,
        email_normalized=email,
        verdict=verdict,
        flags=tuple(flags),
        duplicate_of=None,
        roles=tuple(r.value for r in tag.roles),
        function=tag.function.value if tag.function else None,
        persona=tag.persona,
        display_name=contact.display_name,
        modified_at=touched_at,
        deleted=contact.deleted,
    )


def _reason(email_reason: str, stale: bool, modified_at: datetime) -> str:
    parts = [email_reason]
    if stale:
        parts.append(f"not updated since {modified_at.date().isoformat()}")
    return "; ".join(parts)[:255]


def _flag_duplicates(
    ctx: RunContext, rows: dict[str, Any], desired: dict[str, dict[str, Any]], stage: Any
) -> list[Any]:
    """Flag contacts sharing an address with any contact seen so far (this run or earlier).

    A contact flagged earlier can stop or start being a duplicate because of this page;
    such contacts are re-flagged (returned, their desired values added to ``desired``) so
    the caller saves and queues them for a write with the page.
    """
    from dataclasses import replace

    from cxsync.hygiene import find_duplicates

    emails = sorted(
        {
            r.email_normalized
            for r in rows.values()
            if r.email_normalized and r.verdict != Verdict.INVALID.value
        }
    )
    if not emails:
        return []
    known = ctx.store.contacts_by_email(ctx.scope, emails)
    others = {
        row.contact_id: row
        for group in known.values()
        for row in group
        if row.contact_id not in rows and not row.deleted
    }
    everyone = list(others.values()) + [r for r in rows.values() if not r.deleted]
    flags = find_duplicates(
        (r.contact_id, r.account_id, r.email_normalized, r.modified_at) for r in everyone
    )
    changed_others = []
    other_desired = ctx.store.get_desired(ctx.scope, ObjectType.CONTACT.value, list(others))
    for contact_id, row in {**others, **rows}.items():
        flag = flags.get(contact_id)
        survivor = flag.survivor_id if flag else None
        if row.duplicate_of == survivor and contact_id in others:
            continue
        new_flags = tuple(f for f in row.flags if f != "duplicate") + (
            ("duplicate",) if flag else ()
        )
        updated = replace(row, duplicate_of=survivor, flags=new_flags)
        values = desired.get(contact_id) or dict(other_desired.get(contact_id, {}))
        values["cx_contact_flags"] = list(new_flags)
        values["cx_duplicate_of"] = survivor
        if flag:
            where = "in the same account" if flag.scope == "account" else "in another account"
            values["cx_hygiene_reason"] = f"duplicate of {survivor} (same address {where})"
            stage.add("duplicate")
        if contact_id in others:
            changed_others.append(updated)
            desired[contact_id] = values
        else:
            rows[contact_id] = updated
            desired[contact_id] = values
    if changed_others:
        stage.add("reflagged", len(changed_others))
    return changed_others
