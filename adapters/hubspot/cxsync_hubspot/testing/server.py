"""Serve a :class:`HubSpotEmulator` on 127.0.0.1 (a free port, plain HTTP).

hubspot-api-client talks urllib3, which the ``responses`` library cannot intercept, so the
emulator runs as a real HTTP server. Injected faults happen here, at the socket: a stalled
answer (the client's read timeout fires) or a connection closed without an answer, each
optionally after the request took effect.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cxsync_hubspot.testing.emulator import HubSpotEmulator
from cxsync_hubspot.testing.shapes import Answer

__all__ = ["serve_emulator", "start_server"]


def _handler(emulator: HubSpotEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as urllib3's pool expects

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            fault = emulator.take_fault(self.command, self.path)
            if fault is not None and not fault.after_apply:
                if fault.kind == "answer" and fault.answer is not None:
                    self._send(fault.answer)
                    return
                if self._disrupt(fault):
                    return
            answer = emulator.handle(self.command, self.path, dict(self.headers), body)
            if fault is not None and fault.after_apply and self._disrupt(fault):
                return
            self._send(answer)

        def _disrupt(self, fault: Any) -> bool:
            """Stall or drop; True when no answer must follow."""
            if fault.kind == "timeout":
                time.sleep(fault.delay)
                return False
            if fault.kind == "drop":
                self.close_connection = True
                self.connection.close()
                return True
            return False

        def _send(self, answer: Answer) -> None:
            data = b"" if answer.body is None else json.dumps(answer.body).encode()
            try:
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                if answer.body is not None:
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                # the client gave up (its timeout fired): nothing left to answer
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the emulator counts calls itself."""

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def start_server(emulator: HubSpotEmulator) -> tuple[str, Callable[[], None]]:
    """Serve ``emulator`` on loopback; returns (base url, stop function)."""
    server = _Server(("127.0.0.1", 0), _handler(emulator))
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="hubspot-emulator", daemon=True
    )
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://127.0.0.1:{server.server_address[1]}", stop


@contextmanager
def serve_emulator(emulator: HubSpotEmulator) -> Iterator[str]:
    """Context-manager form of :func:`start_server`; yields the base URL."""
    url, stop = start_server(emulator)
    try:
        yield url
    finally:
        stop()
