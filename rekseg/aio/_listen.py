"""The asyncio driver of `listen_flow`: `rekseg.aio.AsyncClient.wait` with a listener runs here."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._enums import JobStatus
from .._exceptions import JobFailedError, RekSegError, WaitTimeoutError
from .._flows.paging import page_flow
from .._flows.retrying import is_retryable
from .._flows.waiting import WaitProgress
from .._results import SegmentDetectionPage, SegmentDetectionResult
from .._validation import Timeout
from ..notifications._flow import Command, Ended, Heard, Listen, Polled, listen_flow
from ..notifications._wait import check_listen_args, check_listener_kind
from ._sqs import AsyncListener, acknowledge_or_warn

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["wait_with_listener"]

log = logging.getLogger("rekseg")


async def wait_with_listener(
    client: AsyncClient,
    job_id: str,
    *,
    listener: AsyncListener,
    timeout: Timeout,
    fallback_after: float | None,
    page_size: int,
    progress: Callable[[WaitProgress], None] | None = None,
) -> SegmentDetectionResult:
    """Wait for the job by listening for its notification; see `rekseg.aio.AsyncClient.wait`.

    Raises:
        ValidationError: Bad job id, page size, timeout or ``fallback_after``; nothing was sent.
        JobFailedError: The job ended FAILED (or the notification said FAILED or ERROR).
        WaitTimeoutError: The timeout passed first.
    """
    check_listener_kind(listener, asynchronous=True)
    limit, fallback = check_listen_args(
        job_id,
        page_size=page_size,
        timeout=timeout,
        default_timeout=client.polling.timeout,
        fallback_after=fallback_after,
    )
    clock = time.monotonic
    started = clock()
    deadline = None if limit is None else started + limit
    flow = listen_flow(job_id, timeout=limit, fallback_after=fallback, clock=clock)
    page: SegmentDetectionPage | None = None
    polls = 0
    command: Command = next(flow)
    while True:
        answer: Heard | Polled
        if isinstance(command, Listen):
            answer = Heard(tuple(await listener.receive([job_id], wait=command.seconds)))
        else:
            polls += 1
            try:
                page = await client._get_page(job_id, page_size, None, deadline)
            except RekSegError as exc:
                # A status call that failed for a passing reason does not end the wait: listen on, look again.
                if not is_retryable(exc):
                    raise
                log.warning("status call for job %s failed (%s); listening on", job_id, exc)
                page = None
                answer = Polled(None)
            else:
                answer = Polled(page.job_status, page.status_message)
                log.debug("job %s is %s (%s poll)", job_id, page.job_status, command.reason)
        try:
            command = flow.send(answer)
        except StopIteration as stop:
            ended: Ended = stop.value
            break
        except WaitTimeoutError:
            if isinstance(answer, Polled) and progress is not None:  # the last look before the timeout
                progress(WaitProgress(job_id, answer.status, polls, clock() - started, None))
            raise
        if isinstance(answer, Polled) and progress is not None:
            progress(WaitProgress(job_id, answer.status, polls, clock() - started, fallback))
    if progress is not None:
        progress(WaitProgress(job_id, ended.status, ended.polls, clock() - started, None))
    if ended.status == JobStatus.SUCCEEDED:
        assert page is not None  # the flow ends SUCCEEDED only right after a poll that said so
        rest = client._drive_pages(page_flow(job_id=job_id, first_page=page), job_id, page_size)
        result = SegmentDetectionResult.from_pages([p async for p in rest])
        await acknowledge_or_warn(listener, job_id)
        return result
    await acknowledge_or_warn(listener, job_id)
    raise JobFailedError(job_id, ended.status_message)
