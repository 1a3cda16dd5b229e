"""Account health: explainable scores, role-aware account NPS, follow-ups, the HTML report
(docs/health.md)."""

from cxsync.health.followups import followup_tasks
from cxsync.health.inputs import AccountInput, ContactInput, PreviousScore
from cxsync.health.model import MEASURES, FollowUpRules, HealthModel, ModelSet, load_health_models
from cxsync.health.nps import account_nps, decay, factor, portfolio_nps
from cxsync.health.report import ReportAccount, render_report
from cxsync.health.score import (
    AccountHealth,
    Driver,
    account_fields,
    drivers_text,
    explain,
    score_account,
)

__all__ = [
    "MEASURES",
    "AccountHealth",
    "AccountInput",
    "ContactInput",
    "Driver",
    "FollowUpRules",
    "HealthModel",
    "ModelSet",
    "PreviousScore",
    "ReportAccount",
    "account_fields",
    "account_nps",
    "decay",
    "drivers_text",
    "explain",
    "factor",
    "followup_tasks",
    "load_health_models",
    "portfolio_nps",
    "render_report",
    "score_account",
]
