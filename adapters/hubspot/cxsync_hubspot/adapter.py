"""The HubSpot adapter: companies and contacts in, cx properties, tasks and notes out."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, time
from typing import Any

from pydantic import BaseModel, ValidationError

from cxsync.adapter import AdapterContext, ApiUsage, Capability, ConnectionInfo
from cxsync.errors import ConfigError, MappingError
from cxsync.models import (
    Account,
    ActivityNote,
    BuyingRole,
    Contact,
    FieldChange,
    FollowUpTask,
    ObjectType,
    Page,
    WriteResult,
)
from cxsync.schema import FieldMap, FieldSpec, SchemaPlan
from cxsync_hubspot import schema
from cxsync_hubspot.client import HubSpotClient
from cxsync_hubspot.convert import BUYING_ROLES, from_hubspot, parse_time, to_hubspot
from cxsync_hubspot.engagements import Engagement, create_once, existing_keys
from cxsync_hubspot.feedback import FEEDBACK_PROPERTIES, feedback_pages
from cxsync_hubspot.reads import URL_PROPERTY_BUDGET, ObjectReader, RawRecord, read_pages
from cxsync_hubspot.settings import AnySettings, HubSpotSettings, HubSpotSettingsModel
from cxsync_hubspot.writes import batch_update

__all__ = ["CAPABILITIES", "HubSpotAdapter", "parse_settings"]

logger = logging.getLogger(__name__)
OBJECT_TYPES = {ObjectType.ACCOUNT: "companies", ObjectType.CONTACT: "contacts"}
COMPANY_PROPERTIES = ["name", "hubspot_owner_id", "industry", "annualrevenue", "country"]
CONTACT_PROPERTIES = ["email", "firstname", "lastname", "jobtitle", "hubspot_owner_id"]
#: contacts per v4 association lookup (the batch read takes up to 1,000 inputs)
ASSOCIATION_BATCH = 1000
PRIMARY_COMPANY = 1  # contact→company "Primary" association type id
CAPABILITIES = frozenset(
    {
        Capability.READ,
        Capability.INCREMENTAL,
        Capability.WRITE_FIELDS,
        Capability.TASKS,
        Capability.NOTES,
        Capability.SCHEMA,
        Capability.FEEDBACK,
    }
)
_PRIORITY = {"low": "LOW", "normal": "MEDIUM", "high": "HIGH"}


def parse_settings(raw: Mapping[str, Any]) -> AnySettings:
    """Validated settings; raises ConfigError naming every problem (never a secret)."""
    from pydantic import TypeAdapter

    data = dict(raw)
    data.setdefault("flow", "private_app")
    try:
        return TypeAdapter(HubSpotSettings).validate_python(data)
    except ValidationError as exc:
        problems = [
            f"adapter.hubspot.{'.'.join(str(p) for p in e['loc'][1:] or e['loc'])}: {e['msg']}"
            for e in exc.errors()
        ]
        raise ConfigError("invalid [adapter.hubspot] settings", problems) from None


def _owner(value: str | None) -> str | None:
    """Only numeric owner ids are HubSpot owners (imported names are not)."""
    return value if value and value.isdigit() else None


class HubSpotAdapter:
    """A connected HubSpot portal. Build it with :class:`HubSpotAdapterFactory`."""

    name = "hubspot"
    capabilities = CAPABILITIES

    def __init__(self, settings: AnySettings, field_map: FieldMap) -> None:
        self.settings = settings
        self.field_map = field_map
        self.client = HubSpotClient(settings)
        self.url_budget = URL_PROPERTY_BUDGET

    def __repr__(self) -> str:
        return f"HubSpotAdapter(flow={self.settings.flow!r}, host={self.client.endpoint!r})"

    # ---- connection ------------------------------------------------------------------------
    def check(self) -> ConnectionInfo:
        self.client.invoke(
            "list.contacts", "crm.objects.basic_api", "get_page", "contacts", limit=1
        )
        usage = self.client.usage
        detail = (
            f"API calls remaining today: {usage.daily_remaining}/{usage.daily_limit}"
            if usage.daily_limit
            else "connected (OAuth calls carry no daily-limit headers)"
        )
        return ConnectionInfo(adapter=self.name, endpoint=self.client.endpoint, detail=detail)

    @property
    def read_after_write_lag_seconds(self) -> float:
        """How long a created task or note may stay out of search (``existing_task_keys``):
        the engine leaves follow-ups whose create was lost for a run after that."""
        return float(self.settings.search_lag_seconds)

    def usage(self) -> ApiUsage:
        return self.client.usage

    def close(self) -> None:
        self.client.close()

    # ---- reading ---------------------------------------------------------------------------
    def _reader(
        self,
        object_type: str,
        base: Sequence[str],
        object_kind: ObjectType | None,
        *,
        with_archived: bool = False,
    ) -> ObjectReader:
        mapped = (
            [m.vendor_name for m in self.field_map.for_object(object_kind)] if object_kind else []
        )
        return ObjectReader(
            self.client,
            object_type,
            [*base, *mapped],
            self.settings.search_lag_seconds,
            self.url_budget,
            with_archived=with_archived,
        )

    def _cx_fields(self, object_type: ObjectType, properties: Mapping[str, Any]) -> dict[str, Any]:
        out = {}
        for mapped in self.field_map.for_object(object_type):
            if mapped.vendor_name in properties:
                out[mapped.spec.name] = from_hubspot(mapped.spec, properties[mapped.vendor_name])
        return out

    @staticmethod
    def _modified(record: RawRecord, prop: str) -> datetime:
        value = record.properties.get(prop) or record.updated_at
        return parse_time(value) if value else datetime.now(UTC)

    def stream_accounts(self, since: str | None = None) -> Iterator[Page]:
        reader = self._reader("companies", COMPANY_PROPERTIES, ObjectType.ACCOUNT)
        for records, cursor in reader.pages(since):
            yield Page(records=tuple(self._account(r) for r in records), cursor=cursor)

    def _account(self, r: RawRecord) -> Account:
        p = r.properties
        try:
            revenue = float(p["annualrevenue"]) if p.get("annualrevenue") else None
        except ValueError:
            revenue = None
        return Account(
            id=r.id,
            name=p.get("name") or "",
            owner_id=p.get("hubspot_owner_id") or None,
            segment=p.get("industry") or None,
            annual_revenue=revenue,
            country=p.get("country") or None,
            modified_at=self._modified(r, "hs_lastmodifieddate"),
            fields=self._cx_fields(ObjectType.ACCOUNT, p),
        )

    def stream_contacts(self, since: str | None = None) -> Iterator[Page]:
        # deleted contacts too: the engine drops them from scores and duplicate checks
        reader = self._reader(
            "contacts", CONTACT_PROPERTIES, ObjectType.CONTACT, with_archived=True
        )
        for records, cursor in read_pages(reader, since, ASSOCIATION_BATCH):
            companies = self._companies_of([r.id for r in records if not r.archived])
            yield Page(
                records=tuple(self._contact(r, companies.get(r.id)) for r in records),
                cursor=cursor,
            )

    def _companies_of(self, contact_ids: list[str]) -> dict[str, str]:
        """Each contact's company (the primary one when there are several): one v4 call."""
        if not contact_ids:
            return {}
        # plain dicts: the client builds a Configuration for every model object it is given
        body = {"inputs": [{"id": cid} for cid in contact_ids]}
        answer = self.client.invoke_json(
            "associations.contacts.companies",
            "crm.associations.v4.batch_api",
            "get_page",
            "contacts",
            "companies",
            body,
        )
        found: dict[str, str] = {}
        for result in answer.get("results") or []:
            links = result.get("to") or []
            if not links:
                continue
            primary = [
                link
                for link in links
                if any(
                    t.get("typeId") == PRIMARY_COMPANY for t in link.get("associationTypes") or []
                )
            ]
            chosen = (primary or sorted(links, key=lambda link: int(link["toObjectId"])))[0]
            found[str(result["from"]["id"])] = str(chosen["toObjectId"])
        # contacts without a company come back as 207 errors (NO_ASSOCIATIONS_FOUND): no id
        return found

    def _contact(self, r: RawRecord, company_id: str | None) -> Contact:
        p = r.properties
        return Contact(
            id=r.id,
            account_id=company_id,
            email=p.get("email") or None,
            first_name=p.get("firstname") or None,
            last_name=p.get("lastname") or None,
            title=p.get("jobtitle") or None,
            owner_id=p.get("hubspot_owner_id") or None,
            modified_at=self._modified(r, "lastmodifieddate"),
            deleted=r.archived,
            fields=self._cx_fields(ObjectType.CONTACT, p),
        )

    def stream_feedback(self, since: str | None = None) -> Iterator[Page]:
        """HubSpot's native survey responses, when ``feedback_submissions`` is enabled."""
        if not self.settings.feedback_submissions:
            return
        reader = ObjectReader(
            self.client,
            "feedback_submissions",
            FEEDBACK_PROPERTIES,
            self.settings.search_lag_seconds,
            self.url_budget,
        )
        for items, cursor in feedback_pages(reader.pages(since)):
            yield Page(records=tuple(items), cursor=cursor)

    # ---- writing ---------------------------------------------------------------------------
    def _properties(self, change: FieldChange) -> dict[str, str]:
        values = self.field_map.to_vendor(change.object_type, change.values)
        body = {name: to_hubspot(value) for name, value in values.items()}
        role_property = self.settings.buying_role_property
        if (
            role_property
            and change.object_type is ObjectType.CONTACT
            and "cx_roles" in change.values
        ):
            roles = change.values["cx_roles"] or []
            native = [
                BUYING_ROLES[BuyingRole(r)] for r in roles if r in BuyingRole._value2member_map_
            ]
            body[role_property] = ";".join(dict.fromkeys(native))
        return body

    def apply_changes(self, changes: Sequence[FieldChange]) -> list[WriteResult]:
        results: dict[int, WriteResult] = {}
        by_type: dict[str, list[tuple[int, str, dict[str, str]]]] = {}
        for index, change in enumerate(changes):
            try:
                body = self._properties(change)
            except MappingError as exc:
                results[index] = WriteResult(
                    record_id=change.record_id, ok=False, error=str(exc), code="UNMAPPED_FIELD"
                )
                continue
            by_type.setdefault(OBJECT_TYPES[change.object_type], []).append(
                (index, change.record_id, body)
            )
        for object_type, items in by_type.items():
            answers = batch_update(
                self.client,
                object_type,
                [(rid, body) for _, rid, body in items],
                self.settings.batch_size,
            )
            for (index, _, _), answer in zip(items, answers, strict=True):
                results[index] = answer
        return [results[i] for i in range(len(changes))]

    # ---- tasks and notes -------------------------------------------------------------------
    def existing_task_keys(self, keys: Sequence[str]) -> set[str]:
        return existing_keys(self.client, "tasks", keys)

    def existing_note_keys(self, keys: Sequence[str]) -> set[str]:
        return existing_keys(self.client, "notes", keys)

    def create_tasks(self, tasks: Sequence[FollowUpTask]) -> list[WriteResult]:
        items = []
        for t in tasks:
            properties = {
                # the due date, at 09:00 UTC so it lands on that day in European portals
                "hs_timestamp": to_hubspot(datetime.combine(t.due, time(9, 0), tzinfo=UTC)),
                "hs_task_subject": t.subject[:255],
                "hs_task_body": t.body,
                "hs_task_status": "NOT_STARTED",
                "hs_task_priority": _PRIORITY[t.priority],
                "hs_task_type": "TODO",
            }
            if owner := _owner(t.owner_id):
                properties["hubspot_owner_id"] = owner
            items.append(Engagement(t.key, properties, t.contact_id, t.account_id))
        return create_once(
            self.client, "tasks", items, self.settings.batch_size, self.settings.max_attempts
        )

    def create_notes(self, notes: Sequence[ActivityNote]) -> list[WriteResult]:
        items = []
        for n in notes:
            properties = {
                "hs_timestamp": to_hubspot(n.occurred_at),
                "hs_note_body": f"Field note ({n.channel.value}): {n.body}",
            }
            if owner := _owner(n.owner_id):
                properties["hubspot_owner_id"] = owner
            items.append(Engagement(n.key, properties, n.contact_id, n.account_id))
        return create_once(
            self.client, "notes", items, self.settings.batch_size, self.settings.max_attempts
        )

    # ---- schema ----------------------------------------------------------------------------
    def plan_schema(self, fields: Sequence[FieldSpec]) -> SchemaPlan:
        self._fields = list(fields)
        return schema.plan(self.client, self.field_map, fields)

    def apply_schema(self, plan: SchemaPlan) -> SchemaPlan:
        fields = getattr(self, "_fields", None) or [m.spec for m in self.field_map.fields]
        return schema.apply_plan(self.client, self.field_map, plan, fields)


class HubSpotAdapterFactory:
    """Entry point ``hubspot``: validates settings and builds the adapter."""

    name = "hubspot"
    capabilities = CAPABILITIES

    settings_model: type[BaseModel] = HubSpotSettingsModel

    def create(self, settings: Mapping[str, Any], context: AdapterContext) -> HubSpotAdapter:
        return HubSpotAdapter(parse_settings(settings), context.field_map)

    @staticmethod
    def start_demo_server(
        accounts: list[dict[str, Any]], contacts: list[dict[str, Any]]
    ) -> tuple[str, dict[str, Any], Any]:
        """The emulator on loopback, seeded for `cxsync demo --crm hubspot`."""
        from cxsync_hubspot.testing import start_demo_server

        return start_demo_server(accounts, contacts)
