"""Poll a job until it ends, with a bound on time and a decent interval."""

from __future__ import annotations

import enum
import logging
import random
import time
from collections.abc import Callable
from typing import Final, Literal, TypeAlias

import attrs

from ._enums import JobStatus
from ._exceptions import JobFailedError, WaitTimeoutError
from ._models import SegmentDetectionPage
from ._policies import PollPolicy

__all__ = ["UNSET", "Timeout", "WaitProgress", "wait_for_page"]

log = logging.getLogger("rekseg")


class _Unset(enum.Enum):
    UNSET = enum.auto()


UNSET: Final = _Unset.UNSET
"""Marks an argument not given, as opposed to ``None`` (which means "no bound")."""

Timeout: TypeAlias = float | Literal[_Unset.UNSET] | None


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
    fetch_first: Callable[[], SegmentDetectionPage],
    *,
    job_id: str,
    policy: PollPolicy,
    timeout: Timeout = UNSET,
    progress: Callable[[WaitProgress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SegmentDetectionPage:
    """Call ``fetch_first`` until the job ends; return the page that reported SUCCEEDED (page 1 of the result).

    Raises:
        JobFailedError: The job ended FAILED.
        WaitTimeoutError: The timeout passed first.
    """
    limit = policy.timeout if timeout is UNSET else timeout
    started = clock()
    rng = random.Random()
    polls = 0
    last: JobStatus | None = None
    while True:
        page = fetch_first()
        polls += 1
        last = page.job_status
        elapsed = clock() - started
        if last == JobStatus.SUCCEEDED:
            _report(progress, job_id=job_id, status=last, polls=polls, elapsed=elapsed, delay=None)
            return page
        if last == JobStatus.FAILED:
            _report(progress, job_id=job_id, status=last, polls=polls, elapsed=elapsed, delay=None)
            raise JobFailedError(job_id, page.status_message)
        delay = policy.delay(polls, rng)
        if limit is not None:
            remaining = limit - elapsed
            if remaining <= 0:
                raise WaitTimeoutError(job_id, None if last is None else last.value, elapsed, polls)
            delay = min(delay, remaining)
        _report(progress, job_id=job_id, status=last, polls=polls, elapsed=elapsed, delay=delay)
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
