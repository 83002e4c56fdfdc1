"""The decisions of waiting for a job with a listener, without I/O.

`listen_flow` is a generator in the manner of httpx's ``auth_flow``: it *yields* a command (`Listen` up to so
many seconds, or `Poll` the job once) and *receives* the answer (`Heard`, `Polled`). It returns `Ended` when the
job has ended, and raises `WaitTimeoutError` when the deadline passes. It imports neither botocore nor ``time``:
the clock is passed in, so a driver for any I/O colour (and a test) can run it. `ListenRun` wraps one run of it
with what both drivers need besides I/O: counting polls, logging, and reporting progress.

The rules:

- Listen, never poll, while a notification can arrive.
- After ``fallback_after`` seconds without news, poll once (a reused ClientRequestToken publishes nothing, and
  messages get lost), then listen again.
- A notification for the job is confirmed by one poll, which is also page 1 of the result, so a job costs
  Start + ceil(N/page size) Get calls plus the fallback polls.
- FAILED or ERROR ends the wait as failed, with the service's StatusMessage when the poll gives one.
- Shortly before the deadline (`LAST_LOOK` seconds, or half the timeout if shorter), one last poll; if the job
  still runs, listen to the deadline, then `WaitTimeoutError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable
from typing import Final, TypeAlias

import attrs

from .._enums import JobStatus
from .._exceptions import RekSegError, WaitTimeoutError
from .._flows.retrying import is_retryable
from .._flows.waiting import WaitProgress
from .._results import SegmentDetectionPage
from ._parse import CompletionNotification, NotificationStatus

__all__ = [
    "LAST_LOOK",
    "MAX_LISTEN",
    "Command",
    "Ended",
    "Heard",
    "Listen",
    "ListenRun",
    "Poll",
    "Polled",
    "listen_flow",
]

log = logging.getLogger("rekseg")

MAX_LISTEN: Final = 20.0
"""Longest single listen: SQS long polling waits at most 20 seconds."""
LAST_LOOK: Final = 1.0
"""Seconds before the deadline at which the last poll is made, so that it is not squeezed against it."""


@attrs.frozen
class Listen:
    """Listen for the job's completion notification for up to ``seconds``; answer with `Heard`."""

    seconds: float


@attrs.frozen
class Poll:
    """Look at the job once (GetSegmentDetection, first page); answer with `Polled`.

    Attributes:
        reason: ``"confirm"`` (a notification arrived), ``"fallback"`` (silence) or ``"deadline"`` (last look).
    """

    reason: str


Command: TypeAlias = Listen | Poll


@attrs.frozen
class Heard:
    """The notifications a `Listen` brought (possibly none, possibly of other jobs)."""

    notifications: tuple[CompletionNotification, ...] = ()


@attrs.frozen
class Polled:
    """What a `Poll` saw."""

    status: JobStatus | None
    status_message: str | None = None


@attrs.frozen
class Ended:
    """The job has ended; the last `Poll` answered for it.

    Attributes:
        status: ``SUCCEEDED`` or ``FAILED`` (a notification's ERROR ends as FAILED).
        status_message: Why it failed, when known.
        notification: The notification that announced the end, or ``None`` when a fallback poll found it.
        polls: Polls made in all.
    """

    status: JobStatus
    status_message: str | None
    notification: CompletionNotification | None
    polls: int


def listen_flow(
    job_id: str,
    *,
    timeout: float | None,
    fallback_after: float,
    clock: Callable[[], float],
    max_listen: float = MAX_LISTEN,
) -> Generator[Command, Heard | Polled, Ended]:
    """Decide, step by step, how to wait for ``job_id`` with a listener.

    Args:
        job_id: The job.
        timeout: Seconds to wait in all; ``None`` waits without bound.
        fallback_after: Seconds of silence before one poll checks the job.
        clock: Monotonic seconds.
        max_listen: Longest single `Listen`.

    Raises:
        WaitTimeoutError: The deadline passed and the last look found the job still running.
    """
    started = clock()
    deadline = None if timeout is None else started + timeout
    final_look = None if timeout is None else started + timeout - min(LAST_LOOK, timeout / 2)
    last_look = started
    polls = 0
    while True:
        now = clock()
        if deadline is not None and final_look is not None and now >= final_look:
            answer = yield Poll("deadline")
            polls += 1
            ended = _ended(answer, None, polls)
            if ended is not None:
                return ended
            status = _status(answer)
            remaining = deadline - clock()
            if remaining > 0:
                heard = yield Listen(remaining)
                news = [n for n in _notifications(heard) if n.job_id == job_id]
                if news:
                    answer = yield Poll("confirm")
                    polls += 1
                    ended = _ended(answer, news[0], polls)
                    if ended is not None:
                        return ended
                    status = _status(answer) or status
            raise WaitTimeoutError(job_id, None if status is None else status.value, clock() - started, polls)
        if now - last_look >= fallback_after:
            answer = yield Poll("fallback")
            polls += 1
            last_look = clock()
            ended = _ended(answer, None, polls)
            if ended is not None:
                return ended
            continue
        seconds = min(max_listen, fallback_after - (now - last_look))
        if final_look is not None:
            seconds = min(seconds, final_look - now)
        heard = yield Listen(seconds)
        news = [n for n in _notifications(heard) if n.job_id == job_id]
        if not news:
            continue
        notification = news[0]
        answer = yield Poll("confirm")
        polls += 1
        last_look = clock()
        ended = _ended(answer, notification, polls)
        if ended is not None:
            return ended
        if notification.status in (NotificationStatus.FAILED, NotificationStatus.ERROR):
            # The service said so; a Get that lags behind its own notification does not make it untrue.
            return Ended(
                JobStatus.FAILED, f"the completion notification says {notification.status}", notification, polls
            )
        # SUCCEEDED (or an unknown status) announced while Get still says running: keep listening; the next
        # fallback poll looks again.


def _notifications(answer: Heard | Polled) -> tuple[CompletionNotification, ...]:
    if not isinstance(answer, Heard):
        raise TypeError(f"a Listen is answered with Heard, got {answer!r}")
    return answer.notifications


def _status(answer: Heard | Polled) -> JobStatus | None:
    if not isinstance(answer, Polled):
        raise TypeError(f"a Poll is answered with Polled, got {answer!r}")
    return answer.status


def _ended(answer: Heard | Polled, notification: CompletionNotification | None, polls: int) -> Ended | None:
    status = _status(answer)
    assert isinstance(answer, Polled)  # _status checked it
    if status == JobStatus.SUCCEEDED:
        return Ended(JobStatus.SUCCEEDED, None, notification, polls)
    if status == JobStatus.FAILED:
        return Ended(JobStatus.FAILED, answer.status_message, notification, polls)
    return None


class ListenRun:
    """One wait with a listener, without I/O: runs `listen_flow`, counts polls, logs and reports progress.

    A driver (sync or async) looks at `command`, carries it out and hands back what it got (`heard` after a
    `Listen`, `polled` after a `Poll`) until `ended` is set; `page` is then the poll that saw the end.
    """

    def __init__(
        self,
        job_id: str,
        *,
        timeout: float | None,
        fallback_after: float,
        clock: Callable[[], float],
        progress: Callable[[WaitProgress], None] | None = None,
    ) -> None:
        self.job_id = job_id
        self._fallback_after = fallback_after
        self._clock = clock
        self._progress = progress
        self._started = clock()
        self._flow = listen_flow(job_id, timeout=timeout, fallback_after=fallback_after, clock=clock)
        self.command: Command = next(self._flow)
        self.page: SegmentDetectionPage | None = None
        self.polls = 0
        self.ended: Ended | None = None

    def heard(self, notifications: Iterable[CompletionNotification]) -> None:
        """Hand back what a `Listen` brought."""
        self._send(Heard(tuple(notifications)))

    def polled(self, outcome: SegmentDetectionPage | RekSegError) -> None:
        """Hand back what a `Poll` got: page 1, or the error of a status call (raised again unless it passes).

        Raises:
            RekSegError: ``outcome``, when it is an error that will not pass (access denied, no such job...).
        """
        self.polls += 1
        if isinstance(outcome, RekSegError):
            # A status call that failed for a passing reason does not end the wait: listen on, look again.
            if not is_retryable(outcome):
                raise outcome
            log.warning("status call for job %s failed (%s); listening on", self.job_id, outcome)
            self.page = None
            self._send(Polled(None))
            return
        self.page = outcome
        reason = self.command.reason if isinstance(self.command, Poll) else "?"
        log.debug("job %s is %s (%s poll)", self.job_id, outcome.job_status, reason)
        self._send(Polled(outcome.job_status, outcome.status_message))

    def _send(self, answer: Heard | Polled) -> None:
        try:
            self.command = self._flow.send(answer)
        except StopIteration as stop:
            self.ended = stop.value
            self._report(self.ended.status, self.ended.polls, None)
            return
        except WaitTimeoutError:
            if isinstance(answer, Polled):  # the last look before the timeout
                self._report(answer.status, self.polls, None)
            raise
        if isinstance(answer, Polled):
            self._report(answer.status, self.polls, self._fallback_after)

    def _report(self, status: JobStatus | None, polls: int, next_delay: float | None) -> None:
        if self._progress is not None:
            self._progress(WaitProgress(self.job_id, status, polls, self._clock() - self._started, next_delay))
