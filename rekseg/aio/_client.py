"""The asyncio client: the sync client's flows and rules, carried out with aiobotocore and ``asyncio.sleep``."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import botocore.config
import botocore.exceptions
from typing_extensions import Unpack

from .. import _calls as calls
from .._enums import JobStatus, SegmentType
from .._exceptions import RekSegError, TransportError
from .._flows.paging import EmitPage, PageFlow, page_flow
from .._flows.retrying import attempt_timeout, call_deadline, retry_settings
from .._flows.waiting import UNSET, Sleep, Timeout, WaitProgress
from .._models import Segment
from .._policies import PollPolicy, RetryPolicy
from .._requests import StartOptions, StartRequest, VideoLike, get_params
from .._results import SegmentDetectionPage, SegmentDetectionResult
from .._translate import translate
from .._validation import MAX_PAGE_SIZE, TimeoutArg, check_job_id, check_timeout
from ._build import enter_built, make_builder
from ._job import AsyncJob

if TYPE_CHECKING:
    from ._listener import AsyncListener

__all__ = ["AsyncClient", "AsyncRekognitionAPI"]

_T = TypeVar("_T")


class AsyncRekognitionAPI(Protocol):
    """The two calls of an aiobotocore ``rekognition`` client that rekseg makes."""

    def start_segment_detection(self, **params: Any) -> Awaitable[dict[str, Any]]:
        """Start a segment detection job."""

    def get_segment_detection(self, **params: Any) -> Awaitable[dict[str, Any]]:
        """Get one page of a job's status and results."""


async def _within(call: Awaitable[_T], seconds: float) -> _T:
    """Await ``call`` for at most ``seconds``, else cancel it and raise `TimeoutError`.

    Not `asyncio.wait_for`: up to Python 3.11 it swallows a cancellation from outside that lands in the same loop
    step as the answer (the task then goes on as if never cancelled; CPython gh-86296). A cancellation from
    outside always stays a `asyncio.CancelledError` here, and the call is cancelled with it (one code path on
    every Python version; ``asyncio.timeout`` is 3.11+).
    """
    task = asyncio.ensure_future(call)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        await _cancelled(task)
        raise
    if not done:
        await _cancelled(task)
        raise TimeoutError
    return task.result()


async def _cancelled(task: asyncio.Future[Any]) -> None:
    """Cancel ``task`` and wait until it has ended; an answer or error that came too late is dropped, not logged."""
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.exception()  # marks it retrieved: asyncio would log "exception was never retrieved"


async def _bounded(call: Awaitable[dict[str, Any]], deadline: float | None, operation: str, job_id: str | None) -> Any:
    """Await one request, cut off at ``deadline`` (a `time.monotonic` value) as a lost answer would be."""
    if deadline is None:
        return await call
    # Cut where the sync client's socket timeouts would: the same time is then left for a retry.
    seconds = attempt_timeout(deadline - time.monotonic())
    try:
        return await _within(call, seconds)
    except TimeoutError as exc:
        raise TransportError(
            f"{operation}: no answer within {seconds:.2f}s (the call's deadline)", operation=operation, job_id=job_id
        ) from exc


class AsyncClient:
    """The asyncio twin of `rekseg.Client`: the same arguments, defaults, errors, retries and pagination.

    Use it in an ``async with`` block, or ``await`` `close`, to close its pooled connections. The aiobotocore
    client is built on first use (or on entering the block), and reads successful GetSegmentDetection answers
    without aiobotocore's shape walk (a handed-in one keeps its parser); many tasks may share one `AsyncClient`
    in one event loop. Cancelling a task (``task.cancel()``, ``asyncio.timeout``) stops its wait or stream at once and
    drops the connection of a request in flight.

    Args:
        boto_client: An existing aiobotocore ``rekognition`` client to wrap (entered, e.g. with
            ``async with session.create_client(...) as rek``); it stays yours to close. As with `Client`, its
            own retries stay in force under rekseg's.
        region_name: AWS region, when rekseg builds the client.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. `rekseg.testing.Emulator.endpoint_url`).
        profile_name: Named AWS profile, when rekseg builds the client.
        botocore_config: Extra configuration (a ``botocore.config.Config`` or aiobotocore ``AioConfig``), when
            rekseg builds the client; its retry settings are overridden so that aiobotocore makes one request
            per rekseg attempt.
        retry: How to retry a call that failed for a passing reason.
        polling: How often to look at a running job, and for how long.

    Raises:
        ValidationError: An argument of the wrong type, or ``boto_client`` with arguments that build one.
        ConfigurationError: No region could be found, or the named profile does not exist.
        ModuleNotFoundError: rekseg must build the client and aiobotocore is not installed.
    """

    def __init__(
        self,
        *,
        boto_client: AsyncRekognitionAPI | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        botocore_config: botocore.config.Config | None = None,
        retry: RetryPolicy | None = None,
        polling: PollPolicy | None = None,
    ) -> None:
        calls.check_client_args(
            boto_client=boto_client,
            region_name=region_name,
            endpoint_url=endpoint_url,
            profile_name=profile_name,
            botocore_config=botocore_config,
            retry=retry,
            polling=polling,
            kind="an aiobotocore rekognition client",
        )
        self._boto: AsyncRekognitionAPI | None = boto_client
        self._owned: Any = None
        self._build: Callable[[], Any] | None = None
        if boto_client is None:
            self._build = make_builder(region_name, endpoint_url, profile_name, calls.boto_config(botocore_config))
        self._lock: asyncio.Lock | None = None
        self._pid = os.getpid()
        self._closed = False
        self.retry = retry if retry is not None else RetryPolicy()
        self.polling = polling if polling is not None else PollPolicy()

    @property
    def boto_client(self) -> AsyncRekognitionAPI | None:
        """The wrapped aiobotocore client (``None`` until rekseg has built the one it builds)."""
        return self._boto

    def __repr__(self) -> str:
        return calls.describe("rekseg.aio.AsyncClient", self._boto)

    # -- lifecycle ----------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the pooled connections and refuse every later call; safe to call more than once.

        An aiobotocore client rekseg built is closed. One you handed in (``boto_client=``) is left open.
        """
        if self._closed:
            return
        self._closed = True
        owned, self._owned = self._owned, None
        # In a forked child the pool still open is the parent's: leave it to the parent.
        if owned is not None and os.getpid() == self._pid:
            await owned.close()

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

    async def __aenter__(self) -> AsyncClient:
        await self._api()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _check_open(self) -> bool:
        """Refuse a closed client, or a handed-in one after ``os.fork()``; say whether to build anew."""
        return calls.must_rebuild(closed=self._closed, pid=self._pid, rebuildable=self._build is not None)

    async def _api(self) -> AsyncRekognitionAPI:
        """Return the aiobotocore client to call, building it on first use (and anew after ``os.fork()``)."""
        if self._check_open():
            self._boto = self._owned = None
            self._pid = os.getpid()
        if self._boto is not None:
            return self._boto
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._boto is None:
                assert self._build is not None
                self._boto = self._owned = await enter_built(self._build, closed=lambda: self._closed)
        assert self._boto is not None
        return self._boto

    # -- one call, retried ------------------------------------------------------------------------------

    async def _call(
        self,
        operation: str,
        params: dict[str, Any],
        job_id: str | None,
        parse: Callable[[dict[str, Any]], _T],
        deadline: float | None = None,
    ) -> _T:
        """Make one call, retried by the `RetryPolicy` (tenacity's ``AsyncRetrying``); see `Client._call`.

        Each attempt is cut off at the call's deadline, the earlier of ``deadline`` and the policy's timeout.
        """
        import tenacity  # noqa: PLC0415 -- lazy on purpose, see _flows.retrying

        await self._api()  # building the client on first use is not part of the call's time (as in `Client`)
        deadline = call_deadline(self.retry, deadline, time.monotonic())
        method = calls.METHODS[operation]
        async for attempt in tenacity.AsyncRetrying(
            **retry_settings(self.retry, deadline=deadline, clock=time.monotonic)
        ):
            with attempt:
                boto = await self._api()
                try:
                    response = await _bounded(getattr(boto, method)(**params), deadline, operation, job_id)
                except RekSegError:
                    raise
                except Exception as exc:
                    raise translate(exc, operation=operation, job_id=job_id) from exc
                return calls.parsed(operation, job_id, parse, response)
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    async def _get_page(
        self, job_id: str, page_size: int, token: str | None, deadline: float | None = None
    ) -> SegmentDetectionPage:
        params = get_params(job_id, page_size, token)
        return await self._call(calls.GET, params, job_id, lambda response: calls.page_of(response, job_id), deadline)

    # -- jobs ---------------------------------------------------------------------------------------------

    async def start(self, video: VideoLike, **options: Unpack[StartOptions]) -> AsyncJob:
        """Start a segment detection job and return it at once; see `rekseg.Client.start`.

        Raises:
            ValidationError: Bad input or an unknown option; nothing was sent.
            LimitExceededError: Too many concurrent jobs; raised at once, not retried.
            ServiceError: Any other error the service returned.
        """
        return await self._start(StartRequest.build(video, **options))

    async def _start(self, request: StartRequest) -> AsyncJob:
        job_id = await self._call(calls.START, request.to_params(), None, calls.job_id_of)
        calls.started(request, job_id)
        return AsyncJob(self, job_id, video=request.video, job_tag=request.job_tag, segment_types=request.segment_types)

    def job(self, job_id: str) -> AsyncJob:
        """Return a handle on an existing job (no request is made)."""
        check_job_id(job_id)
        return AsyncJob(self, job_id)

    async def status(self, job_id: str) -> JobStatus:
        """Return the job's status with one small GetSegmentDetection call."""
        return calls.status_of(await self._get_page(job_id, 1, None), job_id)

    async def wait(
        self,
        job_id: str,
        *,
        timeout: TimeoutArg = UNSET,
        page_size: int = MAX_PAGE_SIZE,
        progress: Callable[[WaitProgress], None] | None = None,
        listener: AsyncListener | None = None,
        fallback_after: float | None = None,
    ) -> SegmentDetectionResult:
        """Wait for the job to end and return its whole result; see `rekseg.Client.wait`.

        With a ``listener`` (a `rekseg.aio.AsyncSqsListener`) it does not poll while a notification can arrive:
        it listens, and checks the job with one call only after ``fallback_after`` seconds of silence.

        Raises:
            ValidationError: Bad job id, timeout, page size, progress callback or fallback_after; nothing was
                sent.
            JobFailedError: The job ended FAILED (or its notification said FAILED or ERROR).
            WaitTimeoutError: The timeout passed first; the job goes on running.
            JobStatusChangedError: A later page of the result stopped reporting SUCCEEDED.
        """
        limit = check_timeout(timeout)
        calls.check_progress(progress)
        if listener is not None:
            from ._listen import wait_with_listener  # noqa: PLC0415 -- the notifications package loads on use

            return await wait_with_listener(
                self,
                job_id,
                listener=listener,
                timeout=limit,
                fallback_after=fallback_after,
                page_size=page_size,
                progress=progress,
            )
        started = time.monotonic()
        first, polls = await self._wait_first_page(job_id, timeout=limit, page_size=page_size, progress=progress)
        deadline = calls.ResultDeadline.of(
            job_id, calls.resolved_timeout(limit, self.polling), started=started, polls=polls
        )
        flow = page_flow(job_id=job_id, first_page=first, page_size=page_size)
        rest = self._drive_pages(flow, job_id, page_size, deadline)
        return SegmentDetectionResult.from_pages([page async for page in rest])

    async def _wait_first_page(
        self, job_id: str, *, timeout: Timeout, page_size: int, progress: Callable[[WaitProgress], None] | None
    ) -> tuple[SegmentDetectionPage, int]:
        """Poll until the job ends; return the page of the look that saw SUCCEEDED and the number of looks."""
        flow = calls.wait_flow_for(
            job_id, page_size=page_size, timeout=timeout, policy=self.polling, clock=time.monotonic, progress=progress
        )
        run = calls.FlowRun(flow)
        polls = 0
        while not run.done:
            step = run.command
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                run.answer(None)
                continue
            polls += 1
            try:
                page = await self._get_page(job_id, page_size, None, step.deadline)
            except RekSegError as exc:
                run.answer(exc)
            else:
                run.answer(page)
        assert run.result is not None
        return run.result, polls

    async def detect(
        self,
        video: VideoLike,
        *,
        timeout: TimeoutArg = UNSET,
        progress: Callable[[WaitProgress], None] | None = None,
        page_size: int = MAX_PAGE_SIZE,
        listener: AsyncListener | None = None,
        fallback_after: float | None = None,
        **options: Unpack[StartOptions],
    ) -> SegmentDetectionResult:
        """Start a job, wait for it and return its whole result; see `rekseg.Client.detect`.

        Every argument is checked before the (billable) job is started. Once it is started, every exception
        that escapes carries its id (a cancellation too, in a note on Python 3.11+).

        Raises:
            ValidationError: Bad input; nothing was sent and no job started.
            WaitTimeoutError: The timeout passed first; ``job_id`` names the job, which goes on running.
        """
        limit, request = calls.detect_request(
            video, timeout=timeout, progress=progress, page_size=page_size, options=options
        )
        if listener is not None:
            from ..notifications._wait import check_listener_args  # noqa: PLC0415 -- loads on use

            check_listener_args(fallback_after, options.get("notification_channel"), listener, asynchronous=True)
        job = await self._start(request)
        try:
            return await self.wait(
                job.job_id,
                timeout=limit,
                page_size=page_size,
                progress=progress,
                listener=listener,
                fallback_after=fallback_after,
            )
        except BaseException as exc:
            calls.note_started_job(exc, job.job_id)
            raise

    # -- results ------------------------------------------------------------------------------------------

    async def get(self, job_id: str, *, page_size: int = MAX_PAGE_SIZE) -> SegmentDetectionResult:
        """Fetch every page of the job's result and merge them; does not wait; see `rekseg.Client.get`."""
        return SegmentDetectionResult.from_pages([page async for page in self.pages(job_id, page_size=page_size)])

    def pages(
        self,
        job_id: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        starting_token: str | None = None,
        starting_offset: int | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[SegmentDetectionPage]:
        """Yield the job's result page by page (``async for``); see `rekseg.Client.pages`.

        The arguments are checked when it is called, before anything is sent.
        """
        flow = calls.pages_flow(
            job_id,
            page_size=page_size,
            starting_token=starting_token,
            starting_offset=starting_offset,
            max_pages=max_pages,
        )
        self._check_open()
        return self._drive_pages(flow, job_id, page_size)

    async def _drive_pages(
        self, flow: PageFlow, job_id: str, page_size: int, deadline: calls.ResultDeadline | None = None
    ) -> AsyncIterator[SegmentDetectionPage]:
        """Run a page flow: fetch what it asks for, yield what it hands out; by ``deadline``, when a wait set one."""
        run = calls.FlowRun(flow)
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
                    page = await self._get_page(job_id, page_size, step.token, at)
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
    ) -> AsyncIterator[Segment]:
        """Yield the job's segments (``async for``), one page in memory at a time; see `rekseg.Client.segments`."""
        wanted = calls.wanted_types(segment_types)
        # Validated and built now, so bad input raises at the call, not at the first iteration.
        return _segments_of(self.pages(job_id, page_size=page_size), wanted)


async def _segments_of(
    pages: AsyncIterator[SegmentDetectionPage], wanted: frozenset[SegmentType] | None
) -> AsyncIterator[Segment]:
    async for page in pages:
        for segment in calls.segments_of_page(page, wanted):
            yield segment
