"""A stateful fake of the HubSpot CRM API, for tests, benchmarks and demos.

It answers the calls cxsync's adapter makes, with HubSpot's shapes and limits: object
lists of at most 100 per page (``paging`` omitted on the last page), search with at most
200 per page, 10,000 results per query and 5 requests a second (429 ``SECONDLY`` without
rate-limit headers), batch writes of at most 100 inputs answered 207 on partial failure,
v4 association batch reads of at most 1,000 inputs, the properties API validating
``type``/``fieldType`` pairs, tasks that require ``hs_timestamp``, read-only feedback
submissions, private-app and OAuth tokens (which expire), the ten-second burst and daily
limits with ``X-HubSpot-RateLimit-*`` headers, and injected faults.

:meth:`HubSpotEmulator.handle` is transport-agnostic; :mod:`cxsync_hubspot.testing.server`
serves it on a loopback port, where the real hubspot-api-client talks to it.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cxsync_hubspot.testing import properties as props
from cxsync_hubspot.testing.shapes import Answer, Fault, error, hs_time, rate_limit_body

__all__ = ["HubSpotEmulator"]

LIST_LIMIT = 100
SEARCH_LIMIT = 200
SEARCH_CAP = 10_000
BATCH_LIMIT = 100
ASSOCIATION_BATCH_LIMIT = 1000
MAX_FILTER_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
#: HUBSPOT_DEFINED association type ids: (from, to) → (default unlabeled id, primary id)
ASSOCIATION_TYPES: dict[tuple[str, str], tuple[int, int | None]] = {
    ("contacts", "companies"): (279, 1),
    ("companies", "contacts"): (280, 2),
    ("tasks", "contacts"): (204, None),
    ("contacts", "tasks"): (203, None),
    ("tasks", "companies"): (192, None),
    ("companies", "tasks"): (191, None),
    ("notes", "contacts"): (202, None),
    ("contacts", "notes"): (201, None),
    ("notes", "companies"): (190, None),
    ("companies", "notes"): (189, None),
    ("feedback_submissions", "contacts"): (1142, None),
    ("contacts", "feedback_submissions"): (1141, None),
}
_TYPE_ALIASES = {v: k for k, v in props.OBJECT_TYPES.items()} | {k: k for k in props.OBJECT_TYPES}
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), name)
    for m, p, name in [
        ("POST", r"^/oauth/v1/token$", "oauth_token"),
        ("POST", r"^/crm/v3/objects/(?P<type>[\w-]+)/search$", "search"),
        ("POST", r"^/crm/v3/objects/(?P<type>[\w-]+)/batch/(?P<verb>\w+)$", "batch"),
        ("GET", r"^/crm/v3/objects/(?P<type>[\w-]+)$", "list"),
        ("POST", r"^/crm/v3/objects/(?P<type>[\w-]+)$", "create"),
        ("GET", r"^/crm/v3/objects/(?P<type>[\w-]+)/(?P<id>\d+)$", "get"),
        ("PATCH", r"^/crm/v3/objects/(?P<type>[\w-]+)/(?P<id>\d+)$", "update"),
        (
            "POST",
            r"^/crm/v4/associations/(?P<from>[\w-]+)/(?P<to>[\w-]+)/batch/read$",
            "assoc_read",
        ),
        ("GET", r"^/crm/v3/properties/(?P<type>[\w-]+)/groups$", "groups_list"),
        ("POST", r"^/crm/v3/properties/(?P<type>[\w-]+)/groups$", "groups_create"),
        ("POST", r"^/crm/v3/properties/(?P<type>[\w-]+)/batch/create$", "props_batch_create"),
        ("GET", r"^/crm/v3/properties/(?P<type>[\w-]+)$", "props_list"),
        ("POST", r"^/crm/v3/properties/(?P<type>[\w-]+)$", "props_create"),
        ("GET", r"^/crm/v3/properties/(?P<type>[\w-]+)/(?P<name>\w+)$", "props_get"),
    ]
]
_PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda a, b: a == b,
    "NEQ": lambda a, b: a != b,
    "LT": lambda a, b: a < b,
    "LTE": lambda a, b: a <= b,
    "GT": lambda a, b: a > b,
    "GTE": lambda a, b: a >= b,
}


Getter = Callable[[dict[str, Any]], Any]


def _compare(value_of: Getter, want: Any, op: str, record: dict[str, Any]) -> bool:
    held = value_of(record)
    if held is None or want is None:
        return op == "NEQ" and held != want
    return _COMPARE[op](held, want)


def _has(value_of: Getter, wanted: bool, record: dict[str, Any]) -> bool:
    return (value_of(record) is not None) == wanted


def _member(value_of: Getter, values: frozenset[Any], wanted: bool, record: dict[str, Any]) -> bool:
    return (value_of(record) in values) == wanted


def _between(value_of: Getter, low: Any, high: Any, record: dict[str, Any]) -> bool:
    held = value_of(record)
    return held is not None and low <= held <= high


def _contains(value_of: Getter, token: str, record: dict[str, Any]) -> bool:
    return token in str(value_of(record) or "")


def _getter(name: str, definition: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    def value_of(record: dict[str, Any]) -> Any:
        return props.comparable(definition, record["properties"].get(name))

    return value_of


class _Reject(Exception):
    """Raised inside a handler to answer with an error."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _bad_request(message: str, category: str = "VALIDATION_ERROR", **kw: Any) -> _Reject:
    return _Reject(error(400, message, category, **kw))


class HubSpotEmulator:
    """An in-memory HubSpot portal.

    Args:
        access_token: the private app token the portal accepts.
        burst_limit: requests per rolling ten seconds (Professional/Enterprise: 190).
        search_per_second: search requests per second (HubSpot: 5).
        daily_limit: requests per day for the account.
        token_ttl: seconds an OAuth access token lives (HubSpot: 1,800).
        index_lag_seconds: how long a change stays invisible to search (HubSpot: "a few
            moments"; 0 by default so tests are exact).
    """

    def __init__(
        self,
        *,
        access_token: str = "pat-emu-0000",
        burst_limit: int = 190,
        search_per_second: int = 5,
        daily_limit: int = 1_000_000,
        token_ttl: float = 1800.0,
        index_lag_seconds: float = 0.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.private_tokens = {access_token}
        self.oauth_clients: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.access_tokens: dict[str, float] = {}
        self.burst_limit = burst_limit
        self.search_per_second = search_per_second
        self.daily_limit = daily_limit
        self.daily_used = 0
        self.token_ttl = token_ttl
        #: OAuth requests accepted before every access token issued so far expires (as if
        #: its 30 minutes ran out mid-run); ``None``: tokens live ``token_ttl`` seconds
        self.tokens_expire_after: int | None = None
        self.index_lag_seconds = index_lag_seconds
        self.clock = clock or (lambda: datetime.now(UTC))
        self.objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in props.OBJECT_TYPES}
        self.definitions = {t: props.standard_properties(t) for t in props.OBJECT_TYPES}
        self.groups: dict[str, dict[str, dict[str, Any]]] = {
            t: {
                "hubspot_defined": {
                    "name": "hubspot_defined",
                    "label": "HubSpot",
                    "displayOrder": 0,
                }
            }
            for t in props.OBJECT_TYPES
        }
        self.links: dict[tuple[str, str], dict[str, dict[str, set[int]]]] = {}
        self.faults: list[Fault] = []
        self.reject_ids: set[str] = set()
        self.calls: Counter[str] = Counter()
        self.journal: list[tuple[str, str]] = []  # (method, path) of every request
        self.throttled: Counter[str] = Counter()
        self._burst_times: deque[float] = deque()
        self._search_times: deque[float] = deque()
        self._seq = 100
        self._last_stamp: datetime | None = None
        self._mutex = threading.RLock()

    # ---- seeding and inspection ------------------------------------------------------------
    def _now(self) -> datetime:
        """The clock, strictly increasing by at least a millisecond per change."""
        now = self.clock().astimezone(UTC)
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + timedelta(milliseconds=1)
        self._last_stamp = now
        return now

    def _next_id(self) -> str:
        self._seq += 1
        return str(self._seq)

    def define_property(
        self,
        object_type: str,
        name: str,
        kind: str,
        field_type: str,
        options: list[str] | None = None,
        group: str = "cxsync",
    ) -> None:
        """Create a custom property directly (as an admin would in the UI)."""
        with self._mutex:
            self.groups[object_type].setdefault(
                group, {"name": group, "label": group, "displayOrder": -1}
            )
            self.definitions[object_type][name] = {
                **props._prop(name, kind, field_type, options=options),
                "groupName": group,
                "hubspotDefined": False,
            }

    def insert(
        self,
        object_type: str,
        properties: dict[str, Any],
        modified: datetime | None = None,
    ) -> str:
        """Add a record as a HubSpot user would; returns its id."""
        with self._mutex:
            rid = self._next_id()
            stamp = modified.astimezone(UTC) if modified else self._now()
            record: dict[str, Any] = {
                "id": rid,
                "properties": {},
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": False,
            }
            self.objects[object_type][rid] = record
            defs = self.definitions[object_type]
            for name, value in properties.items():
                if value is not None:
                    record["properties"][name] = props.check_value(defs[name], value)
            self._stamp(object_type, record, stamp, created=True)
            return rid

    def _stamp(
        self, object_type: str, record: dict[str, Any], stamp: datetime, created: bool = False
    ) -> None:
        record["updatedAt"] = stamp
        record["properties"]["hs_object_id"] = record["id"]
        record["properties"][props.MODIFIED[object_type]] = hs_time(stamp)
        if created:
            record["properties"][props.CREATED[object_type]] = hs_time(stamp)

    def update(self, object_type: str, rid: str, properties: dict[str, Any]) -> None:
        """Change a record as a person would (moves its modified date)."""
        with self._mutex:
            record = self.objects[object_type][rid]
            defs = self.definitions[object_type]
            for name, value in properties.items():
                record["properties"][name] = props.check_value(defs[name], value)
            self._stamp(object_type, record, self._now())

    def touch_many(self, object_type: str, ids: list[str], stamp: datetime) -> None:
        """Give many records one modified date (as a HubSpot bulk import does)."""
        with self._mutex:
            for rid in ids:
                self._stamp(object_type, self.objects[object_type][rid], stamp)

    def archive(self, object_type: str, rid: str) -> None:
        with self._mutex:
            record = self.objects[object_type][rid]
            now = self._now()
            record["archived"] = True
            record["archivedAt"] = now
            self._stamp(object_type, record, now)

    def associate(
        self, from_type: str, from_id: str, to_type: str, to_id: str, *, primary: bool = False
    ) -> None:
        """Associate two records in both directions (``primary`` for contact→company)."""
        with self._mutex:
            for a_type, a_id, b_type, b_id in (
                (from_type, from_id, to_type, to_id),
                (to_type, to_id, from_type, from_id),
            ):
                default, primary_id = ASSOCIATION_TYPES[(a_type, b_type)]
                kinds = {default} | ({primary_id} if primary and primary_id else set())
                self.links.setdefault((a_type, b_type), {}).setdefault(a_id, {}).setdefault(
                    b_id, set()
                ).update(kinds)

    def associated(self, from_type: str, from_id: str, to_type: str) -> dict[str, set[int]]:
        return dict(self.links.get((from_type, to_type), {}).get(from_id, {}))

    def value(self, object_type: str, rid: str, name: str) -> str | None:
        held: str | None = self.objects[object_type][rid]["properties"].get(name)
        return held

    def add_oauth_app(self, client_id: str, client_secret: str, refresh_token: str) -> None:
        """Register a public app installed on this portal with one refresh token."""
        self.oauth_clients[client_id] = client_secret
        self.refresh_tokens[refresh_token] = client_id

    def expire_tokens(self) -> None:
        """Every OAuth access token issued so far stops working (as after 30 minutes)."""
        with self._mutex:
            self.access_tokens = {t: 0.0 for t in self.access_tokens}

    def inject(self, fault: Fault, times: int = 1, *, after: int = 0) -> None:
        """Queue ``fault`` for ``times`` matching requests, once ``after`` of them went through.

        Faults are taken in the order they were queued: inject the faults for one path in
        the order its requests are made.
        """
        passing = Fault("pass", path=fault.path, method=fault.method)
        with self._mutex:
            self.faults.extend([passing] * after + [fault] * times)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first queued fault matching this request (taken off the queue); ``None``
        when none matches or the request is let through."""
        with self._mutex:
            for index, fault in enumerate(self.faults):
                if fault.matches(method, path):
                    taken = self.faults.pop(index)
                    return None if taken.kind == "pass" else taken
            return None

    # ---- dispatch --------------------------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes | str | None
    ) -> Answer:
        """Answer one HTTP request (``target`` is the path with its query string)."""
        parts = urlsplit(target)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        route = next(
            ((name, m) for verb, rx, name in _ROUTES if verb == method and (m := rx.match(path))),
            None,
        )
        with self._mutex:
            self.journal.append((method, path))
            if route is None:
                self.calls[f"{method} unknown"] += 1
                return error(404, f"no route for {method} {path}", "OBJECT_NOT_FOUND")
            name, match = route
            self.calls[name] += 1
            if name == "oauth_token":
                return self._oauth_token(body)
            auth_kind = self._authenticate(headers)
            if isinstance(auth_kind, Answer):
                return auth_kind
            limited = self._rate_limit(name)
            if limited is not None:
                return limited
            try:
                payload = json.loads(body) if body else {}
            except ValueError:
                return error(400, "Invalid input JSON", "VALIDATION_ERROR")
            try:
                answer: Answer = getattr(self, f"_{name}")(match.groupdict(), query, payload)
            except _Reject as rejected:
                answer = rejected.answer
            except Exception as exc:  # an emulator bug must fail loudly, not hang a client
                answer = error(500, f"emulator error: {type(exc).__name__}: {exc}", "INTERNAL")
            if name != "search":
                answer.headers.update(self._limit_headers(auth_kind))
            answer.headers.setdefault("x-hubspot-correlation-id", str(uuid.uuid4()))
            return answer

    # ---- auth and limits -------------------------------------------------------------------
    def _authenticate(self, headers: dict[str, str]) -> str | Answer:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        token = value[7:] if value.lower().startswith("bearer ") else ""
        if token in self.private_tokens:
            return "private_app"
        if token in self.access_tokens:
            if self.tokens_expire_after == 0:
                self.tokens_expire_after = None
                self.expire_tokens()
            if self.access_tokens[token] > time.monotonic():
                if self.tokens_expire_after is not None:
                    self.tokens_expire_after -= 1
                return "oauth"
            return error(
                401,
                "The OAuth token used to make this call expired 0 second(s) ago.",
                "EXPIRED_AUTHENTICATION",
            )
        return error(
            401,
            "Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at "
            "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION",
        )

    def _oauth_token(self, body: bytes | str | None) -> Answer:
        text = body.decode() if isinstance(body, bytes) else (body or "")
        form = {k: v[0] for k, v in parse_qs(text).items()}
        client = form.get("client_id", "")
        if form.get("grant_type") != "refresh_token":
            return error(400, "unsupported grant_type", "BAD_GRANT_TYPE")
        if self.oauth_clients.get(client) != form.get("client_secret"):
            return error(400, "missing or unknown client id/secret", "BAD_CLIENT_ID")
        if self.refresh_tokens.get(form.get("refresh_token", "")) != client:
            return error(400, "missing or unknown refresh token", "BAD_REFRESH_TOKEN")
        token = f"oauth-{uuid.uuid4().hex}"
        self.access_tokens[token] = time.monotonic() + self.token_ttl
        return Answer(
            200,
            {
                "token_type": "bearer",
                "refresh_token": form["refresh_token"],
                "access_token": token,
                "expires_in": int(self.token_ttl),
            },
        )

    def _rate_limit(self, route: str) -> Answer | None:
        now = time.monotonic()
        if self.daily_used >= self.daily_limit:
            self.throttled["DAILY"] += 1
            return Answer(429, rate_limit_body("DAILY"))
        if route == "search":
            while self._search_times and now - self._search_times[0] >= 1.0:
                self._search_times.popleft()
            if len(self._search_times) >= self.search_per_second:
                self.throttled["SECONDLY"] += 1
                return Answer(429, rate_limit_body("SECONDLY"))
            self._search_times.append(now)
        else:
            while self._burst_times and now - self._burst_times[0] >= 10.0:
                self._burst_times.popleft()
            if len(self._burst_times) >= self.burst_limit:
                self.throttled["TEN_SECONDLY_ROLLING"] += 1
                return Answer(429, rate_limit_body("TEN_SECONDLY_ROLLING"), self._burst_headers())
            self._burst_times.append(now)
        self.daily_used += 1
        return None

    def _burst_headers(self) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": str(self.burst_limit),
            "X-HubSpot-RateLimit-Remaining": str(max(self.burst_limit - len(self._burst_times), 0)),
        }

    def _limit_headers(self, auth_kind: str) -> dict[str, str]:
        headers = self._burst_headers()
        if auth_kind == "private_app":  # daily headers are not sent on OAuth calls
            headers["X-HubSpot-RateLimit-Daily"] = str(self.daily_limit)
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(
                max(self.daily_limit - self.daily_used, 0)
            )
        return headers

    # ---- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _object_type(raw: str) -> str:
        kind = _TYPE_ALIASES.get(raw)
        if kind is None:
            raise _Reject(
                error(400, f"Unable to infer object type from: {raw}", "VALIDATION_ERROR")
            )
        return kind

    @staticmethod
    def _list_param(query: dict[str, list[str]], name: str) -> list[str]:
        """Repeated (``a=1&a=2``, the Python client) and comma-separated (documented) forms."""
        return [part for value in query.get(name, []) for part in value.split(",") if part]

    @staticmethod
    def _bool_param(query: dict[str, list[str]], name: str) -> bool:
        return (query.get(name, ["false"])[0] or "false").lower() == "true"

    def _render(
        self,
        object_type: str,
        record: dict[str, Any],
        wanted: list[str] | None,
        associations: list[str] = (),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        defs = self.definitions[object_type]
        held = record["properties"]
        names = wanted if wanted else self._default_properties(object_type)
        out_props = {
            n: held.get(n)
            for n in names
            if n in defs  # undefined: omitted; empty: null
        }
        out = {
            "id": record["id"],
            "properties": out_props,
            "createdAt": hs_time(record["createdAt"]),
            "updatedAt": hs_time(record["updatedAt"]),
            "archived": record["archived"],
        }
        if record.get("archivedAt") is not None:
            out["archivedAt"] = hs_time(record["archivedAt"])
        links = {}
        for target in associations:
            target_type = _TYPE_ALIASES.get(target)
            if target_type is None:
                continue
            found = self.associated(object_type, record["id"], target_type)
            singular = object_type.rstrip("s") if object_type != "companies" else "company"
            links[target_type] = {
                "results": [
                    {"id": to_id, "type": f"{singular}_to_{target_type.rstrip('s')}"}
                    for to_id in sorted(found, key=int)
                ]
            }
        if links:
            out["associations"] = links
        return out

    @staticmethod
    def _default_properties(object_type: str) -> list[str]:
        base = ["hs_object_id", props.MODIFIED[object_type], props.CREATED[object_type]]
        extra = {
            "contacts": ["email", "firstname", "lastname"],
            "companies": ["name", "domain"],
        }
        return base + extra.get(object_type, [])

    def _visible(self, object_type: str, include_archived: bool) -> list[dict[str, Any]]:
        # ids only grow and dicts keep insertion order: this is id order already
        return [r for r in self.objects[object_type].values() if r["archived"] == include_archived]

    def _write_values(
        self, object_type: str, values: dict[str, Any], *, creating: bool = False
    ) -> tuple[dict[str, str | None], list[dict[str, Any]]]:
        """Validate property values; returns (stored form, HubSpot error details)."""
        defs = self.definitions[object_type]
        clean: dict[str, str | None] = {}
        problems: list[dict[str, Any]] = []
        for name, value in (values or {}).items():
            definition = defs.get(name)
            if definition is None:
                problems.append(
                    {
                        "message": f'Property "{name}" does not exist',
                        "code": "PROPERTY_DOESNT_EXIST",
                        "context": {"propertyName": [name]},
                    }
                )
                continue
            if definition["modificationMetadata"]["readOnlyValue"]:
                problems.append(
                    {
                        "message": f"{name} is a read only property; its value cannot be set.",
                        "code": "READ_ONLY_VALUE",
                        "context": {"propertyName": [name]},
                    }
                )
                continue
            try:
                clean[name] = props.check_value(definition, value)
            except props.ValueRejected as exc:
                problems.append(
                    {"message": str(exc), "code": exc.code, "context": {"propertyName": [name]}}
                )
        if creating and object_type == "tasks" and not clean.get("hs_timestamp"):
            problems.append(
                {
                    "message": "hs_timestamp is required",
                    "code": "REQUIRED_PROPERTY",
                    "context": {"propertyName": ["hs_timestamp"]},
                }
            )
        return clean, problems

    @staticmethod
    def _validation_failure(problems: list[dict[str, Any]], record: str | None = None) -> _Reject:
        label = f" for record {record}" if record else ""
        message = "Property values were not valid" + label + ": " + json.dumps(problems)
        return _bad_request(message, errors=problems)

    def _batch_envelope(
        self, status: int, results: list[dict[str, Any]], errors: list[dict[str, Any]]
    ) -> Answer:
        now = hs_time(self.clock())
        body: dict[str, Any] = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": now,
            "completedAt": now,
        }
        if errors:
            body["numErrors"] = len(errors)
            body["errors"] = errors
            status = 207
        return Answer(status, body)

    # ---- objects ---------------------------------------------------------------------------
    def _list(self, args: dict[str, str], query: dict[str, list[str]], _: Any) -> Answer:
        object_type = self._object_type(args["type"])
        limit = int(query.get("limit", ["10"])[0] or 10)
        if limit > LIST_LIMIT or limit < 1:
            raise _bad_request(f"limit must be between 1 and {LIST_LIMIT}, got {limit}")
        after = int(query.get("after", ["0"])[0] or 0)
        wanted = self._list_param(query, "properties")
        links = self._list_param(query, "associations")
        records = [
            r
            for r in self._visible(object_type, self._bool_param(query, "archived"))
            if int(r["id"]) >= after
        ]
        page = records[:limit]
        body: dict[str, Any] = {
            "results": [self._render(object_type, r, wanted, links) for r in page]
        }
        if len(records) > limit:
            nxt = records[limit]["id"]
            body["paging"] = {
                "next": {"after": nxt, "link": f"/crm/v3/objects/{object_type}?after={nxt}"}
            }
        return Answer(200, body)

    def _get(self, args: dict[str, str], query: dict[str, list[str]], _: Any) -> Answer:
        object_type = self._object_type(args["type"])
        record = self.objects[object_type].get(args["id"])
        if record is None or record["archived"]:
            raise _Reject(error(404, "resource not found", "OBJECT_NOT_FOUND"))
        wanted = self._list_param(query, "properties")
        return Answer(
            200, self._render(object_type, record, wanted, self._list_param(query, "associations"))
        )

    def _create(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        object_type = self._object_type(args["type"])
        self._refuse_read_only(object_type)
        clean, problems = self._write_values(
            object_type, payload.get("properties", {}), creating=True
        )
        if problems:
            raise self._validation_failure(problems)
        links = self._check_associations(object_type, payload.get("associations") or [])
        record = self._store_new(object_type, clean, links)
        return Answer(201, self._render(object_type, record, list(clean)))

    def _update(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        object_type = self._object_type(args["type"])
        self._refuse_read_only(object_type)
        record = self.objects[object_type].get(args["id"])
        if record is None or record["archived"]:
            raise _Reject(error(404, "resource not found", "OBJECT_NOT_FOUND"))
        clean, problems = self._write_values(object_type, payload.get("properties", {}))
        if problems:
            raise self._validation_failure(problems, args["id"])
        record["properties"].update(clean)
        self._stamp(object_type, record, self._now())
        return Answer(200, self._render(object_type, record, list(clean)))

    def _refuse_read_only(self, object_type: str) -> None:
        if object_type == "feedback_submissions":
            raise _Reject(
                error(
                    405, "Feedback submissions are read-only through the API", "METHOD_NOT_ALLOWED"
                )
            )

    def _check_associations(
        self, object_type: str, associations: list[dict[str, Any]]
    ) -> list[tuple[str, str, int]]:
        links = []
        for item in associations:
            to_id = str((item.get("to") or {}).get("id", ""))
            for spec in item.get("types") or []:
                type_id = int(spec.get("associationTypeId", 0))
                target = next(
                    (
                        to
                        for (frm, to), ids in ASSOCIATION_TYPES.items()
                        if frm == object_type and type_id in ids
                    ),
                    None,
                )
                if target is None:
                    raise _bad_request(
                        f"association type id {type_id} is not valid from {object_type}",
                        "INVALID_ASSOCIATION_TYPE",
                    )
                if to_id not in self.objects[target] or self.objects[target][to_id]["archived"]:
                    raise _bad_request(f"{target} {to_id} does not exist", "OBJECT_NOT_FOUND")
                links.append((target, to_id, type_id))
        return links

    def _store_new(
        self, object_type: str, clean: dict[str, str | None], links: list[tuple[str, str, int]]
    ) -> dict[str, Any]:
        stamp = self._now()
        rid = self._next_id()
        record = {
            "id": rid,
            "properties": {k: v for k, v in clean.items() if v is not None},
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
        }
        self.objects[object_type][rid] = record
        self._stamp(object_type, record, stamp, created=True)
        for target, to_id, _ in links:
            self.associate(object_type, rid, target, to_id)
        return record

    # ---- batch -----------------------------------------------------------------------------
    def _batch(
        self, args: dict[str, str], query: dict[str, list[str]], payload: dict[str, Any]
    ) -> Answer:
        object_type = self._object_type(args["type"])
        inputs = payload.get("inputs")
        if not isinstance(inputs, list):
            raise _bad_request("inputs is required")
        verb = args["verb"]
        if verb != "read":
            self._refuse_read_only(object_type)
        if len(inputs) > BATCH_LIMIT:
            raise _bad_request(
                f"Too many inputs: {len(inputs)}, the maximum is {BATCH_LIMIT}",
                "VALIDATION_ERROR",
            )
        if verb == "read":
            return self._batch_read(object_type, payload)
        if verb == "update":
            return self._batch_update(object_type, inputs)
        if verb == "create":
            return self._batch_create(object_type, inputs)
        raise _Reject(error(404, f"batch/{verb} is not emulated", "OBJECT_NOT_FOUND"))

    def _batch_read(self, object_type: str, payload: dict[str, Any]) -> Answer:
        wanted = list(payload.get("properties") or [])
        id_property = payload.get("idProperty")
        results, missing = [], []
        for item in payload["inputs"]:
            key = str(item.get("id", ""))
            if id_property:
                record = next(
                    (
                        r
                        for r in self.objects[object_type].values()
                        if r["properties"].get(id_property) == key and not r["archived"]
                    ),
                    None,
                )
            else:
                record = self.objects[object_type].get(key)
            if record is None or record["archived"]:
                missing.append(key)
            else:
                results.append(self._render(object_type, record, wanted))
        errors = (
            [
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": "Could not get some "
                    f"{object_type} objects, they may be deleted or not exist.",
                    "context": {"ids": missing},
                }
            ]
            if missing
            else []
        )
        return self._batch_envelope(200, results, errors)

    def _batch_update(self, object_type: str, inputs: list[dict[str, Any]]) -> Answer:
        # Validation errors fail the whole batch (400); missing ids fail alone (207).
        staged = []
        problems_all: list[dict[str, Any]] = []
        for item in inputs:
            clean, problems = self._write_values(object_type, item.get("properties", {}))
            for problem in problems:
                problem.setdefault("context", {})["id"] = [str(item.get("id"))]
            problems_all.extend(problems)
            staged.append((str(item.get("id", "")), clean))
        if problems_all:
            raise self._validation_failure(problems_all)
        results, missing, refused = [], [], []
        for rid, clean in staged:
            record = self.objects[object_type].get(rid)
            if record is None or record["archived"]:
                missing.append(rid)
                continue
            if rid in self.reject_ids:
                refused.append(rid)
                continue
            record["properties"].update(clean)
            self._stamp(object_type, record, self._now())
            results.append(self._render(object_type, record, list(clean)))
        errors = []
        if missing:
            errors.append(
                {
                    "status": "error",
                    "category": "OBJECT_NOT_FOUND",
                    "message": f"Could not get some {object_type} objects, they may be deleted "
                    "or not exist.",
                    "context": {"ids": missing},
                }
            )
        for rid in refused:
            errors.append(
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"Record {rid} is locked by a workflow and cannot be updated",
                    "context": {"ids": [rid]},
                }
            )
        return self._batch_envelope(200, results, errors)

    def _batch_create(self, object_type: str, inputs: list[dict[str, Any]]) -> Answer:
        traced = all(item.get("objectWriteTraceId") for item in inputs)
        staged, errors = [], []
        for item in inputs:
            trace = item.get("objectWriteTraceId")
            clean, problems = self._write_values(
                object_type, item.get("properties", {}), creating=True
            )
            try:
                links = self._check_associations(object_type, item.get("associations") or [])
            except _Reject as rejected:
                problems.append(
                    {"message": rejected.answer.body["message"], "code": "INVALID_ASSOCIATION"}
                )
                links = []
            if problems:
                if not traced:
                    # without a trace id per input, HubSpot cannot say which one failed
                    raise self._validation_failure(problems)
                errors.append(
                    {
                        "status": "error",
                        "category": "VALIDATION_ERROR",
                        "message": "; ".join(p["message"] for p in problems),
                        "context": {"objectWriteTraceId": [trace]},
                        "errors": problems,
                    }
                )
                continue
            staged.append((trace, clean, links))
        results = []
        for trace, clean, links in staged:
            record = self._store_new(object_type, clean, links)
            rendered = self._render(object_type, record, list(clean))
            if trace:
                rendered["objectWriteTraceId"] = trace
            results.append(rendered)
        # HubSpot does not promise the inputs' order in batch results
        results.reverse()
        return self._batch_envelope(201, results, errors)

    # ---- search ----------------------------------------------------------------------------
    def _search(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        object_type = self._object_type(args["type"])
        limit = int(payload.get("limit") or 10)
        if limit > SEARCH_LIMIT:
            raise _bad_request(f"limit must be at most {SEARCH_LIMIT}")
        after = int(payload.get("after") or 0)
        if after >= SEARCH_CAP:
            raise _bad_request(
                f"Paging past {SEARCH_CAP} results is not supported: narrow the query "
                "(filter on hs_object_id or a time window)",
                "VALIDATION_ERROR",
            )
        groups = payload.get("filterGroups") or []
        if len(groups) > MAX_FILTER_GROUPS or any(
            len(g.get("filters") or []) > MAX_FILTERS_PER_GROUP for g in groups
        ):
            raise _bad_request(
                f"at most {MAX_FILTER_GROUPS} filterGroups of {MAX_FILTERS_PER_GROUP} filters"
            )
        defs = self.definitions[object_type]
        horizon = self.clock() - timedelta(seconds=self.index_lag_seconds)
        compiled = [self._compile(defs, g) for g in groups]
        matched = [
            r
            for r in self._visible(object_type, False)
            if (not self.index_lag_seconds or r["updatedAt"] <= horizon)
            and (not compiled or any(all(t(r) for t in tests) for tests in compiled))
        ]
        sorts = payload.get("sorts") or []
        if sorts:  # only the first sort is honoured
            first = sorts[0]
            name = first["propertyName"] if isinstance(first, dict) else str(first)
            direction = (
                first.get("direction", "ASCENDING") if isinstance(first, dict) else "ASCENDING"
            )
            definition = defs.get(name)

            def sort_key(r: dict[str, Any]) -> tuple[int, Any]:
                value = props.comparable(definition, r["properties"].get(name))
                return (value is None, value if value is not None else 0)

            matched.sort(key=sort_key, reverse=direction == "DESCENDING")
        window = matched[after : min(after + limit, SEARCH_CAP)]
        body: dict[str, Any] = {
            "total": len(matched),
            "results": [self._render(object_type, r, payload.get("properties")) for r in window],
        }
        if after + limit < len(matched):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return Answer(200, body)

    @staticmethod
    def _compile(defs: dict[str, Any], group: dict[str, Any]) -> list[Callable[[Any], bool]]:
        """One test per filter, with its operand converted once (searches scan every record)."""
        tests: list[Callable[[Any], bool]] = []
        for f in group.get("filters") or []:
            name = f.get("propertyName")
            definition = defs.get(name)
            if definition is None:
                raise _bad_request(f"Property {name} does not exist", "VALIDATION_ERROR")
            op = f.get("operator", "EQ")
            value_of = _getter(name, definition)
            if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
                tests.append(partial(_has, value_of, op == "HAS_PROPERTY"))
            elif op in ("IN", "NOT_IN"):
                values = frozenset(props.comparable(definition, x) for x in f.get("values") or [])
                tests.append(partial(_member, value_of, values, op == "IN"))
            elif op == "BETWEEN":
                low = props.comparable(definition, f.get("value"))
                high = props.comparable(definition, f.get("highValue"))
                tests.append(partial(_between, value_of, low, high))
            elif op == "CONTAINS_TOKEN":
                token = str(f.get("value", "")).lower().strip("*")
                tests.append(partial(_contains, value_of, token))
            elif op in _COMPARE:
                want = props.comparable(definition, f.get("value"))
                tests.append(partial(_compare, value_of, want, op))
            else:
                raise _bad_request(f"operator {op} is not supported")
        return tests

    # ---- associations v4 -------------------------------------------------------------------
    def _assoc_read(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        from_type, to_type = self._object_type(args["from"]), self._object_type(args["to"])
        inputs = payload.get("inputs") or []
        if len(inputs) > ASSOCIATION_BATCH_LIMIT:
            raise _bad_request(
                f"Too many inputs: {len(inputs)}, the maximum is {ASSOCIATION_BATCH_LIMIT}"
            )
        results, missing = [], []
        labels = {1: "Primary", 2: "Primary"}
        for item in inputs:
            from_id = str(item.get("id", ""))
            found = self.associated(from_type, from_id, to_type)
            if not found:
                missing.append(from_id)
                continue
            results.append(
                {
                    "from": {"id": from_id},
                    "to": [
                        {
                            "toObjectId": int(to_id),  # an integer, unlike v3 ids
                            "associationTypes": [
                                {"category": "HUBSPOT_DEFINED", "typeId": k, "label": labels.get(k)}
                                for k in sorted(kinds)
                            ],
                        }
                        for to_id, kinds in sorted(found.items(), key=lambda kv: int(kv[0]))
                    ],
                }
            )
        errors = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": f"No {to_type} is associated with {from_type} {from_id}.",
                "context": {"fromObjectId": [from_id]},
            }
            for from_id in missing
        ]
        return self._batch_envelope(200, results, errors)

    # ---- properties ------------------------------------------------------------------------
    def _props_list(self, args: dict[str, str], _: Any, __: Any) -> Answer:
        object_type = self._object_type(args["type"])
        return Answer(200, {"results": list(self.definitions[object_type].values())})

    def _props_get(self, args: dict[str, str], _: Any, __: Any) -> Answer:
        object_type = self._object_type(args["type"])
        definition = self.definitions[object_type].get(args["name"])
        if definition is None:
            raise _Reject(error(404, f"property {args['name']} does not exist", "OBJECT_NOT_FOUND"))
        return Answer(200, definition)

    def _groups_list(self, args: dict[str, str], _: Any, __: Any) -> Answer:
        object_type = self._object_type(args["type"])
        return Answer(200, {"results": list(self.groups[object_type].values())})

    def _groups_create(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        object_type = self._object_type(args["type"])
        name = str(payload.get("name", ""))
        if not _PROPERTY_NAME.match(name) or not payload.get("label"):
            raise _bad_request("a group needs a lowercase name and a label")
        if name in self.groups[object_type]:
            raise _Reject(error(409, f"group {name} already exists", "CONFLICT"))
        group = {
            "name": name,
            "label": payload["label"],
            "displayOrder": int(payload.get("displayOrder", -1)),
            "archived": False,
        }
        self.groups[object_type][name] = group
        return Answer(201, group)

    def _new_property(self, object_type: str, spec: dict[str, Any]) -> dict[str, Any]:
        name = str(spec.get("name", ""))
        kind, field_type = spec.get("type"), spec.get("fieldType")
        if not _PROPERTY_NAME.match(name):
            raise _bad_request(
                f"{name!r} is not a valid property name (lowercase letters, digits, underscores)"
            )
        if kind not in props.VALID_FIELD_TYPES:
            raise _bad_request(f"{kind!r} is not a valid property type")
        if field_type not in props.VALID_FIELD_TYPES[kind]:
            raise _bad_request(f"fieldType {field_type!r} is not valid for type {kind!r}")
        if spec.get("groupName") not in self.groups[object_type]:
            raise _bad_request(f"property group {spec.get('groupName')!r} does not exist")
        if kind == "enumeration" and not spec.get("options"):
            raise _bad_request("enumeration properties need options")
        if name in self.definitions[object_type]:
            raise _Reject(error(409, f"A property named '{name}' already exists.", "CONFLICT"))
        definition = {
            "name": name,
            "label": spec.get("label") or name,
            "description": spec.get("description", ""),
            "type": kind,
            "fieldType": field_type,
            "groupName": spec["groupName"],
            "options": list(spec.get("options") or []),
            "hasUniqueValue": bool(spec.get("hasUniqueValue", False)),
            "hubspotDefined": False,
            "modificationMetadata": {"readOnlyValue": False, "archivable": True},
        }
        return definition

    def _props_create(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        object_type = self._object_type(args["type"])
        definition = self._new_property(object_type, payload)
        self.definitions[object_type][definition["name"]] = definition
        return Answer(201, definition)

    def _props_batch_create(self, args: dict[str, str], _: Any, payload: dict[str, Any]) -> Answer:
        object_type = self._object_type(args["type"])
        inputs = payload.get("inputs") or []
        results, errors = [], []
        for spec in inputs:
            try:
                definition = self._new_property(object_type, spec)
            except _Reject as rejected:
                errors.append(
                    {
                        "status": "error",
                        "category": rejected.answer.body.get("category", "VALIDATION_ERROR"),
                        "message": rejected.answer.body["message"],
                        "context": {"name": [str(spec.get("name"))]},
                    }
                )
                continue
            self.definitions[object_type][definition["name"]] = definition
            results.append(definition)
        return self._batch_envelope(201, results, errors)
