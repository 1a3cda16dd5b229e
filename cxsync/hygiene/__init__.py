"""Contact hygiene: real people only — generic mailboxes, invalid addresses, duplicates,
stale contacts (docs/hygiene.md)."""

from cxsync.hygiene.contacts import DuplicateFlag, find_duplicates, is_stale
from cxsync.hygiene.emails import EmailClassifier, normalize_email
from cxsync.hygiene.rules import MailboxRules, load_rules

__all__ = [
    "DuplicateFlag",
    "EmailClassifier",
    "MailboxRules",
    "find_duplicates",
    "is_stale",
    "load_rules",
    "normalize_email",
]
