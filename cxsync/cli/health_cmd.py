"""`cxsync health` and `cxsync report --html PATH`: read scores from the state store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cxsync.cli.common import OutputFormat, fail, guarded, out_console, print_json, state
from cxsync.cli.exit_codes import ExitCode

__all__ = ["health_rows", "register", "write_report"]


def health_rows(store: Any, scope: str, account_id: str | None = None) -> list[dict[str, Any]]:
    """The latest score of each account (or one), as the JSON the CLI prints."""
    ids: list[str] = []
    if account_id:
        ids = [account_id]
    else:
        for batch in store.iter_accounts(scope):
            ids.extend(a.account_id for a in batch)
    latest = store.latest_health(scope, ids)
    rows = []
    for aid in ids:
        record = latest.get(aid)
        if record is None:
            continue
        payload = dict(record.payload)
        rows.append(
            {
                "account_id": aid,
                "name": payload.get("name"),
                "score": record.score,
                "band": record.band,
                "trend": record.trend,
                "confidence": record.confidence,
                "account_nps": record.account_nps,
                "coverage": payload.get("coverage"),
                "coverage_gaps": payload.get("coverage_gaps", []),
                "drivers": payload.get("drivers", []),
                "computed_at": record.computed_at.isoformat(),
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, r["score"] if r["score"] is not None else 0))
    return rows


def health(
    account: Annotated[str | None, typer.Option("--account", help="One account id.")] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Account health scores from the last sync, lowest first, with their drivers."""
    from cxsync.config import load_config
    from cxsync.store import Store

    with guarded():
        config = load_config(state.config_path)
        with Store.open(config.store_url, work_dir=config.work_dir) as store:
            rows = health_rows(store, config.store_scope, account)
    if account and not rows:
        fail(f"no health score for account {account!r} (run `cxsync sync` first)", ExitCode.CONFIG)
    if output is not OutputFormat.TABLE:
        print_json(rows)
        return
    table = Table(
        "account",
        "score",
        "band",
        "trend",
        "conf.",
        "NPS",
        "gaps / drivers",
        title="account health",
        title_justify="left",
    )
    for r in rows:
        drivers = "; ".join(d.get("note") or d.get("measure", "") for d in r["drivers"][:3])
        gaps = "; ".join(r["coverage_gaps"][:2])
        table.add_row(
            f"{r['name']} ({r['account_id']})",
            str(r["score"]),
            str(r["band"]),
            str(r["trend"]),
            str(r["confidence"]),
            str(r["account_nps"]),
            "; ".join(p for p in (gaps, drivers) if p),
        )
    out_console.print(table)


def write_report(
    store: Any, scope: str, path: Path, *, title: str = "cxsync account health"
) -> int:
    """Render the HTML report from the store; returns the number of accounts in it."""
    from cxsync.health import AccountHealth, ReportAccount, render_report
    from cxsync.models import FollowUpTask, utcnow

    ids: list[str] = []
    for batch in store.iter_accounts(scope):
        ids.extend(a.account_id for a in batch)
    latest = store.latest_health(scope, ids)
    revenue = {a: r.annual_revenue for a, r in store.get_accounts(scope, ids).items()}
    rows = []
    for aid in ids:
        record = latest.get(aid)
        if record is None:
            continue
        history = [(h.computed_at, h.score) for h in store.health_history(scope, aid)]
        rows.append(
            ReportAccount(
                health=AccountHealth.model_validate(record.payload),
                history=history,
                annual_revenue=revenue.get(aid),
            )
        )
    tasks = [
        FollowUpTask.model_validate(payload)
        for payload in store.actions_in_state(scope, "task", "done").values()
    ]
    html = render_report(rows, generated_at=utcnow(), open_followups=tasks, title=title)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return len(rows)


def report(
    html: Annotated[
        Path, typer.Option("--html", help="Where to write the report.", dir_okay=False)
    ],
) -> None:
    """A self-contained HTML report: portfolio by band, trends, drivers, gaps, follow-ups."""
    from cxsync.config import load_config
    from cxsync.store import Store

    with guarded():
        config = load_config(state.config_path)
        with Store.open(config.store_url, work_dir=config.work_dir) as store:
            count = write_report(store, config.store_scope, html)
    out_console.print(f"wrote {html} ({count} accounts)", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("health")(health)
    app.command("report")(report)
