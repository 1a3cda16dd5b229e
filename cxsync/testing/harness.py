"""What an adapter's tests hand the contract suite: a connected adapter over a seeded backend.

An adapter package provides a pytest fixture named ``contract_harness`` that returns an
object satisfying :class:`ContractHarness`, then subclasses
:class:`cxsync.testing.contract.AdapterContractSuite` in one line. The harness is how the
suite reaches behind the adapter: to seed records, change them, read back what was
written, and inject faults, all through the adapter's backend (a folder, an emulator).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from cxsync.adapter import Adapter
from cxsync.models import ObjectType

__all__ = ["ContractHarness", "Fault", "SeedAccount", "SeedContact"]

Fault = Literal["auth", "rate_limit", "retriable", "fatal"]


class SeedAccount(Protocol):
    id: str
    name: str
    modified_at: datetime


class SeedContact(Protocol):
    id: str
    account_id: str
    email: str
    title: str
    modified_at: datetime


@runtime_checkable
class ContractHarness(Protocol):
    """Backend controls the contract suite needs.

    Record ids: the suite proposes ids; a backend that assigns its own ids (a CRM) returns
    them from ``seed`` in the same order, and the suite uses those from then on.
    """

    #: the smallest page size the backend can be made to use, so paging is exercised
    page_size: int

    def adapter(self) -> Adapter:
        """A connected adapter over the backend (a new one on each call is fine)."""
        ...

    def seed(
        self, accounts: Sequence[dict[str, Any]], contacts: Sequence[dict[str, Any]]
    ) -> tuple[list[str], list[str]]:
        """Create accounts and contacts (canonical keys: id, name, account_id, email,
        first_name, last_name, title). Returns the backend ids of accounts and contacts,
        in order. Contacts' ``account_id`` refers to the *proposed* account ids."""
        ...

    def touch(self, object_type: ObjectType, record_id: str, changes: dict[str, Any]) -> None:
        """Change a record as a person in the CRM would (bumps its modified time)."""
        ...

    def read_back(self, object_type: ObjectType, record_id: str) -> dict[str, Any]:
        """The record's cxsync fields as the backend now holds them, canonical names."""
        ...

    def reject_next_write(self, record_id: str) -> None:
        """Make the backend refuse the next write to this record (a per-record failure)."""
        ...

    def inject(self, fault: Fault) -> None:
        """Make the backend's next call fail with this kind of fault (persistently for
        ``auth`` and ``fatal``, once-or-more for ``rate_limit`` and ``retriable`` such that
        the adapter's own bounded retries give up)."""
        ...

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        ...
