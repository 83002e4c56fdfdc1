"""The sync driver of `listen_flow`: `rekseg.Client.wait` with a listener runs here."""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from .._calls import ResultDeadline
from .._enums import JobStatus
from .._exceptions import JobFailedError, RekSegError, ValidationError
from .._flows.waiting import WaitProgress
from .._requests import get_params
from .._results import SegmentDetectionResult
from .._validation import UNSET, Timeout
from ._flow import Listen, ListenRun
from ._listener import Listener, acknowledge_or_warn

if TYPE_CHECKING:
    from .._client import Client

__all__ = [
    "DEFAULT_FALLBACK_AFTER",
    "check_fallback_after",
    "check_listen_args",
    "check_listener_args",
    "check_listener_kind",
    "wait_with_listener",
]


DEFAULT_FALLBACK_AFTER: Final = 180.0
"""Seconds without a notification before one GetSegmentDetection call checks the job."""


def check_fallback_after(value: object) -> float:
    """Return ``fallback_after`` in seconds (the default for ``None``), or raise `ValidationError`."""
    if value is None:
        return DEFAULT_FALLBACK_AFTER
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ValidationError("fallback_after", "must be a positive number of seconds", value)
    return float(value)


def check_listen_args(
    job_id: str, *, page_size: int, timeout: Timeout, default_timeout: float | None, fallback_after: float | None
) -> tuple[float | None, float]:
    """Check a wait with a listener before anything is sent; return its timeout and ``fallback_after`` in seconds.

    Raises:
        ValidationError: Bad job id, page size, timeout or ``fallback_after``.
    """
    get_params(job_id, page_size, None)
    limit = default_timeout if timeout is UNSET else timeout
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit >= 0):
        raise ValidationError("timeout", "must be a number of seconds, at least 0, or None", limit)
    return limit, check_fallback_after(fallback_after)


def check_listener_kind(listener: object, *, asynchronous: bool) -> None:
    """Refuse a listener of the other I/O colour (a sync one for `AsyncClient`, an async one for `Client`)."""
    receive = getattr(listener, "receive", None)
    acknowledge = getattr(listener, "acknowledge", None)
    if not callable(receive) or not callable(acknowledge):
        raise ValidationError("listener", "must have receive() and acknowledge(), as SqsListener does", listener)
    if asynchronous and not (inspect.iscoroutinefunction(receive) and inspect.iscoroutinefunction(acknowledge)):
        raise ValidationError(
            "listener", "must be an async listener such as rekseg.aio.AsyncSqsListener for AsyncClient", listener
        )
    if not asynchronous and (inspect.iscoroutinefunction(receive) or inspect.iscoroutinefunction(acknowledge)):
        raise ValidationError(
            "listener", "is an async listener: use it with rekseg.aio.AsyncClient, or use SqsListener here", listener
        )


def check_listener_args(
    fallback_after: object, notification_channel: object, listener: object = None, *, asynchronous: bool = False
) -> None:
    """Check, before a job is started for it, what a wait with a listener needs."""
    if listener is not None:
        check_listener_kind(listener, asynchronous=asynchronous)
    check_fallback_after(fallback_after)
    if notification_channel is None:
        raise ValidationError("listener", "needs notification_channel= (without it no notification is sent)", None)


def wait_with_listener(
    client: Client,
    job_id: str,
    *,
    listener: Listener,
    timeout: Timeout = UNSET,
    fallback_after: float | None = None,
    page_size: int,
    progress: Callable[[WaitProgress], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SegmentDetectionResult:
    """Wait for the job by listening for its notification; see `rekseg.Client.wait`.

    Raises:
        ValidationError: Bad job id, page size, timeout or ``fallback_after``; nothing was sent.
        JobFailedError: The job ended FAILED (or the notification said FAILED or ERROR).
        WaitTimeoutError: The timeout passed first.
    """
    check_listener_kind(listener, asynchronous=False)
    limit, fallback = check_listen_args(
        job_id,
        page_size=page_size,
        timeout=timeout,
        default_timeout=client.polling.timeout,
        fallback_after=fallback_after,
    )

    # The client bounds each status call's retries by this (a time.monotonic value, as its deadlines are).
    started = time.monotonic()
    deadline = None if limit is None else started + limit
    run = ListenRun(job_id, timeout=limit, fallback_after=fallback, clock=clock, progress=progress)
    while run.ended is None:
        if isinstance(run.command, Listen):
            run.heard(listener.receive([job_id], wait=run.command.seconds))
            continue
        try:
            page = client._get_page(job_id, page_size, None, deadline)
        except RekSegError as exc:
            run.polled(exc)
        else:
            run.polled(page)
    if run.ended.status == JobStatus.SUCCEEDED:
        assert run.page is not None  # the flow ends SUCCEEDED only right after a poll that said so
        # The wait's timeout bounds reading the result too, as in a polling wait.
        reading = ResultDeadline.of(job_id, limit, started=started, polls=run.ended.polls)
        result = SegmentDetectionResult.from_pages(client._pages_from(job_id, page_size, run.page, reading))
        acknowledge_or_warn(listener, job_id)
        return result
    acknowledge_or_warn(listener, job_id)
    raise JobFailedError(job_id, run.ended.status_message)
