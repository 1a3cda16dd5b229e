"""The state store's tables (SQLAlchemy Core). Every table is keyed by ``scope`` first:
one store serves several CRM connections."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

_TS = DateTime(timezone=True)

schema_version = Table(
    "cxsync_schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", _TS, nullable=False),
)

locks = Table(
    "cxsync_locks",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("host", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("token", String(64), nullable=False),
    Column("acquired_at", _TS, nullable=False),
    Column("heartbeat_at", _TS, nullable=False),
)

runs = Table(
    "cxsync_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("dry_run", Boolean, nullable=False, default=False),
    Column("started_at", _TS, nullable=False),
    Column("finished_at", _TS),
    Column("status", String(40), nullable=False),
    Column("exit_reason", Text),
    Column("summary", JSON),
    Index("ix_runs_scope_id", "scope", "id"),
)

cursors = Table(
    "cxsync_cursors",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("stream", String(100), primary_key=True),
    Column("value", Text),
    Column("updated_at", _TS, nullable=False),
)

written = Table(
    "cxsync_written",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("object_type", String(40), primary_key=True),
    Column("record_id", String(100), primary_key=True),
    Column("fields", JSON, nullable=False),
    Column("run_id", Integer),
    Column("updated_at", _TS, nullable=False),
)

contacts = Table(
    "cxsync_contacts",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("contact_id", String(100), primary_key=True),
    Column("account_id", String(100)),
    Column("email_normalized", String(320)),
    Column("verdict", String(20), nullable=False),
    Column("flags", JSON, nullable=False),
    Column("duplicate_of", String(100)),
    Column("roles", JSON, nullable=False),
    Column("function", String(40)),
    Column("persona", String(60)),
    Column("display_name", Text, nullable=False),
    Column("modified_at", _TS, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Index("ix_contacts_account", "scope", "account_id"),
    Index("ix_contacts_email", "scope", "email_normalized"),
)

accounts = Table(
    "cxsync_accounts",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("account_id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("owner_id", String(100)),
    Column("segment", String(100)),
    Column("annual_revenue", Float),
    Column("country", String(60)),
    Column("modified_at", _TS, nullable=False),
)

feedback = Table(
    "cxsync_feedback",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("response_id", String(200), primary_key=True),
    Column("contact_id", String(100)),
    Column("account_id", String(100)),
    Column("submitted_at", _TS, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("processed", Boolean, nullable=False, default=False),
    Column("imported_at", _TS, nullable=False),
    Index("ix_feedback_contact", "scope", "contact_id"),
    Index("ix_feedback_account", "scope", "account_id"),
    Index("ix_feedback_processed", "scope", "processed"),
)

quarantine = Table(
    "cxsync_quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("source", Text, nullable=False),
    Column("row_number", Integer),
    Column("kind", String(60), nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", JSON, nullable=False),
    Column("key", String(200)),
    Column("created_at", _TS, nullable=False),
    Column("released_at", _TS),
    Index("ix_quarantine_scope_kind", "scope", "kind", "released_at"),
    Index("ix_quarantine_key", "scope", "source", "key"),
)

health = Table(
    "cxsync_health",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("account_id", String(100), nullable=False),
    Column("computed_at", _TS, nullable=False),
    Column("score", Integer),
    Column("band", String(20)),
    Column("trend", String(20)),
    Column("confidence", Float),
    Column("account_nps", Float),
    Column("fingerprint", String(100), nullable=False),
    Column("payload", JSON, nullable=False),
    Index("ix_health_account", "scope", "account_id", "id"),
)

outbox = Table(
    "cxsync_outbox",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("payload", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("run_id", Integer),
    Column("first_failed_at", _TS, nullable=False),
    Column("last_attempt_at", _TS, nullable=False),
    Index("ix_outbox_status", "scope", "kind", "status"),
)

actions = Table(
    "cxsync_actions",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("account_id", String(100)),
    Column("payload", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("external_id", String(100)),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
    Index("ix_actions_status", "scope", "kind", "status"),
    Index("ix_actions_account", "scope", "kind", "account_id"),
)

audit = Table(
    "cxsync_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(200), nullable=False),
    Column("run_id", Integer),
    Column("event", String(100), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("at", _TS, nullable=False),
    Index("ix_audit_scope_run", "scope", "run_id"),
)

# Added in schema version 2: per-record state the engine needs between stages and runs
# (the values the CRM held when last read, the values cxsync wants, and a dirty mark).
record_state = Table(
    "cxsync_record_state",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("object_type", String(40), primary_key=True),
    Column("record_id", String(100), primary_key=True),
    Column("crm_values", JSON),
    Column("desired", JSON),
    Column("dirty", Boolean, nullable=False, default=False),
    Index("ix_record_state_dirty", "scope", "object_type", "dirty"),
)

V1_TABLES = (
    locks,
    runs,
    cursors,
    written,
    contacts,
    accounts,
    feedback,
    quarantine,
    health,
    outbox,
    actions,
    audit,
)
V2_TABLES = (record_state,)
