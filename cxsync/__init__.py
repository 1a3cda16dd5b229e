"""cxsync: B2B customer-experience management inside the CRM you already run.

The public surface is re-exported here; everything else is internal.
"""

from __future__ import annotations

from cxsync.adapter import (
    Adapter,
    AdapterContext,
    AdapterFactory,
    ApiUsage,
    Capability,
    ConnectionInfo,
)
from cxsync.errors import (
    AuthError,
    ConfigError,
    CxSyncError,
    FatalError,
    InputError,
    QuotaExhaustedError,
    RateLimitError,
    RemoteError,
    RetriableError,
    SkippableError,
)
from cxsync.models import (
    Account,
    ActivityNote,
    BuyingRole,
    Contact,
    Feedback,
    FieldChange,
    FollowUpTask,
    Function,
    Metric,
    Page,
    Verdict,
    WriteResult,
)

__version__ = "0.1.0"

__all__ = [
    "Account",
    "ActivityNote",
    "Adapter",
    "AdapterContext",
    "AdapterFactory",
    "ApiUsage",
    "AuthError",
    "BuyingRole",
    "Capability",
    "ConfigError",
    "ConnectionInfo",
    "Contact",
    "CxSyncError",
    "FatalError",
    "Feedback",
    "FieldChange",
    "FollowUpTask",
    "Function",
    "InputError",
    "Metric",
    "Page",
    "QuotaExhaustedError",
    "RateLimitError",
    "RemoteError",
    "RetriableError",
    "SkippableError",
    "Verdict",
    "WriteResult",
    "__version__",
]
