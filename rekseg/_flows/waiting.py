"""Poll a job until it ends, within a deadline and at a decent interval (a flow without I/O).

`wait_flow` yields `PollJob` (the driver makes one status call bounded by the deadline and sends back the page,
or throws the error it raised into the flow) and `Sleep` (the driver sleeps, with ``time.sleep`` or
``asyncio.sleep``); it returns page 1 of the result.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator
from typing import Final, TypeAlias

import attrs

from .._enums import JobStatus
from .._exceptions import JobFailedError, RekSegError, WaitTimeoutError
from .._policies import PollPolicy
from .._results import SegmentDetectionPage
from .._validation import UNSET, Timeout
from .retrying import is_retryable

__all__ = ["UNSET", "PollJob", "Sleep", "Timeout", "WaitFlow", "WaitProgress", "wait_flow"]

log = logging.getLogger("rekseg")


_LAST_LOOK: Final = 1.0
"""Seconds kept for one last status call when the next regular one would fall past the deadline."""


@attrs.frozen
class WaitProgress:
    """What a waiter knows after each status call; passed to a ``progress`` callback.

    Attributes:
        job_id: The job.
        status: Its status at this call (``None`` if the service sent none).
        polls: Status calls made so far.
        elapsed: Seconds since waiting began.
        next_delay: Seconds until the next status call, or ``None`` when there is none: the job has ended, or
            this was the last look before the wait's timeout.
    """

    job_id: str
    status: JobStatus | None
    polls: int
    elapsed: float
    next_delay: float | None


@attrs.frozen
class PollJob:
    """Make one status call (GetSegmentDetection, page 1) that ends by ``deadline``; send back the page.

    A failed call is thrown into the flow, which decides whether it ends the wait.

    Attributes:
        deadline: A clock value the call must not run past, or ``None``.
    """

    deadline: float | None


@attrs.frozen
class Sleep:
    """Sleep ``seconds``; send back ``None``.

    Attributes:
        seconds: How long.
    """

    seconds: float


WaitFlow: TypeAlias = Generator[PollJob | Sleep, SegmentDetectionPage | None, SegmentDetectionPage]
"""A wait flow: yields commands, receives pages (after `PollJob`) or ``None`` (after `Sleep`), returns page 1."""


def wait_flow(
    *,
    job_id: str,
    policy: PollPolicy,
    timeout: float | None,
    clock: Callable[[], float],
    progress: Callable[[WaitProgress], None] | None = None,
    rng: random.Random | None = None,
) -> WaitFlow:
    """Poll until the job ends; return the page that reported SUCCEEDED (page 1 of the result).

    Each status call is given the wait's deadline (a ``clock`` value, or ``None``) and must not run past it. A
    status call that fails for a passing reason (throttled, a server error or a lost answer, after the call's
    own retries) is a failed look: it is logged and the job is looked at again after the poll delay. The
    timeout is a deadline: no delay is slept past it; when the next regular look would fall past it, one last
    look is made shortly before it, and `WaitTimeoutError` is raised at the deadline.

    Args:
        job_id: The job.
        policy: How often to look.
        timeout: Seconds to wait in all, or ``None`` for no bound (already resolved against the policy).
        clock: A monotonic clock (``time.monotonic``, or the event loop's time).
        progress: Called after every status call.
        rng: Source of the poll delays' jitter.

    Raises:
        JobFailedError: The job ended FAILED.
        WaitTimeoutError: The timeout passed first (chained from the last failed look, if the last look failed).
    """
    rng = rng or random.Random()
    started = clock()
    deadline = None if timeout is None else started + timeout
    polls = 0
    last: JobStatus | None = None
    final = False
    while True:
        polls += 1
        failure: RekSegError | None = None
        try:
            page = yield PollJob(deadline)
        except RekSegError as exc:
            if not is_retryable(exc):
                raise
            failure = exc
            log.warning("status call %d for job %s failed (%s); looking again later", polls, job_id, exc)
        else:
            assert page is not None, "the driver sends back a page for every PollJob"
            last = page.job_status
            if last in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                _report(progress, job_id=job_id, status=last, polls=polls, elapsed=clock() - started, delay=None)
                if last == JobStatus.FAILED:
                    raise JobFailedError(job_id, page.status_message)
                return page
        delay = policy.delay(polls, rng)
        now = clock()
        if deadline is not None:
            remaining = deadline - now
            if final or remaining <= 0:
                # The last look was made shortly before the deadline: reported like every look (no next one),
                # and the wait still ends at the deadline, not earlier.
                _report(progress, job_id=job_id, status=last, polls=polls, elapsed=now - started, delay=None)
                yield Sleep(max(0.0, remaining))
                status = None if last is None else last.value
                raise WaitTimeoutError(job_id, status, clock() - started, polls) from failure
            if delay >= remaining:
                delay = max(0.0, remaining - min(_LAST_LOOK, remaining / 2))
                final = True
        _report(progress, job_id=job_id, status=last, polls=polls, elapsed=now - started, delay=delay)
        log.debug("job %s is %s after %d polls; next look in %.1fs", job_id, last, polls, delay)
        yield Sleep(delay)


def _report(
    progress: Callable[[WaitProgress], None] | None,
    *,
    job_id: str,
    status: JobStatus | None,
    polls: int,
    elapsed: float,
    delay: float | None,
) -> None:
    if progress is not None:
        progress(WaitProgress(job_id, status, polls, elapsed, delay))
