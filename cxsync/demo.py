"""`cxsync demo`: the whole pipeline on the bundled sample data, no CRM account needed.

With the files adapter (default) the sample CRM is a folder copied into the output folder
once, so running the demo again in the same folder shows a re-sync: nothing new to write.
With ``crm="salesforce"`` or ``"hubspot"`` the adapter's emulator is started on loopback,
seeded from the same sample, and the real client library talks to it; the emulator lives
only for the run, so those demos start from a fresh state each time.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxsync.adapter import AdapterContext
from cxsync.config import CxSyncConfig
from cxsync.engine.run import SyncResult, run_sync
from cxsync.errors import ConfigError
from cxsync.registry import get_factory
from cxsync.resources import sample_data_dir
from cxsync.schema import load_field_map

__all__ = ["DemoResult", "run_demo"]


@dataclass
class DemoResult:
    out_dir: Path
    crm_dir: Path
    report_path: Path
    sync: SyncResult
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    rejected_feedback: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    tasks_opened: list[dict[str, Any]] = field(default_factory=list)


def _copy_sample(crm_dir: Path) -> None:
    if crm_dir.exists():
        return
    shutil.copytree(
        sample_data_dir(), crm_dir, ignore=shutil.ignore_patterns("README.md", "__pycache__")
    )


def _sample_records(
    crm_dir: Path, work_dir: Path
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sample accounts and contacts as plain dicts, read through the files adapter."""
    factory = get_factory("files")
    adapter = factory.create(
        {"path": str(crm_dir)},
        AdapterContext(field_map=load_field_map("files"), work_dir=work_dir),
    )
    try:
        accounts = [
            a.model_dump(exclude={"fields"}) for p in adapter.stream_accounts() for a in p.records
        ]
        contacts = [
            c.model_dump(exclude={"fields", "deleted"})
            | ({"cx_roles": c.fields["cx_roles"]} if c.fields.get("cx_roles") else {})
            for p in adapter.stream_contacts()
            for c in p.records
            if not c.deleted
        ]
    finally:
        adapter.close()
    return accounts, contacts


def _feedback_by_email(source: Path, target: Path, contacts: list[dict[str, Any]]) -> Path:
    """Copies of the sample feedback naming respondents by email instead of sample id.

    A CRM emulator assigns record ids of its own, so the sample's contact ids mean nothing
    there; a real survey export identifies people by address anyway. Rows keep their order
    (and so their row numbers); an id no sample contact has (a deliberate bad row) stays.
    """
    import csv
    import json

    from cxsync.feedback import read_rows

    emails = {str(c["id"]): c.get("email") for c in contacts}
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(source.iterdir()):
        rows = [row.raw for row in read_rows(path)]
        for raw in rows:
            email = emails.get(str(raw.get("contact_id") or ""))
            if email and not raw.get("email"):
                raw["email"], raw["contact_id"] = email, ""
        if path.suffix == ".jsonl":
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            (target / path.name).write_text(text, encoding="utf-8")
            continue
        with (target / f"{path.stem}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["response_id"])
            writer.writeheader()
            writer.writerows(rows)
    return target


def _config_for(crm: str, out: Path, crm_dir: Path) -> tuple[CxSyncConfig, Callable[[], None]]:
    if crm == "files":
        config = CxSyncConfig(
            crm="files",
            work_dir=out / ".cxsync",
            adapter={"files": {"path": str(crm_dir)}},
        )
        return config, lambda: None
    factory = get_factory(crm)
    starter = getattr(factory, "start_demo_server", None)
    if not callable(starter):
        raise ConfigError(f"the {crm} adapter offers no demo emulator")
    work_dir = out / f".cxsync-{crm}"
    shutil.rmtree(work_dir, ignore_errors=True)  # the emulator starts empty: so does the state
    accounts, contacts = _sample_records(crm_dir, work_dir)
    _url, settings, stop = starter(accounts, contacts)
    feedback = _feedback_by_email(crm_dir / "feedback", out / f"feedback-{crm}", contacts)
    config = CxSyncConfig(
        crm=crm,
        work_dir=work_dir,
        adapter={crm: dict(settings)},
        feedback={"folder": feedback},
    )
    return config, stop


def run_demo(out: Path, *, crm: str = "files", fresh: bool = False) -> DemoResult:
    """Run the demo into ``out`` and gather what a person wants to see."""
    from cxsync.cli.health_cmd import write_report
    from cxsync.store import Store

    out = out.resolve()
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    crm_dir = out / "crm"
    _copy_sample(crm_dir)
    config, stop = _config_for(crm, out, crm_dir)
    try:
        result = run_sync(config)
    finally:
        stop()
    report_path = out / ("report.html" if crm == "files" else f"report-{crm}.html")
    demo = DemoResult(out, crm_dir, report_path, result)
    with Store.open(config.store_url, work_dir=Path(config.work_dir)) as store:
        write_report(store, config.store_scope, report_path, title="cxsync demo: account health")
        _gather(store, config.store_scope, demo)
    return demo


def _gather(store: Any, scope: str, demo: DemoResult) -> None:
    from cxsync.cli.health_cmd import health_rows

    for batch in store.iter_accounts(scope):
        for account in batch:
            for row in store.contacts_for_account(scope, account.account_id):
                why = []
                if row.verdict != "person":
                    why.append(f"{row.verdict} address")
                if row.duplicate_of:
                    why.append(f"duplicate of {row.duplicate_of}")
                if "stale" in row.flags:
                    why.append("stale")
                if why and not row.deleted:
                    demo.set_aside.append(
                        {
                            "contact_id": row.contact_id,
                            "name": row.display_name,
                            "email": row.email_normalized,
                            "account": account.name,
                            "why": ", ".join(why),
                        }
                    )
    demo.rejected_feedback = [
        {"source": Path(q.source).name, "row": q.row_number, "kind": q.kind, "reason": q.reason}
        for q in store.list_quarantine(scope)
    ]
    demo.accounts = health_rows(store, scope)
    run_id = demo.sync.summary.run_id
    demo.tasks_opened = [
        payload
        for payload in store.actions_in_state(scope, "task", "done").values()
        if payload.get("_run_id", run_id) == run_id
    ][: demo.sync.summary.writes.get("tasks", 0)]
