"""Domain models shared by the core and every adapter.

Adapters translate vendor payloads into these at their boundary; the core never sees a
vendor dict. All models are pydantic v2 and validate on construction, so a bad record fails
with an error naming it (see :func:`describe_validation_error`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

__all__ = [
    "Account",
    "ActivityNote",
    "BuyingRole",
    "Channel",
    "Contact",
    "ContactCX",
    "EmailVerdict",
    "Feedback",
    "FieldChange",
    "FollowUpTask",
    "Function",
    "JourneyStage",
    "Metric",
    "NpsCategory",
    "ObjectType",
    "Page",
    "Persona",
    "RoleSource",
    "RoleTag",
    "Verdict",
    "WriteResult",
    "describe_validation_error",
    "utcnow",
]


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """Naive datetimes from CRMs and files are UTC by convention."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ObjectType(StrEnum):
    ACCOUNT = "account"
    CONTACT = "contact"


class Verdict(StrEnum):
    """What an email address is: a real person's mailbox, a shared one, or not an address."""

    PERSON = "person"
    GENERIC = "generic"
    INVALID = "invalid"


class BuyingRole(StrEnum):
    """The five seats in a B2B buying group, in order of seniority."""

    DECISION_MAKER = "decision_maker"
    APPROVER = "approver"
    INFLUENCER = "influencer"
    REQUESTER = "requester"
    END_USER = "end_user"


class Function(StrEnum):
    EXECUTIVE = "executive"
    PROCUREMENT = "procurement"
    FINANCE = "finance"
    QUALITY = "quality"
    PRODUCTION = "production"
    IT = "it"
    SALES_DEALER = "sales_dealer"
    SITE_OPERATIONS = "site_operations"
    ENGINEERING = "engineering"
    HR = "hr"
    LEGAL = "legal"
    MARKETING = "marketing"
    OTHER = "other"


class RoleSource(StrEnum):
    """Where a contact's role tags came from. A manual tag always wins."""

    MANUAL = "manual"
    INFERRED = "inferred"
    NONE = "none"


class Metric(StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    HAPPINESS = "happiness"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    VISIT = "visit"
    CALL = "call"
    MEETING = "meeting"
    WEB = "web"
    OTHER = "other"


class NpsCategory(StrEnum):
    PROMOTER = "promoter"
    PASSIVE = "passive"
    DETRACTOR = "detractor"


class Account(_Model):
    """A customer company as the CRM holds it.

    ``fields`` carries the current CRM values of cxsync's own fields under their canonical
    names (``cx_health_score``…), so the engine can plan writes against what the CRM holds.
    """

    id: str = Field(min_length=1)
    name: str = ""
    owner_id: str | None = None
    segment: str | None = None
    annual_revenue: float | None = None
    country: str | None = None
    modified_at: datetime
    fields: dict[str, Any] = Field(default_factory=dict)

    _aware_modified = field_validator("modified_at")(_aware)


class Contact(_Model):
    """A person at an account as the CRM holds it (``fields`` as for :class:`Account`)."""

    id: str = Field(min_length=1)
    account_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    owner_id: str | None = None
    modified_at: datetime
    deleted: bool = False
    fields: dict[str, Any] = Field(default_factory=dict)

    _aware_modified = field_validator("modified_at")(_aware)

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return name or self.email or self.id


class EmailVerdict(_Model):
    """The classification of one address, with a reason a person can read."""

    email: str
    normalized: str | None = None
    verdict: Verdict
    reason: str
    rule: str | None = None
    free_mail: bool = False
    disposable: bool = False


class RoleTag(_Model):
    """Buying roles (most specific first), function and seniority read from a title."""

    title: str
    roles: tuple[BuyingRole, ...] = ()
    function: Function | None = None
    seniority: str | None = None
    persona: str | None = None
    rule: str | None = None
    source: RoleSource = RoleSource.INFERRED


class JourneyStage(_Model):
    key: str
    name: str
    order: int
    shared: bool = False
    responsibility: str | None = None


class Persona(_Model):
    key: str
    name: str
    roles: tuple[BuyingRole, ...] = ()
    functions: tuple[Function, ...] = ()
    stages: tuple[JourneyStage, ...]

    def stage(self, key: str) -> JourneyStage | None:
        return next((s for s in self.stages if s.key == key), None)


class Feedback(_Model):
    """One survey response (``metric`` and ``score`` set) or one field note (neither set).

    ``response_id`` is the idempotency key: importing the same id twice changes nothing.
    """

    response_id: str = Field(min_length=1)
    contact_id: str | None = None
    email: str | None = None
    account_id: str | None = None
    metric: Metric | None = None
    score: float | None = None
    phase: str | None = None
    channel: Channel = Channel.OTHER
    submitted_at: datetime
    comment: str | None = None
    action_required: bool = False
    source: str = "import"

    _aware_submitted = field_validator("submitted_at")(_aware)

    @property
    def is_note(self) -> bool:
        return self.metric is None


class ContactCX(_Model):
    """The per-contact roll-up written back to the CRM."""

    contact_id: str
    latest: dict[Metric, float] = Field(default_factory=dict)
    latest_at: dict[Metric, datetime] = Field(default_factory=dict)
    latest_phase: dict[Metric, str | None] = Field(default_factory=dict)
    nps_category: NpsCategory | None = None
    nps_factor: int | None = None
    last_comment: str | None = None
    last_feedback_at: datetime | None = None
    response_count: int = 0


class FieldChange(_Model):
    """New values for some of one record's fields, under canonical field names."""

    object_type: ObjectType
    record_id: str
    values: dict[str, Any]


class WriteResult(_Model):
    """The outcome of writing one record (a field change, a task or a note).

    ``retriable`` tells the engine whether a failure goes to the outbox (retry next run)
    or to the rejects (a person has to look at it).
    """

    record_id: str
    ok: bool
    external_id: str | None = None
    error: str | None = None
    code: str | None = None
    retriable: bool = False


class FollowUpTask(_Model):
    """A follow-up task for the account owner. ``key`` makes creation exactly-once."""

    key: str
    account_id: str
    contact_id: str | None = None
    owner_id: str | None = None
    subject: str
    body: str
    due: date
    priority: Literal["low", "normal", "high"] = "normal"


class ActivityNote(_Model):
    """A field note (visit, call, meeting) logged on the contact and account."""

    key: str
    account_id: str | None = None
    contact_id: str | None = None
    owner_id: str | None = None
    body: str
    occurred_at: datetime
    channel: Channel = Channel.OTHER


class Page(_Model):
    """One page of a stream, with the cursor to resume *after* it."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    records: tuple[Any, ...]
    cursor: str | None = None


def describe_validation_error(record: str, exc: ValidationError) -> str:
    """One line naming the record and each bad field, for error messages and rejects."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    return f"{record}: " + "; ".join(parts)
