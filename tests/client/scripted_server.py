"""A tiny HTTP server on 127.0.0.1 that answers each request with the next scripted response.

For the faults the emulator cannot produce: hostile bodies, odd headers, answers that are slow on purpose.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs


@attrs.frozen
class Reply:
    """One scripted answer.

    Attributes:
        status: HTTP status.
        body: Raw body bytes (a dict is sent as JSON).
        headers: Extra headers.
        delay: Seconds to wait before answering.
    """

    status: int = 200
    body: bytes | dict[str, Any] = b"{}"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0

    def raw(self) -> bytes:
        """Return the body as bytes."""
        return json.dumps(self.body).encode() if isinstance(self.body, dict) else self.body


def error(status: int, code: str | None, message: str = "scripted") -> Reply:
    """Return a JSON 1.1 error reply; ``code=None`` leaves ``__type`` out."""
    body: dict[str, Any] = {"message": message}
    if code is not None:
        body["__type"] = code
    return Reply(status, body)


def running() -> Reply:
    """Return a GetSegmentDetection answer for a job still running."""
    return Reply(200, {"JobStatus": "IN_PROGRESS"})


def succeeded(**extra: Any) -> Reply:
    """Return a GetSegmentDetection answer for a finished job without segments."""
    return Reply(200, {"JobStatus": "SUCCEEDED", "Segments": [], **extra})


class ScriptedServer:
    """Answer request N with ``script[N]``, and every request past the script with ``then``.

    Attributes:
        targets: The ``X-Amz-Target`` of every request received, in order.
        bodies: The decoded JSON body of every request received, in order.
        times: ``time.monotonic()`` at which each request arrived.
    """

    def __init__(self, script: list[Reply], then: Reply | None = None) -> None:
        self._script = list(script)
        self._then = then
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.targets: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.times: list[float] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def endpoint_url(self) -> str:
        """The URL to give botocore."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def count(self) -> int:
        """Requests received so far."""
        with self._lock:
            return len(self.targets)

    def _next(self, target: str, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.targets.append(target)
            self.bodies.append(body)
            self.times.append(time.monotonic())
            if self._script:
                return self._script.pop(0)
        if self._then is None:
            raise AssertionError(f"request {len(self.targets)} ({target}) is past the script")
        return self._then

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Keep quiet."""

            def do_POST(self) -> None:
                """Answer with the next scripted reply."""
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = outer._next(self.headers.get("X-Amz-Target") or "", json.loads(raw or b"{}"))
                if reply.delay and outer._stopping.wait(reply.delay):
                    return
                body = reply.raw()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("x-amzn-RequestId", f"req-{outer.count}")
                    for name, value in reply.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True

        return Handler

    def close(self) -> None:
        """Stop serving."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def scripted(script: list[Reply], then: Reply | None = None) -> Iterator[ScriptedServer]:
    """Run a `ScriptedServer` for the duration of the block."""
    server = ScriptedServer(script, then)
    server._thread.start()
    try:
        yield server
    finally:
        server.close()


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
