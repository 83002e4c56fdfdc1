"""The asyncio driver of `listen_flow`: `rekseg.aio.AsyncClient.wait` with a listener runs here."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._calls import ResultDeadline
from .._enums import JobStatus
from .._exceptions import JobFailedError, RekSegError
from .._flows.paging import page_flow
from .._flows.waiting import WaitProgress
from .._results import SegmentDetectionResult
from .._validation import Timeout
from ..notifications._flow import Listen, ListenRun
from ..notifications._wait import check_listen_args, check_listener_kind
from ._listener import AsyncListener, acknowledge_or_warn

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["wait_with_listener"]


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
    started = time.monotonic()
    deadline = None if limit is None else started + limit
    run = ListenRun(job_id, timeout=limit, fallback_after=fallback, clock=time.monotonic, progress=progress)
    while run.ended is None:
        if isinstance(run.command, Listen):
            run.heard(await listener.receive([job_id], wait=run.command.seconds))
            continue
        try:
            page = await client._get_page(job_id, page_size, None, deadline)
        except RekSegError as exc:
            run.polled(exc)
        else:
            run.polled(page)
    if run.ended.status == JobStatus.SUCCEEDED:
        assert run.page is not None  # the flow ends SUCCEEDED only right after a poll that said so
        flow = page_flow(job_id=job_id, first_page=run.page, page_size=page_size)
        # The wait's timeout bounds reading the result too, as in a polling wait.
        reading = ResultDeadline.of(job_id, limit, started=started, polls=run.ended.polls)
        rest = client._drive_pages(flow, job_id, page_size, reading)
        result = SegmentDetectionResult.from_pages([p async for p in rest])
        await acknowledge_or_warn(listener, job_id)
        return result
    await acknowledge_or_warn(listener, job_id)
    raise JobFailedError(job_id, run.ended.status_message)
