"""What `Client` and `AsyncClient` decide alike, without I/O: arguments, answers, flows, messages.

The two clients differ only in how they carry out a call (botocore and ``time.sleep``, or aiobotocore and
``asyncio.sleep``); everything here is shared, so that a rule fixed once is fixed for both.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, Final, Generic, TypeVar

import attrs
import botocore.config
import botocore.session
from botocore.utils import is_valid_endpoint_url, is_valid_ipv6_endpoint_url

from ._enums import JobStatus, SegmentType
from ._exceptions import (
    ClientClosedError,
    ClientForkedError,
    JobIdMismatchError,
    RekSegError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)
from ._flows.paging import PageFlow, page_flow
from ._flows.retrying import MIN_SOCKET_TIMEOUT, ran_out_of_time
from ._flows.waiting import WaitFlow, WaitProgress, wait_flow
from ._models import Segment
from ._policies import PollPolicy, RetryPolicy
from ._requests import StartOptions, StartRequest, VideoLike, check_page_size, check_segment_types, get_params
from ._results import SegmentDetectionPage, page_from_wire
from ._validation import UNSET, Timeout, TimeoutArg, check_job_id, check_timeout, check_token, redact_url

__all__ = [
    "GET",
    "METHODS",
    "START",
    "FlowRun",
    "ResultDeadline",
    "boto_config",
    "check_client_args",
    "check_progress",
    "describe",
    "detect_request",
    "job_id_of",
    "must_rebuild",
    "note_started_job",
    "page_of",
    "pages_flow",
    "parsed",
    "resolved_timeout",
    "segments_of_page",
    "started",
    "status_of",
    "wait_flow_for",
    "wanted_types",
]

log = logging.getLogger("rekseg")

_T = TypeVar("_T")
_C = TypeVar("_C")
_R = TypeVar("_R")

START: Final = "StartSegmentDetection"
GET: Final = "GetSegmentDetection"
METHODS: Final = {START: "start_segment_detection", GET: "get_segment_detection"}
"""The client method that makes each operation (the same name in botocore and aiobotocore)."""


# -- building and guarding a client --------------------------------------------------------------------------


def boto_config(botocore_config: botocore.config.Config | None) -> botocore.config.Config:
    """Return the configuration of a client rekseg builds: the caller's, with botocore's own retries off.

    rekseg's `RetryPolicy` is the only retry layer: botocore's own would multiply the attempts. ``merge`` lets
    ours win and keeps the type (an aiobotocore ``AioConfig`` stays one), and the caller's ``user_agent_extra``
    is carried over into ours, not replaced.
    """
    theirs = None if botocore_config is None else getattr(botocore_config, "user_agent_extra", None)
    agent = f"{theirs} rekseg" if theirs else "rekseg"
    ours = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}, user_agent_extra=agent)
    return ours if botocore_config is None else botocore_config.merge(ours)


def check_client_args(
    *,
    boto_client: object,
    region_name: object,
    endpoint_url: object,
    profile_name: object,
    botocore_config: object,
    retry: object,
    polling: object,
    kind: str = "a botocore or boto3 rekognition client",
    session: object = None,
) -> None:
    """Raise `ValidationError` for a client argument of the wrong type or a forbidden combination.

    ``kind`` names what ``boto_client`` must be, for the message.
    """
    if session is not None:
        if not isinstance(session, botocore.session.Session):
            raise ValidationError("session", "must be a botocore.session.Session or None", session)
        if boto_client is not None:
            raise ValidationError("session", "cannot be combined with boto_client= (that client is already built)")
        if profile_name is not None:
            raise ValidationError("session", "cannot be combined with profile_name= (the session has its profile)")
    for name, value in (("region_name", region_name), ("endpoint_url", endpoint_url), ("profile_name", profile_name)):
        if value is not None and not isinstance(value, str):
            raise ValidationError(name, "must be a string or None", value)
    if isinstance(endpoint_url, str):
        if not endpoint_url.startswith(("http://", "https://")):
            raise ValidationError("endpoint_url", "must be an http:// or https:// URL", redact_url(endpoint_url))
        if not (is_valid_endpoint_url(endpoint_url) or is_valid_ipv6_endpoint_url(endpoint_url)):
            # botocore would refuse it with a ValueError that repeats the whole URL, password included.
            raise ValidationError("endpoint_url", "must be a URL with a valid host name", redact_url(endpoint_url))
    if botocore_config is not None and not isinstance(botocore_config, botocore.config.Config):
        raise ValidationError("botocore_config", "must be a botocore.config.Config or None", botocore_config)
    if retry is not None and not isinstance(retry, RetryPolicy):
        raise ValidationError("retry", "must be a rekseg.RetryPolicy or None", retry)
    if polling is not None and not isinstance(polling, PollPolicy):
        raise ValidationError("polling", "must be a rekseg.PollPolicy or None", polling)
    if boto_client is None:
        return
    building = [
        name
        for name, value in (
            ("region_name", region_name),
            ("endpoint_url", endpoint_url),
            ("profile_name", profile_name),
            ("botocore_config", botocore_config),
        )
        if value is not None
    ]
    if building:
        raise ValidationError(
            "boto_client",
            "cannot be combined with region_name=, endpoint_url=, profile_name= or botocore_config= "
            "(those build a client; configure the one you pass instead)",
            tuple(building),
        )
    missing = [name for name in METHODS.values() if not callable(getattr(boto_client, name, None))]
    if missing:
        raise ValidationError("boto_client", f"must be {kind} (it has no {', '.join(missing)})", boto_client)


def must_rebuild(*, closed: bool, pid: int, rebuildable: bool) -> bool:
    """Whether the client must build a new botocore client before calling: it is in a process forked from ``pid``.

    After ``os.fork()`` the child holds copies of the parent's pooled sockets; two processes reading answers
    from one socket get each other's answers. A client rekseg built is rebuilt in the child; one handed in
    cannot be, so it is refused.

    Raises:
        ClientClosedError: The client was closed.
        ClientForkedError: Forked, and the botocore client was handed in.
    """
    if closed:
        raise ClientClosedError
    now = os.getpid()
    if now == pid:
        return False
    if not rebuildable:
        raise ClientForkedError(pid, now)
    log.debug("process %d was forked from %d: building a new botocore client", now, pid)
    return True


def describe(name: str, boto: object) -> str:
    """Return a client's repr: its region and endpoint (without credentials), never its keys."""
    meta = getattr(boto, "meta", None)
    region = getattr(meta, "region_name", None)
    endpoint = getattr(meta, "endpoint_url", None)
    if isinstance(endpoint, str):
        endpoint = redact_url(endpoint)
    return f"<{name} region={region!r} endpoint={endpoint!r}>"


# -- checking arguments before anything is sent --------------------------------------------------------------


def check_progress(progress: object) -> None:
    """Raise `ValidationError` unless ``progress`` is a callable or ``None``."""
    if progress is not None and not callable(progress):
        raise ValidationError("progress", "must be a callable taking a WaitProgress, or None", progress)


def detect_request(
    video: VideoLike,
    *,
    timeout: TimeoutArg,
    progress: object,
    page_size: int,
    options: StartOptions,
) -> tuple[Timeout, StartRequest]:
    """Check every argument of ``detect`` before the (billable) job is started; return the timeout and request."""
    limit = check_timeout(timeout)
    check_progress(progress)
    check_page_size(page_size)
    return limit, StartRequest.build(video, **options)


def note_started_job(exc: BaseException, job_id: str) -> None:
    """Name the started job on what escapes ``detect``: ``job_id`` of a `RekSegError`, a note on any other."""
    if isinstance(exc, RekSegError):
        if exc.job_id is None:
            exc.job_id = job_id
    elif sys.version_info >= (3, 11):
        exc.add_note(f"rekseg: segment detection job {job_id} was started and keeps running")


def wait_flow_for(
    job_id: str,
    *,
    page_size: int,
    timeout: Timeout,
    policy: PollPolicy,
    clock: Callable[[], float],
    progress: Callable[[WaitProgress], None] | None,
) -> WaitFlow:
    """Check a wait's job id and page size and return its flow, the timeout resolved against the policy."""
    get_params(job_id, page_size, None)
    limit = resolved_timeout(timeout, policy)
    return wait_flow(job_id=job_id, policy=policy, timeout=limit, clock=clock, progress=progress)


def resolved_timeout(timeout: Timeout, policy: PollPolicy) -> float | None:
    """Return a wait's timeout in seconds (``None``: no bound), the `PollPolicy`'s when ``timeout`` is ``UNSET``."""
    return policy.timeout if timeout is UNSET else timeout


@attrs.define
class ResultDeadline:
    """The deadline a wait's timeout sets on reading the finished job's pages, and the error when it passes.

    A wait returns the whole result, so its timeout bounds the page calls after SUCCEEDED too: each is cut
    at the deadline, none is started after it, and one that fails once it has passed raises `WaitTimeoutError`
    (``last_status`` SUCCEEDED, with ``pages_read``) rather than a transport error.
    """

    job_id: str
    at: float
    """The deadline, a ``time.monotonic`` value."""
    started: float
    polls: int
    pages_read: int = 0

    @classmethod
    def of(cls, job_id: str, timeout: float | None, *, started: float, polls: int) -> ResultDeadline | None:
        """Return the deadline of a wait that started at ``started`` (``None`` for a wait without bound)."""
        return None if timeout is None else cls(job_id, started + timeout, started, polls)

    def passed(self, now: float) -> bool:
        """Whether too little time is left to start another page call."""
        return now + MIN_SOCKET_TIMEOUT > self.at

    def ended(self, exc: RekSegError, *, now: float, started: float, policy: RetryPolicy) -> bool:
        """Whether the page call started at ``started`` raised ``exc`` for lack of the wait's time.

        True when the deadline has passed, or when the call stopped retrying because no time was left before its
        deadline and that deadline was the wait's (not the `RetryPolicy.timeout` of the call itself).
        """
        if self.passed(now):
            return True
        own = None if policy.timeout is None else started + policy.timeout
        return ran_out_of_time(exc) and (own is None or self.at <= own)

    def error(self, now: float) -> WaitTimeoutError:
        """Return the `WaitTimeoutError` of a result not read whole by the deadline."""
        return WaitTimeoutError(
            self.job_id, JobStatus.SUCCEEDED.value, now - self.started, self.polls, pages_read=self.pages_read
        )


def pages_flow(
    job_id: str,
    *,
    page_size: int,
    starting_token: str | None,
    starting_offset: int | None,
    max_pages: int | None,
) -> PageFlow:
    """Check the arguments of ``pages`` and return the page flow; see `Client.pages`."""
    if starting_token is not None:
        check_token(starting_token)
    elif starting_offset is not None:
        raise ValidationError("starting_offset", "is only meaningful with starting_token", starting_offset)
    get_params(job_id, page_size, starting_token)
    if max_pages is not None and (isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1):
        raise ValidationError("max_pages", "must be an int of at least 1, or None", max_pages)
    if starting_offset is not None and (
        isinstance(starting_offset, bool) or not isinstance(starting_offset, int) or starting_offset < 0
    ):
        raise ValidationError("starting_offset", "must be an int of at least 0, or None", starting_offset)
    return page_flow(
        job_id=job_id,
        starting_token=starting_token,
        starting_offset=starting_offset,
        max_pages=max_pages,
        page_size=page_size,
    )


def wanted_types(segment_types: Iterable[SegmentType | str] | None) -> frozenset[SegmentType] | None:
    """Check the ``segment_types`` filter of ``segments``; ``None`` keeps every type."""
    return None if segment_types is None else frozenset(check_segment_types(segment_types))


def segments_of_page(page: SegmentDetectionPage, wanted: frozenset[SegmentType] | None) -> Iterator[Segment]:
    """Yield the page's segments of the wanted types, in the service's order."""
    for segment in page.segments or ():
        if wanted is None or segment.type in wanted:
            yield segment


# -- reading answers ---------------------------------------------------------------------------------------------


def started(request: StartRequest, job_id: str) -> None:
    """Log a started job."""
    log.info("started segment detection job %s for %s", job_id, request.video.s3_object)


def status_of(page: SegmentDetectionPage, job_id: str) -> JobStatus:
    """Return the status a status call's page reports."""
    if page.job_status is None:
        raise RekSegError(f"GetSegmentDetection for job {job_id} returned no JobStatus")
    return page.job_status


def _check_answered_job(response: dict[str, Any], job_id: str) -> None:
    """Refuse an answer that names another job: its segments must never pass for this job's."""
    answered = response.get("JobId")
    if answered is not None and answered != job_id:
        metadata = response.get("ResponseMetadata")
        request_id = metadata.get("RequestId") if isinstance(metadata, dict) else None
        raise JobIdMismatchError(job_id, str(answered), operation=GET, request_id=request_id)


def parsed(operation: str, job_id: str | None, parse: Callable[[dict[str, Any]], _T], response: dict[str, Any]) -> _T:
    """Return ``parse(response)``; an answer of the wrong shape is a (retried) `TransportError`, not bad input."""
    try:
        return parse(response)
    except ValidationError as exc:
        raise TransportError(
            f"{operation}: malformed response body: {exc}", operation=operation, job_id=job_id
        ) from exc


def page_of(response: dict[str, Any], job_id: str) -> SegmentDetectionPage:
    """Return the page a GetSegmentDetection answer holds, checking it is this job's and whole."""
    _check_answered_job(response, job_id)
    page = page_from_wire(response)
    if page.job_status is None:
        # botocore's JSON parser turns a garbled or truncated 200 body into an empty output instead of
        # raising: an answer without its essential field is a transport failure.
        raise TransportError(
            f"{GET}: the response had no JobStatus (garbled or truncated body)", operation=GET, job_id=job_id
        )
    return page


def job_id_of(response: dict[str, Any]) -> str:
    """Return the job id a StartSegmentDetection answer holds."""
    job_id = response.get("JobId")
    if not isinstance(job_id, str) or not job_id:
        raise TransportError(f"{START}: the response had no JobId (garbled or truncated body)", operation=START)
    try:
        check_job_id(job_id)
    except ValidationError as exc:
        # Not an id the service hands out: a garbled answer, retried with the same ClientRequestToken; never an
        # id to log, store or blame the caller's input for later.
        raise TransportError(f"{START}: the response's JobId is no job id (it {exc.rule})", operation=START) from None
    return job_id


# -- running a flow ------------------------------------------------------------------------------------------------


class FlowRun(Generic[_C, _R]):
    """One flow being driven: the command to carry out now, or, once it is done, what it returned.

    The drivers only carry out `command` and hand back its outcome with `answer`: a value, or the
    `RekSegError` the call raised (thrown into the flow, which decides whether it ends the run).

    Attributes:
        command: The command to carry out next (meaningless once `done`).
        done: Whether the flow has ended.
        result: What the flow returned, once `done`.
    """

    def __init__(self, flow: Generator[_C, Any, _R]) -> None:
        self._flow = flow
        self.done = False
        self.result: _R | None = None
        self.command: _C = next(flow)  # every flow yields at least one command

    def _step(self, advance: Callable[[], _C]) -> _C:
        try:
            return advance()
        except StopIteration as stop:
            self.done = True
            self.result = stop.value
            return self.command

    def answer(self, outcome: object) -> None:
        """Hand the outcome of `command` to the flow: a value, or a `RekSegError` that the call raised."""
        if isinstance(outcome, RekSegError):
            self.command = self._step(lambda: self._flow.throw(outcome))
        else:
            self.command = self._step(lambda: self._flow.send(outcome))

    def close(self) -> None:
        """End the flow early (the caller stopped reading)."""
        self._flow.close()
