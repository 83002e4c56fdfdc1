"""Poll a job until it ends, with a bound on time and a decent interval."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Final, Literal, TypeAlias

import attrs

from ._enums import JobStatus
from ._exceptions import JobFailedError, RekSegError, WaitTimeoutError
from ._policies import PollPolicy
from ._results import SegmentDetectionPage
from ._translate import is_retryable
from ._validation import UNSET, _Unset

__all__ = ["UNSET", "Timeout", "WaitProgress", "wait_for_page"]

log = logging.getLogger("rekseg")


Timeout: TypeAlias = float | Literal[_Unset.UNSET] | None

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
        next_delay: Seconds until the next status call, or ``None`` when the job has ended.
    """

    job_id: str
    status: JobStatus | None
    polls: int
    elapsed: float
    next_delay: float | None


def wait_for_page(
    fetch_first: Callable[[float | None], SegmentDetectionPage],
    *,
    job_id: str,
    policy: PollPolicy,
    timeout: Timeout = UNSET,
    progress: Callable[[WaitProgress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SegmentDetectionPage:
    """Call ``fetch_first`` until the job ends; return the page that reported SUCCEEDED (page 1 of the result).

    ``fetch_first`` is given the wait's deadline (a ``clock`` value, or ``None``) and must not run past it. A
    status call that fails for a passing reason (throttled, a server error or a lost answer, after the call's
    own retries) is a failed look: it is logged and the job is looked at again after the poll delay. The
    timeout is a deadline: no delay is slept past it; when the next regular look would fall past it, one last
    look is made shortly before it, and `WaitTimeoutError` is raised at the deadline.

    Raises:
        JobFailedError: The job ended FAILED.
        WaitTimeoutError: The timeout passed first (chained from the last failed look, if the last look failed).
    """
    limit = policy.timeout if timeout is UNSET else timeout
    started = clock()
    deadline = None if limit is None else started + limit
    rng = random.Random()
    polls = 0
    last: JobStatus | None = None
    final = False
    while True:
        polls += 1
        failure: RekSegError | None = None
        try:
            page = fetch_first(deadline)
        except RekSegError as exc:
            if not is_retryable(exc):
                raise
            failure = exc
            log.warning("status call %d for job %s failed (%s); looking again later", polls, job_id, exc)
        else:
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
                # The last look was made shortly before the deadline: the wait still ends at it, not earlier.
                sleep(max(0.0, remaining))
                status = None if last is None else last.value
                raise WaitTimeoutError(job_id, status, clock() - started, polls) from failure
            if delay >= remaining:
                delay = max(0.0, remaining - min(_LAST_LOOK, remaining / 2))
                final = True
        _report(progress, job_id=job_id, status=last, polls=polls, elapsed=now - started, delay=delay)
        log.debug("job %s is %s after %d polls; next look in %.1fs", job_id, last, polls, delay)
        sleep(delay)


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
