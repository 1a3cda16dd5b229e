"""Fixtures for the fault suite: the portal behind the Salesforce emulator, runs against it,
and the reference a clean, fault-free run leaves behind.

In-process portals answer through the strict ``responses`` mock (an unexpected URL fails
the test); served portals listen on loopback, for the subprocess runs that get SIGKILLed
and for faults that need a real socket. Every in-process run uses the same ``NOW``, so a
faulted portal and the clean reference score health at the same instant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cxsync_salesforce.testing import (
    IN_PROCESS_URL,
    EmulatorResponse,
    SalesforceEmulator,
    emulator_settings,
    install_cx_fields,
    mock_emulator,
    start_server,
)
from requests import PreparedRequest

from cxsync.engine.summary import RunSummary
from tests.faults.portal import crm_state, seed, write_feedback
from tests.faults.runs import NOW, PortalRuns

#: the retry budget of one API call (the emulator's test settings use 3)
MAX_ATTEMPTS = 4
PAGE_SIZE = 100  # three pages of contacts: a run can stop between them
LOGIN_URL = "https://login.salesforce.com/services/Soap/u/59.0"
_SOAP_LOGIN = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><loginResponse>'
    "<result><serverUrl>{url}/services/Soap/u/59.0/00D</serverUrl>"
    "<sessionId>{sid}</sessionId></result></loginResponse></soapenv:Body></soapenv:Envelope>"
)
PASSWORD_FLOW = {
    "flow": "password",
    "username": "integration@bayi.example",
    "password": "pw-not-a-secret",
    "security_token": "tok",
    "session_id": None,
    "instance_url": None,
}


@dataclass
class Portal(PortalRuns):
    """One seeded org, one state store, and the runs against them."""

    crm: ClassVar[str] = "salesforce"
    root: Path
    emulator: SalesforceEmulator
    base_url: str = IN_PROCESS_URL
    settings: dict[str, Any] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    def adapter_settings(self) -> dict[str, Any]:
        merged = {
            **emulator_settings(self.base_url, self.emulator.session_id),
            "max_attempts": MAX_ATTEMPTS,
            "backoff_max_seconds": 0.001,  # the waits are real sleeps: keep them short
            **self.settings,
        }
        return {k: v for k, v in merged.items() if v is not None}

    def state(self) -> dict[str, Any]:
        return crm_state(self.emulator)


def new_portal(root: Path, base_url: str = IN_PROCESS_URL, *, stale: bool = False) -> Portal:
    emulator = SalesforceEmulator(page_size=PAGE_SIZE)
    install_cx_fields(emulator)
    seed(emulator, stale=stale)
    write_feedback(root / "feedback", NOW)
    return Portal(root, emulator, base_url)


@dataclass(frozen=True)
class Reference:
    """What a clean run does and leaves behind."""

    first: RunSummary
    runs: int
    requests: list[tuple[str, str]]
    state: dict[str, Any]


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    portal = new_portal(tmp_path_factory.mktemp("clean"))
    portal.emulator.journal = []
    with mock_emulator(portal.emulator):
        first = portal.sync()
        requests = [(m, p) for m, p, _ in portal.emulator.journal]
        portal.emulator.journal = None
        assert first.status == "ok", first.exit_reason
        runs = 1 + len(portal.settle())
    return Reference(first, runs, requests, portal.state())


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    """A portal answered in-process; the strict mock also answers password logins."""
    made = new_portal(tmp_path)
    with mock_emulator(made.emulator) as mock:
        mock.add_callback("POST", LOGIN_URL, callback=_login(made))
        yield made


def _login(portal: Portal) -> Callable[[PreparedRequest], tuple[int, dict[str, str], str]]:
    def answer(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        portal.logins.append(portal.emulator.session_id)
        body = _SOAP_LOGIN.format(url=portal.base_url, sid=portal.emulator.session_id)
        return 200, {"Content-Type": "text/xml"}, body

    return answer


@pytest.fixture
def served_portal(tmp_path: Path) -> Iterator[Portal]:
    """A portal on a loopback server, reachable from subprocesses."""
    made = new_portal(tmp_path)
    url, stop = start_server(made.emulator)
    made.base_url = url
    try:
        yield made
    finally:
        stop()


def sf_error(status: int, code: str, message: str, **headers: str) -> EmulatorResponse:
    """An error answer in Salesforce's shape (a JSON array of {message, errorCode})."""
    return EmulatorResponse(status, [{"message": message, "errorCode": code}], dict(headers))


def throttled() -> EmulatorResponse:
    return sf_error(429, "REQUEST_LIMIT", "too many requests", **{"Retry-After": "0"})


def unavailable() -> EmulatorResponse:
    return sf_error(503, "SERVER_UNAVAILABLE", "Service Unavailable")


_POINTS = re.compile(r"= -?\d+\.\d points")


def at_another_instant(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with what depends on the scoring instant taken out of the drivers text.

    A driver's points (one decimal) come from time-decayed weights, and drivers are listed
    weakest first: a value on a rounding edge (6.25) prints 6.2 at one instant and 6.3 a
    minute later, and two drivers at 100/100 swap places. Runs in a subprocess score at
    their own wall-clock time, not at the suite's fixed ``NOW``.
    """

    def drivers(text: str) -> str:
        head, *lines = text.split("\n")
        return "\n".join([head, *sorted(_POINTS.sub("= … points", line) for line in lines)])

    accounts = {
        rid: {k: drivers(v) if k == "cx_health_drivers" else v for k, v in fields.items()}
        for rid, fields in state["accounts"].items()
    }
    return {**state, "accounts": accounts}


def assert_same_state(
    actual: dict[str, Any],
    expected: dict[str, Any],
    sections: tuple[str, ...] = ("contacts", "accounts", "tasks"),
) -> None:
    """Every cx field of every record, and the Tasks, as the clean run left them."""
    for section in (s for s in sections if s != "tasks"):
        got, want = actual[section], expected[section]
        assert got.keys() == want.keys(), section
        diffs = {
            rid: {
                k: (got[rid].get(k), want[rid].get(k))
                for k in sorted(got[rid].keys() | want[rid].keys())
                if got[rid].get(k) != want[rid].get(k)
            }
            for rid in got
            if got[rid] != want[rid]
        }
        assert not diffs, f"{len(diffs)} {section} differ (got, clean): {list(diffs.items())[:3]}"
    if "tasks" in sections:
        keys = [t[0] for t in actual["tasks"]]
        assert len(keys) == len(set(keys)), "a follow-up key was created twice"
        missing = sorted(set(expected["tasks"]) - set(actual["tasks"]))
        extra = sorted(set(actual["tasks"]) - set(expected["tasks"]))
        assert not missing and not extra, f"tasks missing {missing[:3]}, extra {extra[:3]}"


def written_ids(journal: list[tuple[str, str, bytes | str | None]]) -> list[list[str]]:
    """The record ids of each field write (Collections PATCH) in a request journal."""
    return [
        [str(r["id"]) for r in json.loads(body or "{}")["records"]]
        for method, path, body in journal
        if method == "PATCH" and path == "composite/sobjects"
    ]


def assert_sent_first(journal: list[tuple[str, str, bytes | str | None]], keys: set[str]) -> None:
    """The field writes waiting under ``keys`` (``contact:<id>``…) went out before any other."""
    waiting = {key.split(":", 1)[1] for key in keys}
    sent: set[str] = set()
    for chunk in written_ids(journal):
        if waiting <= sent:
            return
        assert set(chunk) <= waiting, "a fresh write went out before the outbox was empty"
        sent |= set(chunk)
    assert waiting <= sent, "the outbox was not sent"
