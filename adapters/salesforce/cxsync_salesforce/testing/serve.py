"""Two ways to put the emulator behind HTTP: in-process via ``responses``, or on loopback."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
import responses
from requests import PreparedRequest

from cxsync_salesforce.testing.emulator import EmulatorResponse, SalesforceEmulator
from cxsync_salesforce.testing.shapes import DROPPED, TIMEOUT

__all__ = ["IN_PROCESS_URL", "mock_emulator", "serve_emulator"]

#: the instance URL the in-process mock answers (never resolvable, so nothing leaks out)
IN_PROCESS_URL = "https://emulator.salesforce.invalid"


def _encode(response: EmulatorResponse) -> str:
    if response.body is None:
        return ""
    return response.body if isinstance(response.body, str) else json.dumps(response.body)


@contextmanager
def mock_emulator(
    emulator: SalesforceEmulator, base_url: str = IN_PROCESS_URL
) -> Iterator[responses.RequestsMock]:
    """Answer every request to ``base_url`` from ``emulator``; any other URL fails.

    ``responses`` raises ``ConnectionError`` for a request nothing matches, so an
    unexpected call fails the test.
    """

    def callback(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        answer = emulator.handle(
            request.method or "GET", request.url or "", dict(request.headers), request.body
        )
        if answer.status == TIMEOUT.status:
            raise requests.ReadTimeout("emulated timeout")
        if answer.status == DROPPED.status:
            raise requests.ConnectionError("emulated dropped connection")
        return answer.status, answer.headers, _encode(answer)

    pattern = re.compile(re.escape(base_url) + r"/.*")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            mock.add_callback(method, pattern, callback=callback)
        yield mock


def _handler(emulator: SalesforceEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            answer = emulator.handle(self.command, self.path, dict(self.headers), body)
            if answer.status == DROPPED.status:
                # hang up without a status line: the client sees the connection dropped
                self.close_connection = True
                return
            data = _encode(answer).encode()
            self.send_response(answer.status)
            for key, value in answer.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the emulator's callers count calls themselves."""

    return Handler


def start_server(emulator: SalesforceEmulator) -> tuple[str, Callable[[], None]]:
    """Serve ``emulator`` on 127.0.0.1 (a free port, plain HTTP); returns (url, stop)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(emulator))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://127.0.0.1:{server.server_address[1]}", stop


@contextmanager
def serve_emulator(emulator: SalesforceEmulator) -> Iterator[str]:
    """Context manager form of :func:`start_server`; yields the base URL."""
    url, stop = start_server(emulator)
    try:
        yield url
    finally:
        stop()
