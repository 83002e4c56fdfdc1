"""The client: start jobs, wait for them, page through their results, retry what is worth retrying."""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, cast

import botocore.config
import botocore.exceptions
import botocore.session
from typing_extensions import Unpack

from ._calls import (
    GET,
    METHODS,
    START,
    FlowRun,
    ResultDeadline,
    boto_config,
    check_client_args,
    check_progress,
    describe,
    detect_request,
    job_id_of,
    must_rebuild,
    note_started_job,
    page_of,
    pages_flow,
    parsed,
    resolved_timeout,
    segments_of_page,
    started,
    status_of,
    wait_flow_for,
    wanted_types,
)
from ._enums import JobStatus, SegmentType
from ._exceptions import RekSegError
from ._fastparse import install_fast_parser
from ._flows.paging import EmitPage, PageFlow, page_flow
from ._flows.retrying import attempt_timeout, call_deadline, retry_settings
from ._flows.waiting import UNSET, Sleep, Timeout, WaitProgress
from ._job import Job
from ._models import Segment
from ._policies import PollPolicy, RetryPolicy
from ._requests import StartOptions, StartRequest, VideoLike, get_params
from ._results import SegmentDetectionPage, SegmentDetectionResult
from ._translate import translate
from ._validation import MAX_PAGE_SIZE, TimeoutArg, check_job_id, check_timeout

if TYPE_CHECKING:
    from .notifications import Listener

__all__ = ["Client", "RekognitionAPI"]

log = logging.getLogger("rekseg")

_T = TypeVar("_T")

_BOTOCORE_DEFAULT_TIMEOUT: Final = 60.0
"""botocore's default connect and read timeouts, in seconds."""
_MAX_SIBLINGS: Final = 16
"""Clients with shortened timeouts kept at once (each costs about 10 ms to build)."""


class RekognitionAPI(Protocol):
    """The two calls of a botocore or boto3 ``rekognition`` client that rekseg makes."""

    def start_segment_detection(self, **params: Any) -> dict[str, Any]:
        """Start a segment detection job."""

    def get_segment_detection(self, **params: Any) -> dict[str, Any]:
        """Get one page of a job's status and results."""


class _BotoClients:
    """The botocore client rekseg built, and siblings of it whose socket timeouts fit in the time left.

    botocore fixes ``connect_timeout`` and ``read_timeout`` per client, so an attempt that must end before a
    deadline is made with a sibling built from the same session and configuration but shorter timeouts.
    Timeouts are rounded down to a coarse grid (`attempt_timeout`) so that a few cached siblings serve every
    deadline.
    """

    def __init__(
        self,
        session: botocore.session.Session,
        config: botocore.config.Config,
        *,
        region_name: str | None,
        endpoint_url: str | None,
        call_timeout: float | None = None,
        service: str = "rekognition",
    ) -> None:
        self._session = session
        self._service = service  # "sqs" for rekseg.notifications.SqsListener
        if call_timeout is not None:
            # A call may take `RetryPolicy.timeout` in all, so its first attempt must not wait longer: cap the
            # socket timeouts just below it (on the grid), so that the base client serves every first attempt.
            cap = attempt_timeout(call_timeout)
            read = float(getattr(config, "read_timeout", None) or _BOTOCORE_DEFAULT_TIMEOUT)
            connect = float(getattr(config, "connect_timeout", None) or _BOTOCORE_DEFAULT_TIMEOUT)
            if read > cap or connect > cap:
                config = config.merge(
                    botocore.config.Config(read_timeout=min(read, cap), connect_timeout=min(connect, cap))
                )
        self._config = config
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._lock = threading.Lock()
        self._siblings: dict[float, RekognitionAPI] = {}
        self.base = self._build(config)
        meta_config = self.base.meta.config  # type: ignore[attr-defined]
        self._read_timeout = float(meta_config.read_timeout)
        self._connect_timeout = float(meta_config.connect_timeout)

    def _build(self, config: botocore.config.Config) -> RekognitionAPI:
        client = self._session.create_client(
            self._service, region_name=self._region_name, endpoint_url=self._endpoint_url, config=config
        )
        return cast("RekognitionAPI", client)

    def close(self) -> None:
        """Close the pooled connections of the client and of every sibling."""
        with self._lock:
            clients = [self.base, *self._siblings.values()]
            self._siblings.clear()
        for client in clients:
            close = getattr(client, "close", None)
            if callable(close):
                close()

    def within(self, seconds: float) -> RekognitionAPI:
        """Return a client whose connect and read timeouts are at most ``seconds`` (but not below the floor)."""
        if seconds >= self._read_timeout and seconds >= self._connect_timeout:
            return self.base
        timeout = attempt_timeout(seconds)
        with self._lock:
            client = self._siblings.get(timeout)
            if client is None:
                if len(self._siblings) >= _MAX_SIBLINGS:
                    self._siblings.pop(next(iter(self._siblings)))
                shorter = botocore.config.Config(
                    read_timeout=min(timeout, self._read_timeout), connect_timeout=min(timeout, self._connect_timeout)
                )
                client = self._siblings[timeout] = self._build(self._config.merge(shorter))
            return client


def _make_boto_client(
    *,
    region_name: str | None,
    endpoint_url: str | None,
    profile_name: str | None,
    botocore_config: botocore.config.Config | None,
    call_timeout: float | None = None,
    session: botocore.session.Session | None = None,
) -> _BotoClients:
    if session is None:
        session = botocore.session.Session(profile=profile_name)
    # Successful GetSegmentDetection answers skip botocore's shape walk (rekseg._fastparse).
    install_fast_parser(session)
    config = boto_config(botocore_config)
    return _BotoClients(session, config, region_name=region_name, endpoint_url=endpoint_url, call_timeout=call_timeout)


class Client:
    """A Rekognition Video segment detection client that speaks in `Segment` objects.

    Use it in a ``with`` block, or call `close`, to close its pooled connections. After ``os.fork()`` a client
    rekseg built makes itself a new botocore client in the child; one around a handed-in client refuses to run
    there (`ClientForkedError`).

    A botocore client rekseg builds (from its own session or from ``session=``) reads successful
    GetSegmentDetection answers on a fast path that skips botocore's shape walk; signing, endpoints, HTTP,
    events, errors and request ids stay botocore's (see "Fast response path" in the docs). A handed-in
    ``boto_client`` parses as botocore always does: same results, more time per page.

    Args:
        boto_client: An existing botocore or boto3 ``rekognition`` client to wrap (the slow path). Its own retry
            configuration stays in force *under* rekseg's: each of rekseg's attempts may make up to
            botocore's ``total_max_attempts`` requests, so the worst case is the product of both. Build it
            with ``Config(retries={"total_max_attempts": 1})`` to let `RetryPolicy` alone decide, or pass
            ``retry=RetryPolicy.none()`` to let botocore alone decide. rekseg cannot shorten its socket
            timeouts, so a call may overrun `RetryPolicy.timeout` or a ``wait`` timeout by up to its
            ``read_timeout``; and botocore's "standard" mode retries LimitExceededException by itself
            before rekseg sees it (rekseg then raises `LimitExceededError` at once).
        region_name: AWS region, when rekseg builds the client.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. `rekseg.testing.Emulator.endpoint_url`).
        profile_name: Named AWS profile, when rekseg builds the client.
        session: A ``botocore.session.Session`` (your credentials, profile, region and event hooks) for rekseg
            to build its client from, on the fast path. rekseg registers its parser factory as the session's
            ``response_parser_factory`` component, which changes only successful GetSegmentDetection answers
            of the session's later clients (see `rekseg.install_fast_parser`); a factory you registered is
            kept, and the client then takes the slow path. Not with ``boto_client`` or ``profile_name``.
        botocore_config: Extra botocore configuration (timeouts, proxies), when rekseg builds the client;
            its retry settings are overridden so that botocore makes one request per rekseg attempt.
        retry: How to retry a call that failed for a passing reason.
        polling: How often to look at a running job, and for how long.

    Raises:
        ValidationError: An argument of the wrong type, or ``boto_client`` with arguments that build one, or
            ``session`` with ``boto_client`` or ``profile_name``.
        ConfigurationError: No region could be found.
    """

    def __init__(
        self,
        *,
        boto_client: RekognitionAPI | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        botocore_config: botocore.config.Config | None = None,
        retry: RetryPolicy | None = None,
        polling: PollPolicy | None = None,
        session: botocore.session.Session | None = None,
    ) -> None:
        check_client_args(
            boto_client=boto_client,
            region_name=region_name,
            endpoint_url=endpoint_url,
            profile_name=profile_name,
            botocore_config=botocore_config,
            retry=retry,
            polling=polling,
            session=session,
        )
        self._rebuild: Callable[[], _BotoClients] | None = None
        self._built: _BotoClients | None = None
        if boto_client is None:
            self._rebuild = functools.partial(
                _make_boto_client,
                region_name=region_name,
                endpoint_url=endpoint_url,
                profile_name=profile_name,
                botocore_config=botocore_config,
                call_timeout=(retry or RetryPolicy()).timeout,
                session=session,
            )
            try:
                self._built = self._rebuild()
                boto_client = self._built.base
            except botocore.exceptions.BotoCoreError as exc:
                raise translate(exc, operation="CreateClient") from exc
        self._boto = boto_client
        self._pid = os.getpid()
        self._closed = False
        self.retry = retry if retry is not None else RetryPolicy()
        self.polling = polling if polling is not None else PollPolicy()

    @property
    def boto_client(self) -> RekognitionAPI:
        """The wrapped botocore client."""
        return self._boto

    def __repr__(self) -> str:
        return describe("rekseg.Client", self._boto)

    # -- lifecycle ----------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled connections and refuse every later call; safe to call more than once.

        A botocore client rekseg built is closed. One you handed in (``boto_client=``) is left open: it is
        yours, and may serve others; close it yourself.
        """
        if self._closed:
            return
        self._closed = True
        # In a forked child the pool still open is the parent's: leave it to the parent.
        if self._built is not None and os.getpid() == self._pid:
            self._built.close()

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    def __enter__(self) -> Client:
        self._api()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _api(self, deadline: float | None = None) -> RekognitionAPI:
        """Return the botocore client to call: never a closed one, never one whose pool a parent process shares.

        After ``os.fork()`` the child holds copies of the parent's pooled sockets; two processes reading
        answers from one socket get each other's answers. A client rekseg built is rebuilt in the child; one
        handed in cannot be, so it is refused. Given a ``deadline`` (a `time.monotonic` value), a client rekseg
        built is one whose socket timeouts end by it.
        """
        if must_rebuild(closed=self._closed, pid=self._pid, rebuildable=self._rebuild is not None):
            assert self._rebuild is not None
            try:
                self._built = self._rebuild()
            except botocore.exceptions.BotoCoreError as exc:
                raise translate(exc, operation="CreateClient") from exc
            self._boto = self._built.base
            self._pid = os.getpid()
        if deadline is not None and self._built is not None:
            return self._built.within(deadline - time.monotonic())
        return self._boto

    # -- one call, retried ------------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        params: dict[str, Any],
        job_id: str | None,
        parse: Callable[[dict[str, Any]], _T],
        deadline: float | None = None,
    ) -> _T:
        """Make one call, retried by the `RetryPolicy`; return ``parse`` of its answer.

        ``parse`` turns the response into the result, raising `TransportError` (or `ValidationError`, for a
        body of the wrong shape) when the answer is unusable: that is retried like a lost answer. The call ends
        by the earlier of ``deadline`` (a `time.monotonic` value) and the policy's ``timeout``: no backoff is
        slept that would pass it (the last error is raised at once instead), and each attempt's socket
        timeouts are shortened to the time left when rekseg built the botocore client.
        """
        import tenacity  # noqa: PLC0415 -- tenacity (and the asyncio it imports) loads on the first call

        deadline = call_deadline(self.retry, deadline, time.monotonic())
        method = METHODS[operation]
        for attempt in tenacity.Retrying(**retry_settings(self.retry, deadline=deadline, clock=time.monotonic)):
            with attempt:
                boto = self._api(deadline)
                try:
                    response = getattr(boto, method)(**params)
                except Exception as exc:
                    raise translate(exc, operation=operation, job_id=job_id) from exc
                return parsed(operation, job_id, parse, response)
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    def _get_page(
        self, job_id: str, page_size: int, token: str | None, deadline: float | None = None
    ) -> SegmentDetectionPage:
        params = get_params(job_id, page_size, token)
        return self._call(GET, params, job_id, lambda response: page_of(response, job_id), deadline)

    # -- jobs ---------------------------------------------------------------------------------------------

    def start(self, video: VideoLike, **options: Unpack[StartOptions]) -> Job:
        """Start a segment detection job and return it at once.

        Args:
            video: ``s3://bucket/key`` (``?versionId=`` allowed), an `S3Object` or a `Video`.
            **options: The `StartOptions`: ``segment_types`` (default both, shots first), ``shot_filter``,
                ``technical_cue_filter``, ``notification_channel``, ``job_tag`` and ``client_request_token``
                (starting again with the same token within 7 days returns the same job *and publishes no new
                notification*; when omitted, rekseg sends a fresh one so its own retries cannot start a
                second job).

        Raises:
            ValidationError: Bad input or an unknown option; nothing was sent.
            LimitExceededError: Too many concurrent jobs; raised at once, not retried.
            ServiceError: Any other error the service returned.
        """
        return self._start(StartRequest.build(video, **options))

    def _start(self, request: StartRequest) -> Job:
        job_id = self._call(START, request.to_params(), None, job_id_of)
        started(request, job_id)
        return Job(self, job_id, video=request.video, job_tag=request.job_tag, segment_types=request.segment_types)

    def job(self, job_id: str) -> Job:
        """Return a handle on an existing job (no request is made)."""
        check_job_id(job_id)
        return Job(self, job_id)

    def status(self, job_id: str) -> JobStatus:
        """Return the job's status with one small GetSegmentDetection call."""
        return status_of(self._get_page(job_id, 1, None), job_id)

    def wait(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = UNSET,
        page_size: int = MAX_PAGE_SIZE,
        progress: Callable[[WaitProgress], None] | None = None,
        listener: Listener | None = None,
        fallback_after: float | None = None,
    ) -> SegmentDetectionResult:
        """Wait for the job to end and return its whole result.

        The status call is GetSegmentDetection with ``page_size``, so the call that sees SUCCEEDED is page 1:
        a job of N segments costs polls + ceil(N/page_size) - 1 calls in all.

        With a ``listener`` (a `rekseg.notifications.SqsListener`) it does not poll while a notification can
        arrive: it listens, and checks the job with one call only after ``fallback_after`` seconds of silence
        (a reused ClientRequestToken publishes nothing; messages get lost). Such a wait costs ceil(N/page_size)
        calls plus those fallback polls.

        Args:
            job_id: The job.
            timeout: Seconds (or a `datetime.timedelta`) to wait; ``None`` waits without bound; default from
                the `PollPolicy`.
            page_size: Segments per page, 1-1000.
            progress: Called after every status call with a `WaitProgress`.
            listener: Hear the job's completion notification instead of polling.
            fallback_after: With a listener, seconds of silence before one status call (default 180).

        Raises:
            ValidationError: Bad job id, timeout, page size, progress callback or fallback_after; nothing was
                sent.
            JobFailedError: The job ended FAILED (or its notification said FAILED or ERROR).
            WaitTimeoutError: The timeout passed first; the job goes on running.
            JobStatusChangedError: A later page of the result stopped reporting SUCCEEDED.
        """
        limit = check_timeout(timeout)
        check_progress(progress)
        if listener is not None:
            from .notifications._wait import wait_with_listener  # noqa: PLC0415 -- import rekseg stays light

            return wait_with_listener(
                self,
                job_id,
                listener=listener,
                timeout=limit,
                fallback_after=fallback_after,
                page_size=page_size,
                progress=progress,
            )
        started = time.monotonic()
        first, polls = self._wait_first_page(job_id, timeout=limit, page_size=page_size, progress=progress)
        deadline = ResultDeadline.of(job_id, resolved_timeout(limit, self.polling), started=started, polls=polls)
        return SegmentDetectionResult.from_pages(self._pages_from(job_id, page_size, first, deadline))

    def _wait_first_page(
        self, job_id: str, *, timeout: Timeout, page_size: int, progress: Callable[[WaitProgress], None] | None
    ) -> tuple[SegmentDetectionPage, int]:
        """Poll until the job ends; return the page of the look that saw SUCCEEDED and the number of looks."""
        flow = wait_flow_for(
            job_id, page_size=page_size, timeout=timeout, policy=self.polling, clock=time.monotonic, progress=progress
        )
        run = FlowRun(flow)
        polls = 0
        while not run.done:
            step = run.command
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                run.answer(None)
                continue
            polls += 1
            try:
                page = self._get_page(job_id, page_size, None, step.deadline)
            except RekSegError as exc:
                run.answer(exc)
            else:
                run.answer(page)
        assert run.result is not None
        return run.result, polls

    def detect(
        self,
        video: VideoLike,
        *,
        timeout: TimeoutArg = UNSET,
        progress: Callable[[WaitProgress], None] | None = None,
        page_size: int = MAX_PAGE_SIZE,
        listener: Listener | None = None,
        fallback_after: float | None = None,
        **options: Unpack[StartOptions],
    ) -> SegmentDetectionResult:
        """Start a job, wait for it and return its whole result; see `start` (the `StartOptions`) and `wait`.

        Every argument is checked before the (billable) job is started. Once it is started, every exception
        that escapes carries its id: a `RekSegError` in ``job_id``, any other in a note (Python 3.11+). With a
        ``listener`` it waits as `wait` does with one; ``notification_channel`` is then required.

        Raises:
            ValidationError: Bad input; nothing was sent and no job started.
            WaitTimeoutError: The timeout passed first; ``job_id`` names the job, which goes on running.
        """
        limit, request = detect_request(video, timeout=timeout, progress=progress, page_size=page_size, options=options)
        if listener is not None:
            from .notifications._wait import check_listener_args  # noqa: PLC0415 -- import rekseg stays light

            check_listener_args(fallback_after, options.get("notification_channel"), listener)
        job = self._start(request)
        try:
            return self.wait(
                job.job_id,
                timeout=limit,
                page_size=page_size,
                progress=progress,
                listener=listener,
                fallback_after=fallback_after,
            )
        except BaseException as exc:
            note_started_job(exc, job.job_id)
            raise

    # -- results ------------------------------------------------------------------------------------------

    def get(self, job_id: str, *, page_size: int = MAX_PAGE_SIZE) -> SegmentDetectionResult:
        """Fetch every page of the job's result and merge them; does not wait for a running job.

        Raises:
            JobInProgressError: The job is still running: `wait` for it instead.
            JobFailedError: The job failed.
            PaginationError: The pages could not be read whole; see `pages`.
        """
        return SegmentDetectionResult.from_pages(self.pages(job_id, page_size=page_size))

    def pages(
        self,
        job_id: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        starting_token: str | None = None,
        starting_offset: int | None = None,
        max_pages: int | None = None,
    ) -> Iterator[SegmentDetectionPage]:
        """Yield the job's result page by page, following NextToken to the end.

        Resumable: stop after ``max_pages``, keep the last page's ``next_token`` (and how many segments you
        have seen), and continue later with ``starting_token`` (and ``starting_offset``). Tokens live 24
        hours. A token that expires mid-iteration restarts from the first page and skips what was already
        yielded, so nothing is lost or repeated; a resumed iteration can do the same only when given
        ``starting_offset``.

        Raises:
            ValidationError: Bad job id, page size, token or offset (an offset needs a token); nothing was sent.
            JobNotFoundError: Unknown job, or its results expired (kept 7 days).
            InvalidPaginationTokenError: A token was refused and could not be recovered.
            JobInProgressError: The job is still running: `wait` for it first.
            JobFailedError: The job failed.
            JobStatusChangedError: A later page stopped reporting SUCCEEDED.
            JobIdMismatchError: An answer was for another job.
            PaginationError: The service handed back a token already followed, or the pages would not end.
            ResultChangedError: A re-read after an expired token did not match what was already yielded.
            ClientClosedError: The client was closed.
        """
        flow = pages_flow(
            job_id,
            page_size=page_size,
            starting_token=starting_token,
            starting_offset=starting_offset,
            max_pages=max_pages,
        )
        self._api()
        return self._drive_pages(flow, job_id, page_size)

    def _pages_from(
        self, job_id: str, page_size: int, first: SegmentDetectionPage, deadline: ResultDeadline | None = None
    ) -> Iterator[SegmentDetectionPage]:
        flow = page_flow(job_id=job_id, first_page=first, page_size=page_size)
        return self._drive_pages(flow, job_id, page_size, deadline)

    def _drive_pages(
        self, flow: PageFlow, job_id: str, page_size: int, deadline: ResultDeadline | None = None
    ) -> Iterator[SegmentDetectionPage]:
        """Run a page flow: fetch what it asks for, yield what it hands out; by ``deadline``, when a wait set one."""
        run = FlowRun(flow)
        try:
            while not run.done:
                step = run.command
                if isinstance(step, EmitPage):
                    if deadline is not None:
                        deadline.pages_read += 1
                    yield step.page
                    run.answer(None)
                    continue
                if deadline is not None and deadline.passed(now := time.monotonic()):
                    raise deadline.error(now)
                at = None if deadline is None else deadline.at
                call_started = time.monotonic()
                try:
                    page = self._get_page(job_id, page_size, step.token, at)
                except RekSegError as exc:
                    now = time.monotonic()
                    if deadline is not None and deadline.ended(exc, now=now, started=call_started, policy=self.retry):
                        raise deadline.error(now) from exc
                    run.answer(exc)
                else:
                    run.answer(page)
        finally:
            run.close()

    def segments(
        self,
        job_id: str,
        *,
        segment_types: Iterable[SegmentType | str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Segment]:
        """Yield the job's segments in the service's order, holding one page in memory at a time.

        Args:
            job_id: The job.
            segment_types: Yield only these types; default all.
            page_size: Segments per request, 1-1000.

        Raises:
            JobInProgressError: The job is still running: `wait` for it first.
            JobFailedError: The job failed.
            PaginationError: The pages could not be read whole; see `pages`.
        """
        wanted = wanted_types(segment_types)
        # Validated and built now, so bad input raises at the call, not at the first next().
        pages = self.pages(job_id, page_size=page_size)
        return _segments_of(pages, wanted)


def _segments_of(pages: Iterator[SegmentDetectionPage], wanted: frozenset[SegmentType] | None) -> Iterator[Segment]:
    for page in pages:
        yield from segments_of_page(page, wanted)
