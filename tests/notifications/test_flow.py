"""listen_flow: the decisions of a wait with a listener, driven by hand with a test clock (no I/O at all)."""

from __future__ import annotations

from collections.abc import Generator

import pytest

from rekseg import JobStatus, WaitTimeoutError
from rekseg.notifications import CompletionNotification, NotificationStatus
from rekseg.notifications._flow import Command, Ended, Heard, Listen, Poll, Polled, listen_flow

Flow = Generator[Command, Heard | Polled, Ended]


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def note(job_id: str = "job-1", status: str = "SUCCEEDED") -> CompletionNotification:
    return CompletionNotification(job_id=job_id, status=NotificationStatus(status), api="StartSegmentDetection")


def start(clock: Clock, *, timeout: float | None = 600.0, fallback_after: float = 100.0) -> tuple[Flow, Command]:
    flow = listen_flow("job-1", timeout=timeout, fallback_after=fallback_after, clock=clock)
    return flow, next(flow)


def finish(flow: Flow, answer: Heard | Polled) -> Ended:
    with pytest.raises(StopIteration) as stop:
        flow.send(answer)
    ended = stop.value.value
    assert isinstance(ended, Ended)
    return ended


def test_it_listens_first_and_never_polls_while_news_can_come() -> None:
    """The first command is a listen of at most 20 s; silence short of fallback_after brings more listens."""
    clock = Clock()
    flow, command = start(clock)
    assert command == Listen(20.0)
    for _ in range(4):
        clock.now += 20
        command = flow.send(Heard())
        assert isinstance(command, Listen)
    assert command == Listen(20.0)


def test_a_notification_is_confirmed_by_one_poll_which_is_page_one() -> None:
    """A SUCCEEDED notification brings one confirm poll; SUCCEEDED there ends the wait with that notification."""
    clock = Clock()
    flow, _ = start(clock)
    clock.now += 3
    assert flow.send(Heard((note("other-job"),))) == Listen(20.0)
    assert flow.send(Heard((note(),))) == Poll("confirm")
    ended = finish(flow, Polled(JobStatus.SUCCEEDED))
    assert ended == Ended(JobStatus.SUCCEEDED, None, note(), 1)


def test_silence_brings_one_fallback_poll_then_listening_again() -> None:
    """After fallback_after seconds without news one poll looks; still running, it listens again; done, it ends."""
    clock = Clock()
    flow, command = start(clock, fallback_after=30.0)
    assert command == Listen(20.0)
    clock.now += 20
    assert flow.send(Heard()) == Listen(10.0)
    clock.now += 10
    assert flow.send(Heard()) == Poll("fallback")
    assert flow.send(Polled(JobStatus.IN_PROGRESS)) == Listen(20.0)
    clock.now += 20
    assert flow.send(Heard()) == Listen(10.0)
    clock.now += 10
    assert flow.send(Heard()) == Poll("fallback")
    assert finish(flow, Polled(JobStatus.SUCCEEDED)) == Ended(JobStatus.SUCCEEDED, None, None, 2)


@pytest.mark.parametrize("status", ["FAILED", "ERROR"])
def test_failed_or_error_notification_ends_failed_with_the_service_message(status: str) -> None:
    """FAILED or ERROR: the confirm poll's StatusMessage is the reason; a lagging Get does not undo it."""
    clock = Clock()
    flow, _ = start(clock)
    assert flow.send(Heard((note(status=status),))) == Poll("confirm")
    ended = finish(flow, Polled(JobStatus.FAILED, "Unsupported codec"))
    assert (ended.status, ended.status_message) == (JobStatus.FAILED, "Unsupported codec")

    flow, _ = start(clock)
    assert flow.send(Heard((note(status=status),))) == Poll("confirm")
    ended = finish(flow, Polled(JobStatus.IN_PROGRESS))
    assert (ended.status, ended.status_message) == (JobStatus.FAILED, f"the completion notification says {status}")


def test_succeeded_notification_that_get_does_not_confirm_goes_back_to_listening() -> None:
    """A SUCCEEDED notification while Get still says IN_PROGRESS does not end the wait; it listens on."""
    clock = Clock()
    flow, _ = start(clock)
    assert flow.send(Heard((note(),))) == Poll("confirm")
    assert isinstance(flow.send(Polled(JobStatus.IN_PROGRESS)), Listen)


def test_deadline_bounds_every_listen_and_ends_with_a_last_look() -> None:
    """No listen runs past the deadline; one last poll a second before it, then WaitTimeoutError at it."""
    clock = Clock()
    flow, command = start(clock, timeout=25.0, fallback_after=100.0)
    assert command == Listen(20.0)
    clock.now += 20
    assert flow.send(Heard()) == Listen(4.0)
    clock.now += 4
    assert flow.send(Heard()) == Poll("deadline")
    assert flow.send(Polled(JobStatus.IN_PROGRESS)) == Listen(1.0)
    clock.now += 1
    with pytest.raises(WaitTimeoutError) as info:
        flow.send(Heard())
    assert (info.value.job_id, info.value.last_status, info.value.polls) == ("job-1", "IN_PROGRESS", 1)
    assert info.value.elapsed == 25.0


def test_last_look_at_the_deadline_can_still_find_the_job_done() -> None:
    """When the timeout is shorter than fallback_after, the last look still finds a job that ended silently."""
    clock = Clock()
    flow, command = start(clock, timeout=5.0, fallback_after=100.0)
    assert command == Listen(4.0)
    clock.now += 4
    assert flow.send(Heard()) == Poll("deadline")
    assert finish(flow, Polled(JobStatus.SUCCEEDED)).status == JobStatus.SUCCEEDED


def test_a_notification_in_the_last_second_is_still_confirmed() -> None:
    """A notification heard between the last look and the deadline is confirmed, not thrown away."""
    clock = Clock()
    flow, _ = start(clock, timeout=2.0, fallback_after=100.0)
    clock.now += 1
    assert flow.send(Heard()) == Poll("deadline")
    assert flow.send(Polled(JobStatus.IN_PROGRESS)) == Listen(1.0)
    assert flow.send(Heard((note(),))) == Poll("confirm")
    assert finish(flow, Polled(JobStatus.SUCCEEDED)) == Ended(JobStatus.SUCCEEDED, None, note(), 2)


def test_a_failed_look_is_not_an_answer() -> None:
    """A poll answered with no status (the call failed for a passing reason) keeps the wait going."""
    clock = Clock()
    flow, _ = start(clock, fallback_after=30.0)
    clock.now += 30
    assert flow.send(Heard()) == Poll("fallback")
    assert isinstance(flow.send(Polled(None)), Listen)


def test_answering_a_command_with_the_wrong_kind_is_a_type_error() -> None:
    """A driver that answers a Listen with Polled (or a Poll with Heard) is told at once."""
    clock = Clock()
    flow, _ = start(clock)
    with pytest.raises(TypeError, match="Listen is answered with Heard"):
        flow.send(Polled(JobStatus.SUCCEEDED))
