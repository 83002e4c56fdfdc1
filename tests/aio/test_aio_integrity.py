"""Data integrity, loop bounds, deadlines and lifecycle of the async client, over real sockets."""

from __future__ import annotations

import asyncio
import math
import sys
import time
from datetime import timedelta
from typing import Any

import botocore.exceptions
import pytest
from client.scripted_server import Reply, error, running, scripted, succeeded

import rekseg
from rekseg._flows.paging import MAX_EMPTY_PAGES
from rekseg._flows.retrying import attempt_timeout
from rekseg.aio import AsyncClient
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, FAST_RETRY, VIDEO, aio_boto, make_client, shots_only

GET = "GetSegmentDetection"
JOB = "job-0123456789"
NO_WAIT = {"wait_initial": 0.0, "wait_max": 0.0, "wait_jitter": 0.0}
OVERSHOOT = 1.0
"""Seconds a deadline may be passed by on a loaded machine (as in tests/client/test_retries_deadlines.py)."""


async def _finished_job(em: Emulator, client: AsyncClient, shots: int) -> str:
    em.add_video(VIDEO, shots_only(shots))
    job_id = (await client.start(VIDEO, segment_types=["SHOT"])).job_id
    em.complete_job(job_id)
    em.clear_requests()
    return job_id


async def _segments(client: AsyncClient, job_id: str) -> list[rekseg.Segment]:
    return [s async for s in client.segments(job_id)]


# -- job state on every page, the right job's answers --------------------------------------------------------------


@pytest.mark.parametrize("reader", ["get", "wait", "segments"])
@pytest.mark.parametrize("fault", ["in-progress", "failed"])
async def test_a_later_page_that_is_not_succeeded_is_refused(aws_env: None, fault: str, reader: str) -> None:
    """get(), wait() and segments() raise JobStatusChangedError (job id, page 2, status) if page 2 is not SUCCEEDED."""
    hit: list[str] = []

    def after_page_one(request: rekseg.testing.RecordedRequest) -> None:
        if request.operation == GET and not hit:
            hit.append(str(request.params["JobId"]))
            if fault == "failed":
                em.fail_job(hit[0], "The video went away.")
            else:
                em.inject(Fault.JOB_IN_PROGRESS)

    with Emulator(polls_to_complete=0, on_request=after_page_one) as em:
        client = make_client(em)
        em.add_video(VIDEO, shots_only(2500))
        job_id = (await client.start(VIDEO, segment_types=["SHOT"])).job_id
        read = {"get": client.get, "wait": client.wait, "segments": lambda j: _segments(client, j)}[reader]
        with pytest.raises(rekseg.JobStatusChangedError) as info:
            await read(job_id)
        assert em.count(GET) == 2
    assert (info.value.job_id, info.value.page) == (job_id, 2)
    assert info.value.status == ("FAILED" if fault == "failed" else "IN_PROGRESS")


async def test_reading_a_running_or_failed_job(aws_env: None) -> None:
    """get(), segments() and pages() on a running job say to wait; on a FAILED job they give the reason."""
    with Emulator(polls_to_complete=100) as em:
        client = make_client(em)
        em.add_video(VIDEO, shots_only(10))
        job = await client.start(VIDEO)
        readers = (
            lambda: client.get(job.job_id),
            lambda: _segments(client, job.job_id),
            lambda: job.pages().__anext__(),
        )
        for read in readers:
            with pytest.raises(rekseg.JobInProgressError) as running_info:
                await read()
            assert running_info.value.job_id == job.job_id
            assert "wait()" in str(running_info.value)
        em.fail_job(job.job_id, "Unsupported codec.")
        for read in readers:
            with pytest.raises(rekseg.JobFailedError) as failed_info:
                await read()
            assert failed_info.value.status_message == "Unsupported codec."
        assert em.count(GET) == 6


async def test_answer_naming_another_job_is_refused(em: Emulator, client: AsyncClient) -> None:
    """An answer whose JobId is another job's raises JobIdMismatchError with both ids and the request id."""
    job_id = await _finished_job(em, client, 10)
    em.inject(Fault.WRONG_JOB_ID, times=2)
    with pytest.raises(rekseg.JobIdMismatchError) as info:
        await client.get(job_id)
    assert info.value.job_id == job_id
    assert info.value.answered_job_id not in (job_id, None)
    assert info.value.request_id == em.requests[-1].request_id
    with pytest.raises(rekseg.JobIdMismatchError):
        await client.status(job_id)
    assert em.count() == 2


# -- detect() checks everything before the billable Start; what escapes it names the job ---------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": math.inf}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": timedelta(0)}, "timeout"),
        ({"timeout": "60"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"progress": "print"}, "progress"),
        ({"page_size": 0}, "page_size"),
    ],
)
async def test_detect_checks_every_argument_before_start(
    em: Emulator, client: AsyncClient, kwargs: dict[str, Any], field: str
) -> None:
    """detect() and wait() raise ValidationError naming the field before any request."""
    em.add_video(VIDEO, shots_only(5))
    with pytest.raises(rekseg.ValidationError) as info:
        await client.detect(VIDEO, **kwargs)
    assert info.value.field == field
    with pytest.raises(rekseg.ValidationError):
        await client.wait("some-job", **kwargs)
    assert em.count() == 0


async def test_timeouts_accept_timedelta(em: Emulator, client: AsyncClient) -> None:
    """wait(), AsyncJob.wait() and detect() take a datetime.timedelta wherever they take seconds."""
    em.add_video(VIDEO, shots_only(5))
    assert len((await client.detect(VIDEO, timeout=timedelta(seconds=30), page_size=2)).segments or ()) == 5
    job = await client.start(VIDEO)
    assert (await job.wait(timeout=timedelta(minutes=1))).job_id == job.job_id


async def test_errors_escaping_detect_after_start_carry_the_job_id(em: Emulator, client: AsyncClient) -> None:
    """Once detect() has started a job, what escapes names it: job_id on rekseg errors, a note on others."""
    em.add_video(VIDEO, shots_only(5))

    def boom(_: rekseg.WaitProgress) -> None:
        raise KeyError("from the callback")

    with pytest.raises(KeyError) as raised:
        await client.detect(VIDEO, progress=boom)
    (first,) = em.jobs
    if sys.version_info >= (3, 11):
        assert any(first in note for note in raised.value.__notes__)
    with Emulator(polls_to_complete=1000) as never:
        never.add_video(VIDEO, shots_only(5))
        slow = make_client(never, polling=rekseg.PollPolicy(wait_initial=0.05, wait_max=0.05, wait_jitter=0.0))
        with pytest.raises(rekseg.WaitTimeoutError) as timed_out:
            await slow.detect(VIDEO, timeout=timedelta(seconds=0.3))
        assert timed_out.value.job_id in never.jobs


# -- bounded paging ------------------------------------------------------------------------------------------------


async def test_endless_empty_pages_raise_pagination_error(em: Emulator, client: AsyncClient) -> None:
    """Pages without segments but with a fresh NextToken are followed MAX_EMPTY_PAGES times, then refused."""
    job_id = await _finished_job(em, client, 1500)
    em.inject(Fault.EMPTY_PAGES, times=300)
    with pytest.raises(rekseg.PaginationError) as info:
        await client.get(job_id)
    assert "in a row" in str(info.value)
    assert em.count(GET) == 100


async def test_a_few_empty_pages_are_followed_to_the_whole_result(em: Emulator, client: AsyncClient) -> None:
    """Empty pages with fresh tokens below the cap lose nothing: the result is whole and in order."""
    job_id = await _finished_job(em, client, 1500)
    em.inject(Fault.EMPTY_PAGES, times=5)
    result = await client.get(job_id)
    assert [s.shot_index for s in result.segments or ()] == list(range(1500))
    assert em.count(GET) == 7


async def test_token_cycle_is_named_a_cycle(em: Emulator, client: AsyncClient) -> None:
    """Tokens that go round A -> B -> A raise PaginationError whose message describes the cycle."""
    job_id = await _finished_job(em, client, 5000)
    em.inject(Fault.TOKEN_CYCLE, times=None)
    with pytest.raises(rekseg.PaginationError) as info:
        await client.get(job_id)
    assert "cycle of 2 pages" in str(info.value)
    assert info.value.page == 3
    assert em.count(GET) == 3


async def test_pages_of_a_few_segments_each_are_bounded(aws_env: None) -> None:
    """One new shot a page with a fresh token and no metadata: refused after 103 pages, as in the sync client."""

    def page(n: int) -> Reply:
        shot = {"Type": "SHOT", "StartTimestampMillis": 40 * n, "ShotSegment": {"Index": n}}
        return Reply(200, {"JobStatus": "SUCCEEDED", "Segments": [shot], "NextToken": f"t{n + 1}"})

    with scripted([page(n) for n in range(200)]) as server:
        with pytest.raises(rekseg.PaginationError, match="a few segments at a time") as info:
            await make_client(server.endpoint_url).get(JOB)
        assert server.count == MAX_EMPTY_PAGES + 3
    assert info.value.page == MAX_EMPTY_PAGES + 3


async def test_a_page_served_twice_is_refused(aws_env: None) -> None:
    """The first page served again under a fresh token raises PaginationError instead of doubling its shots."""
    shots = [{"Type": "SHOT", "StartTimestampMillis": 40 * i, "ShotSegment": {"Index": i}} for i in range(3)]
    first = Reply(200, {"JobStatus": "SUCCEEDED", "Segments": shots[:2], "NextToken": "t1"})
    again = Reply(200, {"JobStatus": "SUCCEEDED", "Segments": shots})
    with scripted([first, again]) as server, pytest.raises(rekseg.PaginationError, match="already sent") as info:
        await make_client(server.endpoint_url).get(JOB)
    assert info.value.page == 2


# -- waits: failed looks and deadlines -----------------------------------------------------------------------------


async def test_throttling_burst_does_not_end_the_wait(em: Emulator, client: AsyncClient) -> None:
    """A status call that exhausts its retries is a failed look: the wait polls again and returns the result."""
    em.add_video(VIDEO, shots_only(5))
    job = await client.start(VIDEO)
    em.inject(Fault.THROTTLE_400, operation=GET, times=FAST_RETRY.attempts + 2)
    assert len((await job.wait(timeout=20)).shots) == 5
    assert sum(r.fault is Fault.THROTTLE_400 for r in em.requests) == FAST_RETRY.attempts + 2


@pytest.mark.parametrize("fault", [Fault.THROTTLE_500, Fault.CONNECTION_DROP])
async def test_persistent_passing_faults_end_the_wait_by_timeout(aws_env: None, fault: Fault) -> None:
    """Throttled or dropped for ever, wait(timeout=T) raises WaitTimeoutError close to T, chained."""
    polling = rekseg.PollPolicy(wait_initial=0.1, wait_max=0.1, wait_jitter=0.0)
    retry = rekseg.RetryPolicy(attempts=3, wait_initial=0.05, wait_max=0.05, wait_jitter=0.0)
    with Emulator(polls_to_complete=10_000) as em:
        em.add_video(VIDEO, shots_only(3))
        job = await make_client(em, retry=retry, polling=polling).start(VIDEO)
        em.inject(fault, operation=GET, times=None)
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            await job.wait(timeout=1.0)
        took = time.monotonic() - started
    assert 1.0 <= took <= 1.0 + OVERSHOOT
    assert info.value.polls >= 2
    assert isinstance(info.value.__cause__, (rekseg.ThrottlingError, rekseg.TransportError))


async def test_lasting_errors_still_end_the_wait_at_once(em: Emulator, client: AsyncClient) -> None:
    """AccessDenied on a status call is not a failed look: it raises at once."""
    em.add_video(VIDEO, shots_only(3))
    job = await client.start(VIDEO)
    em.clear_requests()
    em.inject(Fault.ACCESS_DENIED, operation=GET, times=None)
    with pytest.raises(rekseg.AccessDeniedError):
        await job.wait(timeout=10)
    assert em.count(GET) == 1


async def test_backoff_that_would_cross_the_deadline_is_not_slept(aws_env: None) -> None:
    """With 0.6 s waits and a 1 s timeout the second failure raises at once instead of sleeping past 1 s."""
    retry = rekseg.RetryPolicy(attempts=10, timeout=1.0, wait_initial=0.6, wait_max=0.6, wait_jitter=0.0)
    with scripted([], then=error(400, "ThrottlingException")) as server:
        client = make_client(server.endpoint_url, retry=retry)
        await client._api()  # built before timing: the first call's build is not part of the call's deadline
        started = time.monotonic()
        with pytest.raises(rekseg.ThrottlingError):
            await client.status(JOB)
        took = time.monotonic() - started
    assert server.count == 2
    assert took < 1.0


@pytest.mark.parametrize("timeout", [0.5, 1.2])
async def test_slow_answer_is_cut_at_the_retry_deadline(aws_env: None, timeout: float) -> None:
    """An answer slower than RetryPolicy.timeout ends the call near the timeout, not after botocore's 60 s."""
    retry = rekseg.RetryPolicy(attempts=5, timeout=timeout, **NO_WAIT)
    with scripted([], then=Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0)) as server:
        client = make_client(server.endpoint_url, retry=retry)
        await client._api()
        started = time.monotonic()
        with pytest.raises(rekseg.TransportError) as info:
            await client.status(JOB)
        overshoot = time.monotonic() - started - timeout
    assert "deadline" in str(info.value)
    assert -0.2 <= overshoot <= OVERSHOOT


async def test_a_slow_answer_is_cut_where_the_sync_client_cuts_it(aws_env: None) -> None:
    """With under 5 s left an attempt is cut at 4 s (the sync client's socket timeout), leaving time to retry."""
    retry = rekseg.RetryPolicy(attempts=3, timeout=5.0, **NO_WAIT)
    with scripted([Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0), succeeded()]) as server:
        client = make_client(server.endpoint_url, retry=retry)
        await client._api()
        started = time.monotonic()
        assert await client.status(JOB) is rekseg.JobStatus.SUCCEEDED
        took = time.monotonic() - started
        assert server.count == 2
    assert attempt_timeout(4.99) == 4.0
    assert 4.0 <= took < 5.0


async def test_wait_deadline_bounds_a_slow_status_call(aws_env: None) -> None:
    """A status call that hangs past wait(timeout=T) is cut at T: WaitTimeoutError near T, not 6 s later."""
    polling = rekseg.PollPolicy(wait_initial=0.1, wait_max=0.1, wait_jitter=0.0)
    with scripted([running()], then=Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0)) as server:
        client = make_client(server.endpoint_url, polling=polling, retry=rekseg.RetryPolicy(**NO_WAIT))
        await client._api()
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            await client.wait(JOB, timeout=1.2)
        overshoot = time.monotonic() - started - 1.2
    assert 0.0 <= overshoot <= OVERSHOOT
    assert info.value.last_status == "IN_PROGRESS"
    assert isinstance(info.value.__cause__, rekseg.TransportError)


@pytest.mark.parametrize("retry", [rekseg.RetryPolicy(**NO_WAIT), rekseg.RetryPolicy()], ids=["no-backoff", "defaults"])
async def test_wait_deadline_bounds_reading_the_result(aws_env: None, retry: rekseg.RetryPolicy) -> None:
    """The job SUCCEEDED at once but page 2 hangs: wait(timeout=T) raises WaitTimeoutError by T, saying so."""
    first = Reply(200, {"JobStatus": "SUCCEEDED", "Segments": [], "NextToken": "t1"})
    with scripted([first], then=Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0)) as server:
        client = make_client(server.endpoint_url, retry=retry)
        await client._api()
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            await client.wait(JOB, timeout=1.5)
        took = time.monotonic() - started
    assert took <= 1.5 + OVERSHOOT
    assert info.value.last_status == "SUCCEEDED"
    assert info.value.pages_read == 1
    assert info.value.polls == 1
    assert isinstance(info.value.__cause__, rekseg.TransportError)


# -- hostile answers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply(400, b'{"__type":"InvalidPaginationTokenExcep'),
        Reply(400, b"", headers=(("x-amzn-ErrorType", "InvalidPaginationTokenException:http://internal.amazon.com/"),)),
    ],
    ids=["cut-in-code", "header-only"],
)
async def test_cut_off_invalid_token_answer_still_restarts_pagination(aws_env: None, reply: Reply) -> None:
    """An expired-token answer whose code is cut off or only in a header restarts from page 1, losing nothing."""

    def page(token: str | None, first: int) -> Reply:
        shots = [{"Type": "SHOT", "StartTimestampMillis": i, "ShotSegment": {"Index": i}} for i in (first, first + 1)]
        body: dict[str, Any] = {"JobStatus": "SUCCEEDED", "Segments": shots}
        if token:
            body["NextToken"] = token
        return Reply(200, body)

    with scripted([page("t1", 0), reply, page("t1b", 0), page(None, 2)]) as server:
        result = await make_client(server.endpoint_url).get(JOB)
    assert [s.shot_segment.index for s in result.shots if s.shot_segment] == [0, 1, 2, 3]
    assert server.count == 4


@pytest.mark.parametrize(
    "body",
    [
        b'{"JobStatus": "SUCCEEDED", "Segments": "oops"}',
        b'{"JobStatus": 5}',
        b'{"Segments": []}',
        b"[1, 2]",
        b'{"JobStatus": "SUCCEEDED", "Segments": [{"ShotSegment": {"Confidence": NaN}}]}',
        b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
    ],
    ids=["segments-string", "status-number", "no-status", "list", "nan", "nested-100000-deep"],
)
async def test_malformed_200_bodies_are_retried_transport_errors(aws_env: None, body: bytes) -> None:
    """A 200 body of the wrong shape is retried like a lost answer, then the good answer is used."""
    with scripted([Reply(200, body), succeeded()]) as server:
        assert await make_client(server.endpoint_url).status(JOB) is rekseg.JobStatus.SUCCEEDED
        assert server.count == 2
    with scripted([], then=Reply(200, body)) as server:
        with pytest.raises(rekseg.TransportError) as info:
            await make_client(server.endpoint_url).get(JOB)
        assert server.count == FAST_RETRY.attempts
    assert info.value.job_id == JOB


@pytest.mark.parametrize("bad", [12, "j" * 65, "job\nINJECTED log line", "../../etc"])
async def test_malformed_start_answer_is_retried_with_the_same_token(aws_env: None, bad: object) -> None:
    """A Start answer whose JobId is not a string, or no job id, is retried with the same ClientRequestToken."""
    with scripted([Reply(200, {"JobId": bad}), Reply(200, {"JobId": "job-1"})]) as server:
        job = await make_client(server.endpoint_url).start(VIDEO)
    assert job.job_id == "job-1"
    assert server.bodies[0]["ClientRequestToken"] == server.bodies[1]["ClientRequestToken"]


async def _invoke(call: Any) -> None:
    outcome = call()
    if asyncio.iscoroutine(outcome):
        await outcome


# -- closing -------------------------------------------------------------------------------------------------------


async def test_context_manager_closes_connections_and_refuses_calls(em: Emulator, aws_env: None) -> None:
    """Leaving `async with` closes pooled connections; a closed client refuses every call, sending nothing."""
    em.add_video(VIDEO, shots_only(5))
    async with make_client(em) as client:
        job_id = (await client.detect(VIDEO)).job_id
        assert em.open_connections == 1
    assert client.closed
    deadline = time.monotonic() + 5
    while em.open_connections and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert em.open_connections == 0
    sent = em.count()
    for call in (
        lambda: client.get(job_id),
        lambda: client.pages(job_id),
        lambda: client.status(job_id),
        lambda: client.start(VIDEO),
        lambda: client.job(job_id).wait(),
        lambda: client.segments(job_id),
    ):
        with pytest.raises(rekseg.ClientClosedError, match="closed"):
            await _invoke(call)
    assert em.count() == sent
    await client.close()  # again: no error


async def test_close_leaves_a_handed_in_client_open(em: Emulator, aws_env: None) -> None:
    """close() refuses further calls through rekseg but leaves an aiobotocore client the caller handed in usable."""
    async with aio_boto(em) as boto:
        client = AsyncClient(boto_client=boto, retry=FAST_RETRY, polling=FAST_POLL)
        assert client.boto_client is boto
        job_id = await _finished_job(em, client, 5)
        await client.close()
        with pytest.raises(rekseg.ClientClosedError):
            await client.get(job_id)
        assert (await boto.get_segment_detection(JobId=job_id))["JobStatus"] == "SUCCEEDED"


async def test_handed_in_client_errors_are_translated(em: Emulator, aws_env: None) -> None:
    """A handed-in aiobotocore client's ClientError becomes the typed rekseg error, cause kept."""
    async with aio_boto(em) as boto:
        with pytest.raises(rekseg.JobNotFoundError) as info:
            await AsyncClient(boto_client=boto, retry=FAST_RETRY).status("0" * 64)
    assert isinstance(info.value.__cause__, botocore.exceptions.ClientError)
