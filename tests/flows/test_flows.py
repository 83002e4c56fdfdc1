"""The sans-I/O flows, driven by hand: no server, no sleeping, a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest

import rekseg
from rekseg._flows.paging import EmitPage, FetchPage, PageFlow, page_flow
from rekseg._flows.retrying import call_deadline, is_retryable, retry_settings
from rekseg._flows.waiting import PollJob, Sleep, WaitFlow, wait_flow
from rekseg.testing import SyntheticVideo

RESULT = SyntheticVideo(shots=10, technical_cues=(), segment_types=("SHOT",), seed=3).result()
PAGES = [attrs.evolve(page, next_token=f"t{n + 1}" if n < 4 else None) for n, page in enumerate(RESULT.to_pages(2))]
"""Five pages of two shots; page n (0-based) carries token t(n+1), the last none."""


def _token_error() -> rekseg.InvalidPaginationTokenError:
    return rekseg.InvalidPaginationTokenError("expired", code="InvalidPaginationTokenException")


def _serve(flow: PageFlow, answer: dict[str | None, rekseg.SegmentDetectionPage | Exception]) -> Iterator[object]:
    """Drive a page flow by hand; yield every command it gives (fetches and emitted pages)."""
    step = next(flow)
    while True:
        yield step
        try:
            if isinstance(step, EmitPage):
                step = flow.send(None)
                continue
            reply = answer[step.token]
            step = flow.throw(reply) if isinstance(reply, Exception) else flow.send(reply)
        except StopIteration:
            return


def _by_token(pages: list[rekseg.SegmentDetectionPage]) -> dict[str | None, rekseg.SegmentDetectionPage | Exception]:
    return {None: pages[0], **{f"t{n}": page for n, page in enumerate(pages) if n}}


def _emitted(commands: list[object]) -> list[rekseg.Segment]:
    return [s for c in commands if isinstance(c, EmitPage) for s in c.page.segments or ()]


def test_page_flow_asks_for_each_token_once_and_emits_every_segment() -> None:
    """The flow fetches None, t1 .. t4 in order and hands out every segment once, in order."""
    commands = list(_serve(page_flow(job_id="job"), _by_token(PAGES)))
    assert [c.token for c in commands if isinstance(c, FetchPage)] == [None, "t1", "t2", "t3", "t4"]
    assert _emitted(commands) == list(RESULT.segments or ())


def test_page_flow_names_a_token_cycle() -> None:
    """A token that comes back two pages later is a PaginationError describing a cycle, not an endless loop."""
    looping = [*PAGES[:3], attrs.evolve(PAGES[3], next_token="t2"), PAGES[4]]
    with pytest.raises(rekseg.PaginationError, match="cycle of 2 pages"):
        list(_serve(page_flow(job_id="job"), _by_token(looping)))


def test_page_flow_restarts_after_an_expired_token_and_skips_what_was_emitted() -> None:
    """An expired token restarts from page 1 and skips the segments already handed out: nothing twice."""
    answers = _by_token(PAGES)
    flow = page_flow(job_id="job")
    commands: list[object] = []
    step = next(flow)
    expired = False
    while True:
        commands.append(step)
        try:
            if isinstance(step, EmitPage):
                step = flow.send(None)
            elif step.token == "t3" and not expired:
                expired = True
                step = flow.throw(_token_error())
            else:
                reply = answers[step.token]
                assert not isinstance(reply, Exception)
                step = flow.send(reply)
        except StopIteration:
            break
    fetched = [c.token for c in commands if isinstance(c, FetchPage)]
    assert fetched == [None, "t1", "t2", "t3", None, "t1", "t2", "t3", "t4"]
    assert _emitted(commands) == list(RESULT.segments or ())


def test_resumed_flow_recovers_an_expired_starting_token_with_its_offset() -> None:
    """Resuming at an expired t2 with starting_offset=4 re-reads from page 1 and skips the four segments seen."""
    answers = _by_token(PAGES)
    expired_once = {"t2": _token_error()}

    def reply(token: str | None) -> rekseg.SegmentDetectionPage | Exception:
        return expired_once.pop(token) if token in expired_once else answers[token]

    flow = page_flow(job_id="job", starting_token="t2", starting_offset=4)
    commands: list[object] = []
    step = next(flow)
    while True:
        commands.append(step)
        try:
            if isinstance(step, EmitPage):
                step = flow.send(None)
                continue
            answer = reply(step.token)
            step = flow.throw(answer) if isinstance(answer, Exception) else flow.send(answer)
        except StopIteration:
            break
    assert [c.token for c in commands if isinstance(c, FetchPage)] == ["t2", None, "t1", "t2", "t3", "t4"]
    assert _emitted(commands) == list((RESULT.segments or ())[4:])


def test_page_flow_budget_stops_after_max_pages() -> None:
    """max_pages=2 emits two pages and stops; the last one's token resumes later."""
    commands = list(_serve(page_flow(job_id="job", max_pages=2), _by_token(PAGES)))
    emitted = [c.page for c in commands if isinstance(c, EmitPage)]
    assert len(emitted) == 2
    assert emitted[-1].next_token == "t2"


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _drive_wait(flow: WaitFlow, clock: _Clock, answers: list[rekseg.SegmentDetectionPage | Exception]) -> object:
    """Answer each poll from ``answers`` and advance the clock by each sleep; return the flow's result."""
    step = next(flow)
    while True:
        try:
            if isinstance(step, Sleep):
                assert step.seconds >= 0
                clock.now += step.seconds
                step = flow.send(None)
            else:
                reply = answers.pop(0)
                step = flow.throw(reply) if isinstance(reply, Exception) else flow.send(reply)
        except StopIteration as done:
            return done.value


RUNNING = attrs.evolve(PAGES[0], job_status=rekseg.JobStatus.IN_PROGRESS, segments=(), next_token=None)
POLICY = rekseg.PollPolicy(wait_initial=5, wait_max=20, wait_jitter=0, wait_exp_base=2, timeout=60)


def test_wait_flow_returns_page_one_after_backing_off() -> None:
    """Two IN_PROGRESS looks 5 s then 10 s apart, then SUCCEEDED: page 1 comes back at t+15."""
    clock = _Clock()
    flow = wait_flow(job_id="job", policy=POLICY, timeout=60, clock=clock)
    assert _drive_wait(flow, clock, [RUNNING, RUNNING, PAGES[0]]) is PAGES[0]
    assert clock.now == pytest.approx(115.0)


def test_wait_flow_treats_a_throttled_look_as_a_failed_look() -> None:
    """A throttled status call does not end the wait: the flow looks again after its delay."""
    clock = _Clock()
    throttled = rekseg.ThrottlingError("slow down", code="ThrottlingException")
    flow = wait_flow(job_id="job", policy=POLICY, timeout=60, clock=clock)
    assert _drive_wait(flow, clock, [throttled, throttled, PAGES[0]]) is PAGES[0]


def test_wait_flow_ends_at_the_deadline_not_after() -> None:
    """A job that never ends: WaitTimeoutError exactly at the deadline, with one last look just before it."""
    clock = _Clock()
    flow = wait_flow(job_id="job", policy=POLICY, timeout=60, clock=clock)
    polls: list[float] = []

    def run() -> None:
        step = next(flow)
        while True:
            if isinstance(step, Sleep):
                clock.now += step.seconds
                step = flow.send(None)
            else:
                assert isinstance(step, PollJob)
                assert step.deadline == pytest.approx(160.0)
                polls.append(clock.now)
                step = flow.send(RUNNING)

    with pytest.raises(rekseg.WaitTimeoutError):
        run()
    assert clock.now == pytest.approx(160.0)
    assert polls[-1] < 160.0
    assert polls[-1] >= 159.0


def test_wait_flow_reports_every_look_the_last_one_before_the_deadline_too() -> None:
    """Progress is reported once per status call, the last look before a timeout included (no next look)."""
    clock = _Clock()
    seen: list[rekseg.WaitProgress] = []
    flow = wait_flow(job_id="job", policy=POLICY, timeout=60, clock=clock, progress=seen.append)
    answers: list[rekseg.SegmentDetectionPage | Exception] = [RUNNING] * 20
    with pytest.raises(rekseg.WaitTimeoutError) as info:
        _drive_wait(flow, clock, answers)
    assert len(seen) == info.value.polls == 20 - len(answers)
    assert [p.polls for p in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].next_delay is None
    assert seen[-1].status == rekseg.JobStatus.IN_PROGRESS
    assert all(p.next_delay is not None for p in seen[:-1])


def test_wait_flow_lasting_error_ends_the_wait_at_once() -> None:
    """An error that will not pass (access denied) is raised at the first look."""
    clock = _Clock()
    denied = rekseg.AccessDeniedError("no", code="AccessDeniedException")
    with pytest.raises(rekseg.AccessDeniedError):
        _drive_wait(wait_flow(job_id="job", policy=POLICY, timeout=60, clock=clock), clock, [denied])


def test_call_deadline_is_the_earlier_of_both() -> None:
    """One call ends by the wait's deadline or the retry policy's own timeout, whichever comes first."""
    policy = rekseg.RetryPolicy(timeout=45)
    assert call_deadline(policy, None, 10.0) == 55.0
    assert call_deadline(policy, 30.0, 10.0) == 30.0
    assert call_deadline(rekseg.RetryPolicy(timeout=None), None, 10.0) is None


def test_retry_settings_count_attempts_and_respect_the_deadline() -> None:
    """Tenacity with these settings makes exactly `attempts` attempts, and none whose wait would pass the deadline."""
    import tenacity

    clock = _Clock()
    policy = rekseg.RetryPolicy(attempts=4, wait_initial=1, wait_max=1, wait_jitter=0, timeout=None)
    calls: list[float] = []

    def failing() -> None:
        calls.append(clock.now)
        raise rekseg.TransportError("lost")

    def sleep(seconds: float) -> None:
        clock.now += seconds

    retrying = tenacity.Retrying(sleep=sleep, **retry_settings(policy, deadline=None, clock=clock))
    with pytest.raises(rekseg.TransportError):
        retrying(failing)
    assert calls == [100.0, 101.0, 102.0, 103.0]

    calls.clear()
    retrying = tenacity.Retrying(sleep=sleep, **retry_settings(policy, deadline=clock.now + 1.5, clock=clock))
    with pytest.raises(rekseg.TransportError):
        retrying(failing)
    assert len(calls) == 2  # the second wait would end past the deadline: not slept


def test_only_passing_failures_are_retryable() -> None:
    """Throttling, server errors and lost answers are retried; bad input and lasting errors are not."""
    assert is_retryable(rekseg.ThrottlingError("x", code="ThrottlingException"))
    assert is_retryable(rekseg.InternalServerError("x", code="InternalServerError"))
    assert is_retryable(rekseg.TransportError("x"))
    assert not is_retryable(rekseg.LimitExceededError("x", code="LimitExceededException"))
    assert not is_retryable(rekseg.ValidationError("f", "rule"))
