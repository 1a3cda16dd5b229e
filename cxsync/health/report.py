"""A self-contained HTML report: portfolio by band, score trends, drivers, gaps, follow-ups.

No external resource of any kind (styles inline, charts as inline SVG), so the file opens
anywhere, offline. Every piece of text from a CRM is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from cxsync.health.nps import portfolio_nps
from cxsync.health.score import AccountHealth
from cxsync.models import FollowUpTask

__all__ = ["ReportAccount", "render_report"]

_BAND_COLOUR = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", None: "#9e9e9e"}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px}
.muted{color:#666} .bar{display:flex;height:22px;border-radius:4px;overflow:hidden;margin:8px 0}
.bar div{color:#fff;font-size:12px;text-align:center;line-height:22px}
.acct{border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:12px 0;display:grid;
grid-template-columns:300px 1fr;gap:16px}
.score{font-size:30px;font-weight:600} .pill{display:inline-block;padding:1px 8px;border-radius:10px;
color:#fff;font-size:12px} table{border-collapse:collapse} td,th{padding:3px 8px;text-align:left;
border-bottom:1px solid #eee;vertical-align:top} ul{margin:4px 0;padding-left:18px}
"""


@dataclass(frozen=True)
class ReportAccount:
    health: AccountHealth
    history: list[tuple[datetime, int | None]] = field(default_factory=list)
    annual_revenue: float | None = None


def _pill(band: str | None) -> str:
    return f'<span class="pill" style="background:{_BAND_COLOUR.get(band, "#9e9e9e")}">{escape(str(band or "no score"))}</span>'


def _chart(history: list[tuple[datetime, int | None]]) -> str:
    points = [(t, s) for t, s in history if s is not None]
    width, height = 280, 80
    if not points:
        return f'<svg width="{width}" height="{height}" role="img" aria-label="no score history"></svg>'
    if len(points) == 1:
        points = points * 2
    step = width / (len(points) - 1)
    coords = " ".join(
        f"{i * step:.1f},{height - 4 - (s / 100) * (height - 8):.1f}"
        for i, (_, s) in enumerate(points)
    )
    guides = "".join(
        f'<line x1="0" x2="{width}" y1="{height - 4 - v / 100 * (height - 8):.1f}" '
        f'y2="{height - 4 - v / 100 * (height - 8):.1f}" stroke="{c}" stroke-dasharray="3 3" stroke-width="1"/>'
        for v, c in ((70, "#2e7d32"), (40, "#c62828"))
    )
    label = escape(f"score history: {', '.join(str(s) for _, s in points)}")
    return (
        f'<svg class="trend" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}">{guides}'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{coords}"/></svg>'
    )


def _portfolio(rows: Sequence[ReportAccount]) -> str:
    counts = {
        b: sum(1 for r in rows if r.health.band == b) for b in ("green", "yellow", "red", None)
    }
    total = max(1, len(rows))
    bar = "".join(
        f'<div style="width:{100 * n / total:.1f}%;background:{_BAND_COLOUR[b]}">{n}</div>'
        for b, n in counts.items()
        if n
    )
    legend = " · ".join(f"{escape(str(b or 'no score'))}: {n}" for b, n in counts.items())
    nps = portfolio_nps(
        {r.health.account_id: r.health.account_nps for r in rows},
        {r.health.account_id: r.annual_revenue for r in rows},
    )
    weighted = "" if nps is None else f" · portfolio NPS (revenue-weighted) {nps:+.0f}"
    return f'<div class="bar" id="portfolio">{bar}</div><p class="muted">{legend}{weighted}</p>'


def _account(row: ReportAccount, tasks: Sequence[FollowUpTask]) -> str:
    h = row.health
    drivers = "".join(
        f"<tr><td>{escape(d.note)}</td><td>{'' if d.normalized is None else f'{d.normalized:.0f}'}</td>"
        f"<td>{d.effective_weight:.0%}</td><td>{d.contribution:.1f}</td></tr>"
        for d in h.drivers
        if d.effective_weight > 0
    )
    gaps = "".join(f"<li>{escape(g)}</li>" for g in h.coverage_gaps) or "<li>none</li>"
    missing = ", ".join(escape(m.replace("_", " ")) for m in h.missing) or "none"
    mine = [t for t in tasks if t.account_id == h.account_id]
    followups = (
        "".join(f"<li>{escape(t.subject)} (due {t.due.isoformat()})</li>" for t in mine)
        or "<li>none</li>"
    )
    nps = "—" if h.account_nps is None else f"{h.account_nps:+.0f}"
    return f"""<section class="acct" id="acct-{escape(h.account_id)}">
<div><div class="name"><strong>{escape(h.name)}</strong> <span class="muted">{escape(h.account_id)}</span></div>
<div class="score">{"—" if h.score is None else h.score} {_pill(h.band)}</div>
<div class="muted">trend {escape(h.trend)} · confidence {h.confidence:.0f}% · NPS {nps} · model {escape(h.model)}</div>
{_chart(row.history)}</div>
<div><table><tr><th>driver</th><th>0–100</th><th>weight</th><th>points</th></tr>{drivers}</table>
<p class="muted">missing measures: {missing}</p>
<strong>Coverage gaps</strong><ul>{gaps}</ul><strong>Open follow-ups</strong><ul>{followups}</ul></div>
</section>"""


def render_report(
    rows: Sequence[ReportAccount],
    *,
    generated_at: datetime,
    open_followups: Sequence[FollowUpTask],
    title: str = "cxsync account health",
) -> str:
    ordered = sorted(rows, key=lambda r: (r.health.score is None, r.health.score or 0))
    accounts = "\n".join(_account(r, open_followups) for r in ordered)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_CSS}</style></head>
<body><h1>{escape(title)}</h1>
<p class="muted">{len(rows)} accounts · generated {escape(generated_at.isoformat(timespec="minutes"))} · lowest score first</p>
<h2>Portfolio by band</h2>{_portfolio(rows)}
<h2>Accounts</h2>{accounts}
</body></html>
"""
