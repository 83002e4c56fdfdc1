"""`Emulator`: the emulated service behind a real HTTP socket, with a request log and scripted faults."""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import math
import os
import random
import re
import secrets
import socket
import socketserver
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import attrs
import botocore.config
import botocore.session

from .._enums import JobStatus
from .._exceptions import ValidationError
from ._content import VideoContent, make_source
from ._faults import ERROR_FAULTS, PAGE_FAULTS, PUBLISH, Fault, FaultRule
from ._service import JobState, Notice, Service, ServiceFailure
from ._synthetic import SyntheticVideo

if TYPE_CHECKING:
    import botocore.client

__all__ = [
    "DEFAULT_JOB_LIMIT",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_REGION",
    "DEFAULT_REQUEST_LOG_SIZE",
    "DEFAULT_SOCKET_TIMEOUT",
    "MAX_JSON_DEPTH",
    "Emulator",
    "RecordedRequest",
]

DEFAULT_REGION: Final = "us-east-1"
DEFAULT_JOB_LIMIT: Final = 20
"""Jobs IN_PROGRESS at once before Start raises LimitExceededException, like the service's default quota."""
_TARGET_PREFIX: Final = "RekognitionService."
_JSON_TYPE: Final = "application/x-amz-json-1.1"
_HTML_503: Final = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    b"<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n"
)
DEFAULT_REQUEST_LOG_SIZE: Final = 10_000
"""Requests `Emulator.requests` keeps (the newest); `Emulator.count` counts every one regardless."""
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
"""Largest request body served; the largest real StartSegmentDetection request is a few kilobytes."""
DEFAULT_SOCKET_TIMEOUT: Final = 60.0
"""Seconds a connection may stay silent (idle between requests, or mid-request) before it is closed."""
MAX_JSON_DEPTH: Final = 32
"""Deepest nesting of a request body served; real requests nest four levels."""
_MAX_NOTIFICATIONS: Final = 10_000
"""Completion messages and publish errors kept (the newest)."""
_DIGITS: Final = re.compile(r"[0-9]{1,19}")
_DUMMY_KEY: Final = "testing"
_POLL_INTERVAL: Final = 0.05
"""How often the server loop looks for a shutdown request: bounds how long `Emulator.close` takes."""


@attrs.frozen
class RecordedRequest:
    """One HTTP request the emulator received, faulted or not.

    Attributes:
        operation: ``StartSegmentDetection`` or ``GetSegmentDetection`` (the ``X-Amz-Target`` suffix).
        params: The decoded JSON body (empty when it was not JSON).
        status: The HTTP status sent; 0 when the connection was dropped instead.
        request_id: The ``x-amzn-RequestId`` sent.
        error_code: The ``__type`` of an error answer, else ``None``.
        fault: The injected fault that hit it, if any.
    """

    operation: str
    params: Mapping[str, Any]
    status: int
    request_id: str
    error_code: str | None = None
    fault: Fault | None = None


@functools.cache
def _session() -> botocore.session.Session:
    # Loading the service models is the slow part of making a client: do it once per process.
    return botocore.session.get_session()


_session_lock = threading.Lock()


def _client(service: str, *, region_name: str, endpoint_url: str, config: botocore.config.Config | None) -> Any:
    with _session_lock:
        return _session().create_client(
            service,
            region_name=region_name,
            endpoint_url=endpoint_url,
            aws_access_key_id=_DUMMY_KEY,
            aws_secret_access_key=_DUMMY_KEY,
            config=config,
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64
    emulator: Emulator

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for seconds without DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: botocore pools its connections
    # Headers and body leave in one buffered write, with Nagle off: two small writes on a kept-alive
    # connection would otherwise wait out the client's delayed ACK, 40 ms a request.
    wbufsize = 64 * 1024
    server: _Server
    replied = False

    def log_message(self, format: str, *args: Any) -> None:
        """Keep quiet: requests are recorded in `Emulator.requests` instead."""

    def setup(self) -> None:
        super().setup()
        # A silent client cannot hold a serving thread for ever: BaseHTTPRequestHandler closes on a timeout.
        self.connection.settimeout(self.server.emulator.socket_timeout)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.emulator._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.emulator._untrack(self.connection)

    def do_POST(self) -> None:
        """Answer one JSON 1.1 request."""
        self.server.emulator._serve(self)

    def reply(self, status: int, body: bytes, request_id: str, content_type: str = _JSON_TYPE) -> None:
        """Send a whole answer, with its length and request id."""
        self.replied = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", request_id)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            # The client gave up first (a read timeout on a SLOW answer): nothing left to tell it.
            self.close_connection = True

    def drop(self) -> None:
        """Close the connection halfway through the status line."""
        self.close_connection = True
        try:
            self.wfile.write(b"HTTP/1.1 2")
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _error_body(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()


class _BadRequest(Exception):
    """A request refused before its body is decoded: status, ``__type`` and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@attrs.frozen
class _Unreadable:
    """A body that is not usable JSON, and why."""

    reason: str


_BAD_TOKEN: Final = "X" * 300


def _decode(raw: bytes) -> object:
    """Decode a JSON body; `_Unreadable` when it is not JSON or nests deeper than `MAX_JSON_DEPTH`."""
    try:
        decoded = json.loads(raw or b"{}")
    except RecursionError:
        return _Unreadable(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    except ValueError:
        return _Unreadable("Bad JSON")
    if _depth_over(decoded, MAX_JSON_DEPTH):
        return _Unreadable(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    return decoded


def _depth_over(value: object, limit: int) -> bool:
    """Whether ``value`` nests lists and objects more than ``limit`` deep (checked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _check_int(name: str, value: object, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be an int {bound}, got {value!r}")


def _check_seconds(name: str, value: object, *, zero: bool) -> None:
    if value is None:
        return
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    if not ok or not (value >= 0 if zero else value > 0):  # type: ignore[operator]
        kind = "non-negative" if zero else "positive"
        raise ValueError(f"{name} must be a {kind} number of seconds or None, got {value!r}")


class Emulator:
    """A local Rekognition Video segment-detection service that botocore talks to over real HTTP.

    Serves the JSON 1.1 protocol on ``host`` (an ephemeral ``port`` by default) from a daemon thread, so the
    whole botocore stack (serialisation, signing, retries, parsing) runs unmodified against `endpoint_url`.
    Register what videos contain with `add_video`; every request lands in `requests`; `inject` scripts faults;
    the remaining methods push jobs into the states reliability tests need.

    Jobs report ``IN_PROGRESS`` for the first ``polls_to_complete`` GetSegmentDetection calls on them and then
    end (0 ends them at Start); with ``seconds_to_complete`` they end after that much time instead. A job on a
    video whose registered result is ``FAILED`` ends ``FAILED`` with its ``StatusMessage``. When a job started
    with a NotificationChannel ends, its completion message is recorded in `notifications` and, if
    ``sns_endpoint_url`` is set, published there (for example to moto's server).

    Example:
        >>> with Emulator(polls_to_complete=0) as em:
        ...     em.add_video("s3://bucket/episode.mp4", SyntheticVideo(shots=50))
        ...     rek = em.boto_client()
        ...     job_id = rek.start_segment_detection(
        ...         Video={"S3Object": {"Bucket": "bucket", "Name": "episode.mp4"}}, SegmentTypes=["SHOT"]
        ...     )["JobId"]
        ...     len(rek.get_segment_detection(JobId=job_id)["Segments"])
        50

    Args:
        region_name: The region `boto_client` is made for.
        polls_to_complete: GetSegmentDetection calls a job answers ``IN_PROGRESS`` before it ends.
        seconds_to_complete: End jobs after this many seconds instead of counting polls.
        job_limit: Jobs ``IN_PROGRESS`` at once before Start raises LimitExceededException.
        sns_endpoint_url: Where to publish completion notifications (an SNS endpoint such as moto's server).
        host: Interface to listen on.
        port: Port to listen on; 0 picks a free one.
        model_version: ``ModelVersion`` echoed for segment types whose content does not name one.
        seed: Seed of the random draws of probabilistic faults.
        on_request: Called with each `RecordedRequest` as it is recorded (from the serving thread).
        request_log_size: Requests `requests` keeps, the newest; ``None`` keeps every one, 0 none (`count`
            counts every request either way).
        max_body_bytes: Largest request body served; a larger one is answered HTTP 413 unread.
        socket_timeout: Seconds a connection may stay silent before it is closed; ``None`` waits for ever.

    Raises:
        ValueError: A setting out of range or of the wrong type.
    """

    def __init__(
        self,
        *,
        region_name: str = DEFAULT_REGION,
        polls_to_complete: int = 1,
        seconds_to_complete: float | None = None,
        job_limit: int = DEFAULT_JOB_LIMIT,
        sns_endpoint_url: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        model_version: str = "1.0",
        seed: int | None = None,
        on_request: Callable[[RecordedRequest], None] | None = None,
        request_log_size: int | None = DEFAULT_REQUEST_LOG_SIZE,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        socket_timeout: float | None = DEFAULT_SOCKET_TIMEOUT,
    ) -> None:
        _check_int("polls_to_complete", polls_to_complete, 0)
        _check_seconds("seconds_to_complete", seconds_to_complete, zero=True)
        _check_int("job_limit", job_limit, 1)
        _check_int("port", port, 0, 65535)
        if request_log_size is not None:
            _check_int("request_log_size", request_log_size, 0)
        _check_int("max_body_bytes", max_body_bytes, 1)
        _check_seconds("socket_timeout", socket_timeout, zero=False)
        self.socket_timeout = socket_timeout
        self.max_body_bytes = max_body_bytes
        self.region_name = region_name
        self.sns_endpoint_url = sns_endpoint_url
        self.host = host
        self.port = port
        self.on_request = on_request
        self._service = Service(
            polls_to_complete=polls_to_complete,
            seconds_to_complete=seconds_to_complete,
            job_limit=job_limit,
            model_version=model_version,
            publish=self._publish,
        )
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._requests: collections.deque[RecordedRequest] = collections.deque(maxlen=request_log_size)
        self._counts: collections.Counter[str] = collections.Counter()
        self._faults: list[FaultRule] = []
        self._notifications: collections.deque[dict[str, Any]] = collections.deque(maxlen=_MAX_NOTIFICATIONS)
        self._publish_errors: collections.deque[Exception] = collections.deque(maxlen=_MAX_NOTIFICATIONS)
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._sns: dict[str, Any] = {}
        # Page faults: the tokens EMPTY_PAGES made up (-> the real token, None for page 1), the first token
        # each job handed out (TOKEN_CYCLE goes back to it).
        self._aliases: dict[str, str | None] = {}
        self._first_tokens: dict[str, str] = {}

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> Emulator:
        """Start serving in a daemon thread; returns the emulator itself."""
        if self._server is not None:
            raise RuntimeError("the emulator was already started")
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": _POLL_INTERVAL}, name="rekseg-emulator", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and drop open connections; safe to call more than once."""
        server, self._server = self._server, None
        self._stopping.set()
        self._service.close()
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def endpoint_url(self) -> str:
        """The URL to give botocore, such as ``http://127.0.0.1:54321``."""
        if self._server is None:
            raise RuntimeError("the emulator is not running; start it first")
        return f"http://{self._server.server_name}:{self._server.server_port}"

    def boto_client(self, config: botocore.config.Config | None = None) -> Any:
        """Return a botocore ``rekognition`` client for this emulator, with dummy credentials.

        botocore's own retries are off (``total_max_attempts=1``) unless ``config`` sets ``retries``: each call
        makes exactly one request, so a test that wraps this client in `rekseg.Client` tests rekseg's
        `RetryPolicy`, not botocore's retry mode.
        """
        once = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
        merged = once if config is None else once.merge(config)
        return _client("rekognition", region_name=self.region_name, endpoint_url=self.endpoint_url, config=merged)

    # -- content and settings ------------------------------------------------------------------------------

    def add_video(self, uri: str, result: VideoContent) -> None:
        """Register what the video at ``s3://bucket/key`` contains.

        Args:
            uri: The video as ``s3://bucket/key``, matched against the Bucket and Name jobs are started on.
            result: A `SegmentDetectionResult`, a GetSegmentDetection response dict, or a `SyntheticVideo`
                (rendered page by page, so even a million shots are never all held). Jobs return the types they
                request, in request order, filtered by their MinSegmentConfidence.
        """
        if not uri.startswith("s3://") or "/" not in uri[5:]:
            raise ValueError(f"a video is named s3://bucket/key, got {uri!r}")
        if isinstance(result, SyntheticVideo):
            # Refuse now what could only fail later, inside every GetSegmentDetection on the video.
            try:
                result.plan()
            except ValidationError as exc:
                raise ValidationError(f"{uri}: {exc.field}", exc.rule, exc.value) from None
        self._service.add_video(uri, make_source(result))

    def add_media(self, uri: str, path: str | os.PathLike[str]) -> None:
        """Serve a video file on disk at ``s3://bucket/key``: jobs answer with what is really in it.

        The file is detected with `rekseg.local.detect_file` (needs ``rekseg[local]``) when the first job on it
        needs the result, once; every job after that is served from the cached result, with pagination, faults
        and notifications as for any other video. A file that cannot be detected makes its jobs end ``FAILED``.

        Raises:
            ValueError: ``uri`` is not ``s3://bucket/key``.
            rekseg.local.MediaError: ``path`` is not a file.
        """
        if not uri.startswith("s3://") or "/" not in uri[5:]:
            raise ValueError(f"a video is named s3://bucket/key, got {uri!r}")
        from ._media import MediaSource  # noqa: PLC0415 - only emulators serving files need it

        if not Path(path).is_file():
            from ..local import MediaError  # noqa: PLC0415 - PyAV loads only when local media is used

            raise MediaError(os.fspath(path), "no such file")
        self._service.add_video(uri, MediaSource(path))

    @property
    def empty_final_token(self) -> bool:
        """Whether the last page carries ``NextToken: ""`` instead of no NextToken."""
        return self._service.empty_final_token

    @empty_final_token.setter
    def empty_final_token(self, value: bool) -> None:
        self._service.empty_final_token = value

    @property
    def open_connections(self) -> int:
        """How many client connections are open now (to check that a client closes its pool)."""
        with self._lock:
            return len(self._connections)

    @property
    def jobs(self) -> Mapping[str, JobState]:
        """Snapshots of every job started, by JobId."""
        return self._service.jobs()

    # -- the request log -----------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (a copy): the newest ``request_log_size`` of them."""
        with self._lock:
            return list(self._requests)

    def count(self, operation: str | None = None) -> int:
        """Return how many requests were received, of one operation or of all (the log's bound aside)."""
        with self._lock:
            if operation is None:
                return self._counts.total()
            return self._counts[operation]

    def clear_requests(self) -> None:
        """Forget the requests received so far, and their count."""
        with self._lock:
            self._requests.clear()
            self._counts.clear()

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """Completion messages of jobs started with a NotificationChannel, in the order they ended."""
        with self._lock:
            return list(self._notifications)

    @property
    def publish_errors(self) -> list[Exception]:
        """Errors raised while publishing notifications to ``sns_endpoint_url``."""
        with self._lock:
            return list(self._publish_errors)

    # -- faults --------------------------------------------------------------------------------------------

    def inject(
        self,
        fault: Fault,
        *,
        operation: str | None = None,
        times: int | None = 1,
        probability: float | None = None,
        delay: float | None = None,
    ) -> FaultRule:
        """Answer matching requests with ``fault``.

        Rules are tried in the order they were injected; the first that fires decides.

        Args:
            fault: What to send.
            operation: ``StartSegmentDetection`` or ``GetSegmentDetection``; ``None`` means any.
            times: How many requests to hit; ``None`` means for ever.
            probability: Chance that each matching request is hit; ``None`` means every one.
            delay: Seconds to wait before answering; `Fault.SLOW` waits 1 second unless told.

        Returns:
            The rule, whose ``fired`` counts the requests it hit.
        """
        fault = Fault(fault)
        if fault in PAGE_FAULTS:
            operation = "GetSegmentDetection"
        rule = FaultRule(fault=fault, operation=operation, times=times, probability=probability, delay=delay)
        with self._lock:
            self._faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, operation: str, params: Mapping[str, Any]) -> FaultRule | None:
        with self._lock:
            for rule in self._faults:
                if rule.fault is Fault.TOKEN_CYCLE and not self._cycles(params):
                    continue
                if rule.take(operation, self._rng):
                    self._faults = [r for r in self._faults if not r.exhausted]
                    return rule
        return None

    # -- job hooks -----------------------------------------------------------------------------------------

    def complete_job(self, job_id: str) -> None:
        """End a job ``SUCCEEDED`` now."""
        self._service.finish(job_id, JobStatus.SUCCEEDED)

    def fail_job(self, job_id: str, message: str = "The job failed.") -> None:
        """End a job ``FAILED`` now, with ``message`` as its StatusMessage."""
        self._service.finish(job_id, JobStatus.FAILED, message)

    def expire_job(self, job_id: str) -> None:
        """Make a job's results gone, as after 7 days: Get raises ResourceNotFoundException."""
        self._service.expire_job(job_id)

    def expire_tokens(self, job_id: str | None = None) -> None:
        """Expire every NextToken issued so far (for one job, or all): they raise InvalidPaginationTokenException."""
        self._service.expire_tokens(job_id)

    def repeat_token(self, job_id: str, times: int = 1) -> None:
        """Make the next ``times`` Get calls on a job that pass a NextToken hand that same token back."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times!r}")
        self._service.repeat_token(job_id, times)

    # -- serving -------------------------------------------------------------------------------------------

    def _track(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _untrack(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _record(self, request: RecordedRequest, *, notify: bool = True) -> None:
        with self._lock:
            self._requests.append(request)
            self._counts[request.operation] += 1
        if notify and self.on_request is not None:
            self.on_request(request)

    def _serve(self, handler: _Handler) -> None:
        target = handler.headers.get("X-Amz-Target") or ""
        operation = target[len(_TARGET_PREFIX) :] if target.startswith(_TARGET_PREFIX) else target
        request_id = str(uuid.uuid4())
        handler.replied = False
        try:
            try:
                raw = self._read_body(handler)
            except _BadRequest as exc:
                # What is left of the body on the connection cannot be told from the next request.
                handler.close_connection = True
                self._record(RecordedRequest(operation, {}, exc.status, request_id, exc.code))
                handler.reply(exc.status, _error_body(exc.code, exc.message), request_id)
                return
            self._answer(handler, operation, raw, request_id)
        except Exception as exc:  # noqa: BLE001 -- whatever fails, the client gets an answer, not a dropped connection
            handler.close_connection = True
            if handler.replied:
                return
            message = f"the emulator failed: {type(exc).__name__}: {exc}"
            # Not handed to on_request: it may be what failed.
            self._record(RecordedRequest(operation, {}, 500, request_id, "InternalServerError"), notify=False)
            handler.reply(500, _error_body("InternalServerError", message), request_id)

    def _read_body(self, handler: _Handler) -> bytes:
        """Read the request body, refusing what cannot be read safely."""
        if handler.headers.get("Transfer-Encoding"):
            raise _BadRequest(411, "LengthRequiredException", "send the body with a Content-Length, not chunked")
        lengths = handler.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        if len(set(lengths)) > 1 or _DIGITS.fullmatch(lengths[0].strip()) is None:
            raise _BadRequest(400, "BadRequestException", f"unreadable Content-Length: {', '.join(lengths)[:100]!r}")
        length = int(lengths[0])
        if length > self.max_body_bytes:
            raise _BadRequest(
                413,
                "RequestEntityTooLargeException",
                f"a body of {length} bytes is over the emulator's limit of {self.max_body_bytes}",
            )
        raw = handler.rfile.read(length)
        if len(raw) < length:
            raise _BadRequest(400, "BadRequestException", f"the body ended after {len(raw)} of {length} bytes")
        return bytes(raw)

    def _answer(self, handler: _Handler, operation: str, raw: bytes, request_id: str) -> None:
        decoded = _decode(raw)
        params: dict[str, Any] = decoded if isinstance(decoded, dict) else {}
        rule = self._take_fault(operation, params)
        fault = None if rule is None else rule.fault
        if fault is not None and (fault in ERROR_FAULTS or fault is Fault.HTML_503):
            status, code, message = ERROR_FAULTS.get(fault, (503, None, ""))
            self._record(RecordedRequest(operation, params, status, request_id, code, fault))
            if self._pause(rule):
                if code is None:
                    handler.reply(status, _HTML_503, request_id, "text/html")
                else:
                    handler.reply(status, _error_body(code, message), request_id)
            return
        if isinstance(decoded, _Unreadable):
            status, code, body = 400, "SerializationException", _error_body("SerializationException", decoded.reason)
        elif not isinstance(decoded, dict):
            status, code, body = 400, "SerializationException", _error_body("SerializationException", "Bad JSON")
        else:
            try:
                answer = self._service.handle(operation, self._unalias(params))
            except ServiceFailure as exc:
                status, code, body = exc.status, exc.code, _error_body(exc.code, exc.message)
            else:
                if operation == "GetSegmentDetection":
                    answer = self._rewrite(fault, params, answer)
                    if fault is Fault.BAD_NEXT_TOKEN:
                        answer["NextToken"] = _BAD_TOKEN
                status, code, body = 200, None, json.dumps(answer).encode()
        if fault is Fault.CONNECTION_DROP:
            self._record(RecordedRequest(operation, params, 0, request_id, code, fault))
            handler.drop()
            return
        if fault is Fault.TRUNCATED_JSON:
            body = body[: len(body) // 2]
        elif fault is Fault.MALFORMED_JSON:
            body = b"<InternalFailure>not json" + body[:16]
        self._record(RecordedRequest(operation, params, status, request_id, code, fault))
        if self._pause(rule):
            handler.reply(status, body, request_id)

    # -- page faults -----------------------------------------------------------------------------------------

    def _unalias(self, params: dict[str, Any]) -> dict[str, Any]:
        """Swap a token EMPTY_PAGES made up for the real one it stands for."""
        token = params.get("NextToken")
        with self._lock:
            if not isinstance(token, str) or token not in self._aliases:
                return params
            real = self._aliases[token]
        served = {k: v for k, v in params.items() if k != "NextToken"}
        if real is not None:
            served["NextToken"] = real
        return served

    def _cycles(self, params: Mapping[str, Any]) -> bool:
        """Whether TOKEN_CYCLE can hit this request: it carries a token other than its job's first (lock held)."""
        token = params.get("NextToken")
        first = self._first_tokens.get(str(params.get("JobId")))
        return bool(token) and first is not None and token != first

    def _rewrite(self, fault: Fault | None, params: Mapping[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        """Apply a page fault to a GetSegmentDetection answer, and note the first token each job hands out."""
        job_id = str(answer.get("JobId") or params.get("JobId"))
        if fault is Fault.EMPTY_PAGES and answer.get("JobStatus") == "SUCCEEDED":
            alias = secrets.token_urlsafe(24)
            with self._lock:
                token = params.get("NextToken")
                self._aliases[alias] = self._aliases.get(token, token) if isinstance(token, str) else None
            answer = {**answer, "Segments": [], "NextToken": alias}
        elif fault is Fault.TOKEN_CYCLE:
            with self._lock:
                first = self._first_tokens.get(job_id)
            if first is not None:
                answer = {**answer, "NextToken": first}
        elif fault is Fault.JOB_IN_PROGRESS:
            answer = {k: v for k, v in answer.items() if k in ("JobId", "Video", "JobTag")}
            answer["JobStatus"] = "IN_PROGRESS"
        elif fault is Fault.WRONG_JOB_ID:
            answer = {**answer, "JobId": secrets.token_hex(32)}
        token = answer.get("NextToken")
        if token:
            with self._lock:
                self._first_tokens.setdefault(job_id, str(token))
        return answer

    def _pause(self, rule: FaultRule | None) -> bool:
        """Wait out a fault's delay; ``False`` when the emulator closed meanwhile."""
        if rule is None or rule.wait <= 0:
            return True
        return not self._stopping.wait(rule.wait)

    # -- notifications -------------------------------------------------------------------------------------

    def _publish(self, notice: Notice) -> None:
        with self._lock:
            self._notifications.append(notice.message)
        if self.sns_endpoint_url is None:
            return
        rule = self._take_fault(PUBLISH, {})
        copies = {Fault.LOST_NOTIFICATION: 0, Fault.DUPLICATE_NOTIFICATION: 2}.get(rule.fault, 1) if rule else 1
        region = notice.topic_arn.split(":")[3] or self.region_name
        try:
            sns = self._sns.get(region)
            if sns is None:
                sns = self._sns[region] = _client(
                    "sns", region_name=region, endpoint_url=self.sns_endpoint_url, config=None
                )
            for _ in range(copies):
                sns.publish(TopicArn=notice.topic_arn, Message=json.dumps(notice.message))
        except Exception as exc:  # noqa: BLE001 -- a failed publish must not fail the request that ended the job
            with self._lock:
                self._publish_errors.append(exc)
