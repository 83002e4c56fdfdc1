"""Retries, deadlines and hostile answers, end to end over real sockets (emulator or a scripted server)."""

from __future__ import annotations

import logging
import time

import botocore.config
import botocore.exceptions
import pytest

import rekseg
from rekseg._cli import EXIT_SERVICE, main
from rekseg._flows.retrying import attempt_timeout
from rekseg._translate import translate
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, FAST_RETRY, VIDEO, make_client, shots_only
from .scripted_server import Reply, closed_port, error, running, scripted, succeeded

GET = "GetSegmentDetection"
JOB = "job-0123456789"
NO_WAIT = {"wait_initial": 0.0, "wait_max": 0.0, "wait_jitter": 0.0}
OVERSHOOT = 1.0
"""Seconds a deadline may be passed by. Alone these tests measure under 0.15 s (socket-timeout rounding, a local
round trip, building a shorter-timeout client); the margin is for a loaded machine. Without deadlines the same
calls overrun by the scripted 6 s delay or by a whole retry backoff."""


def _client(
    url: str, *, retry: rekseg.RetryPolicy = FAST_RETRY, polling: rekseg.PollPolicy = FAST_POLL
) -> rekseg.Client:
    return rekseg.Client(endpoint_url=url, region_name="us-east-1", retry=retry, polling=polling)


def _page(token: str | None, first_shot: int) -> Reply:
    shots = [
        {"Type": "SHOT", "StartTimestampMillis": i, "ShotSegment": {"Index": i}} for i in (first_shot, first_shot + 1)
    ]
    body = {"JobStatus": "SUCCEEDED", "Segments": shots}
    if token:
        body["NextToken"] = token
    return Reply(200, body)


# -- point 2: connection failures -------------------------------------------------------------------------------


def test_connection_refused_is_a_retried_transport_error(aws_env: None, caplog: pytest.LogCaptureFixture) -> None:
    """A closed port raises TransportError (cause EndpointConnectionError) after the policy's attempts."""
    client = _client(f"http://127.0.0.1:{closed_port()}", retry=rekseg.RetryPolicy(attempts=3, **NO_WAIT))
    with caplog.at_level(logging.WARNING, logger="rekseg"), pytest.raises(rekseg.TransportError) as info:
        client.status(JOB)
    assert isinstance(info.value.__cause__, botocore.exceptions.EndpointConnectionError)
    assert info.value.operation == GET
    assert info.value.job_id == JOB
    assert sum("retrying" in r.getMessage() for r in caplog.records) == 2


@pytest.mark.parametrize(
    "exc",
    [
        botocore.exceptions.ConnectTimeoutError(endpoint_url="https://x"),
        botocore.exceptions.SSLError(endpoint_url="https://x", error="bad handshake"),
        botocore.exceptions.ProxyConnectionError(proxy_url="http://proxy", error="refused"),
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://x"),
    ],
    ids=type,
)
def test_connection_level_botocore_errors_are_transport_errors(exc: Exception) -> None:
    """Connect timeouts, SSL and proxy failures translate to a TransportError, which is retryable."""
    translated = translate(exc, operation=GET, job_id=JOB)
    assert type(translated) is rekseg.TransportError
    assert translated.job_id == JOB


def test_cli_exits_with_the_network_code_on_connection_refused(
    aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rekseg status` against a closed port exits 5 with a network error, not 'unexpected'."""
    code = main(["status", JOB, "--endpoint-url", f"http://127.0.0.1:{closed_port()}", "--region", "us-east-1"])
    err = capsys.readouterr().err
    assert code == EXIT_SERVICE
    assert "network error" in err
    assert "unexpected" not in err


# -- point 3: a throttling burst during wait() -------------------------------------------------------------------


def test_throttling_burst_does_not_end_the_wait(aws_env: None) -> None:
    """A status call that exhausts its retries is a failed look: the wait polls again and returns the result."""
    with Emulator(polls_to_complete=2) as em:
        em.add_video(VIDEO, shots_only(5))
        client = make_client(em)
        job = client.start(VIDEO)
        em.inject(Fault.THROTTLE_400, operation=GET, times=FAST_RETRY.attempts + 2)
        assert len(job.wait(timeout=20).shots) == 5
        throttled = sum(r.fault is Fault.THROTTLE_400 for r in em.requests)
        assert throttled == FAST_RETRY.attempts + 2


@pytest.mark.parametrize("fault", [Fault.THROTTLE_500, Fault.INTERNAL_ERROR, Fault.CONNECTION_DROP])
def test_persistent_passing_faults_end_the_wait_by_timeout(aws_env: None, fault: Fault) -> None:
    """Throttled, failing or dropped for ever, wait(timeout=T) raises WaitTimeoutError close to T, chained."""
    polling = rekseg.PollPolicy(wait_initial=0.1, wait_max=0.1, wait_jitter=0.0)
    retry = rekseg.RetryPolicy(attempts=3, wait_initial=0.05, wait_max=0.05, wait_jitter=0.0)
    with Emulator(polls_to_complete=10_000) as em:
        em.add_video(VIDEO, shots_only(3))
        client = make_client(em, retry=retry, polling=polling)
        job = client.start(VIDEO)
        em.inject(fault, operation=GET, times=None)
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            job.wait(timeout=1.0)
        took = time.monotonic() - started
    assert 1.0 <= took <= 1.0 + OVERSHOOT
    assert info.value.polls >= 2
    assert rekseg._flows.retrying.is_retryable(info.value.__cause__)  # type: ignore[arg-type]


def test_lasting_errors_still_end_the_wait_at_once(aws_env: None) -> None:
    """AccessDenied on a status call is not a failed look: it raises at once."""
    with Emulator(polls_to_complete=10_000) as em:
        em.add_video(VIDEO, shots_only(3))
        client = make_client(em)
        job = client.start(VIDEO)
        em.inject(Fault.ACCESS_DENIED, operation=GET, times=None)
        with pytest.raises(rekseg.AccessDeniedError):
            job.wait(timeout=10)
        assert em.count(GET) == 1


# -- point 4: deadlines --------------------------------------------------------------------------------------------


def test_backoff_that_would_cross_the_deadline_is_not_slept(aws_env: None) -> None:
    """With 0.8 s waits and a 1 s timeout the second failure raises at once instead of sleeping past 1 s."""
    retry = rekseg.RetryPolicy(attempts=10, timeout=1.0, wait_initial=0.6, wait_max=0.6, wait_jitter=0.0)
    with scripted([], then=error(400, "ThrottlingException")) as server:
        client = _client(server.endpoint_url, retry=retry)
        started = time.monotonic()
        with pytest.raises(rekseg.ThrottlingError):
            client.status(JOB)
        took = time.monotonic() - started
    assert server.count == 2
    assert took < 1.0


@pytest.mark.parametrize("timeout", [0.5, 1.0, 1.7])
def test_read_timeout_is_shortened_to_the_retry_deadline(aws_env: None, timeout: float) -> None:
    """An answer slower than RetryPolicy.timeout ends the call near the timeout, not after botocore's 60 s."""
    retry = rekseg.RetryPolicy(attempts=5, timeout=timeout, **NO_WAIT)
    with scripted([], then=Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0)) as server:
        client = _client(server.endpoint_url, retry=retry)
        started = time.monotonic()
        with pytest.raises(rekseg.TransportError) as info:
            client.status(JOB)
        overshoot = time.monotonic() - started - timeout
    assert isinstance(info.value.__cause__, botocore.exceptions.ReadTimeoutError)
    assert -0.2 <= overshoot <= OVERSHOOT


def test_wait_deadline_bounds_a_slow_status_call(aws_env: None) -> None:
    """A status call that hangs past wait(timeout=T) is cut at T: WaitTimeoutError near T, not 6 s later."""
    polling = rekseg.PollPolicy(wait_initial=0.1, wait_max=0.1, wait_jitter=0.0)
    with scripted([running()], then=Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0)) as server:
        client = _client(server.endpoint_url, polling=polling, retry=rekseg.RetryPolicy(**NO_WAIT))
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            client.wait(JOB, timeout=1.2)
        overshoot = time.monotonic() - started - 1.2
    assert 0.0 <= overshoot <= OVERSHOOT
    assert info.value.last_status == "IN_PROGRESS"
    assert isinstance(info.value.__cause__, rekseg.TransportError)


@pytest.mark.parametrize("retry", [rekseg.RetryPolicy(**NO_WAIT), rekseg.RetryPolicy()], ids=["no-backoff", "defaults"])
def test_wait_deadline_bounds_reading_the_result(aws_env: None, retry: rekseg.RetryPolicy) -> None:
    """The job SUCCEEDED at once but page 2 hangs: wait(timeout=T) raises WaitTimeoutError by T, saying so."""
    first = Reply(200, {"JobStatus": "SUCCEEDED", "Segments": [], "NextToken": "t1"})
    with scripted([first], then=Reply(200, {"JobStatus": "SUCCEEDED"}, delay=6.0)) as server:
        client = _client(server.endpoint_url, retry=retry)
        started = time.monotonic()
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            client.wait(JOB, timeout=1.5)
        took = time.monotonic() - started
    assert took <= 1.5 + OVERSHOOT
    assert info.value.last_status == "SUCCEEDED"
    assert info.value.pages_read == 1
    assert info.value.polls == 1
    assert "read it with get()" in str(info.value)
    assert isinstance(info.value.__cause__, rekseg.TransportError)


def test_calls_with_time_to_spare_share_one_cached_client(aws_env: None) -> None:
    """Many calls whose deadline is below botocore's read timeout reuse one shortened client, not one each."""
    with scripted([], then=succeeded()) as server:
        client = _client(server.endpoint_url)
        for _ in range(20):
            assert client.status(JOB) is rekseg.JobStatus.SUCCEEDED
        assert client._built is not None
        assert len(client._built._siblings) <= 1


@pytest.mark.parametrize(
    ("seconds", "expected"), [(0.01, 0.1), (0.1, 0.1), (0.35, 0.3), (1.0, 1.0), (1.19, 1.0), (29.99, 25.0), (45, 40.0)]
)
def test_shortened_timeouts_round_down_to_a_coarse_grid(seconds: float, expected: float) -> None:
    """A shortened socket timeout never exceeds the time left (above the 0.1 s floor) and is within 25% of it."""
    assert attempt_timeout(seconds) == expected


# -- point 5: cut-off and code-less error answers ------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        Reply(400, b'{"__type":"InvalidPaginationTokenExcep'),
        Reply(400, b'{"__type": "InvalidPaginationTokenException", "mess'),
        Reply(400, b"", headers=(("x-amzn-ErrorType", "InvalidPaginationTokenException:http://internal.amazon.com/"),)),
        Reply(400, b"<html>", headers=(("x-amzn-ErrorType", "InvalidPaginationTokenException"),)),
    ],
    ids=["cut-in-code", "cut-in-message", "header-only", "header-html-body"],
)
def test_cut_off_invalid_token_answer_still_restarts_pagination(aws_env: None, reply: Reply) -> None:
    """An expired-token answer whose code is cut off or only in the header restarts from page 1, losing nothing."""
    script = [_page("t1", 0), reply, _page("t1b", 0), _page(None, 2)]
    with scripted(script) as server:
        result = _client(server.endpoint_url).get(JOB)
    assert [s.shot_segment.index for s in result.shots if s.shot_segment] == [0, 1, 2, 3]
    assert server.count == 4


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (Reply(400, b'{"message": "Rate exc'), rekseg.TransportError),
        (Reply(400, b""), rekseg.TransportError),
        (Reply(403, b"["), rekseg.TransportError),
        (error(429, None, "Too Many Requests"), rekseg.ThrottlingError),
        (Reply(429, b"Too Many Requests", headers=(("Content-Type", "text/plain"),)), rekseg.ThrottlingError),
    ],
    ids=["cut-400", "empty-400", "cut-403", "429-json", "429-text"],
)
def test_unreadable_and_code_less_error_answers_are_retried(
    aws_env: None, reply: Reply, error_type: type[Exception]
) -> None:
    """A cut-off 4xx body is a transport failure and a 429 without __type is throttling: both retried."""
    with scripted([reply, succeeded()]) as server:
        assert _client(server.endpoint_url).status(JOB) is rekseg.JobStatus.SUCCEEDED
        assert server.count == 2
    with scripted([], then=reply) as server:
        with pytest.raises(error_type):
            _client(server.endpoint_url).status(JOB)
        assert server.count == FAST_RETRY.attempts


def test_readable_code_less_4xx_is_a_plain_service_error(aws_env: None) -> None:
    """A well-formed JSON 400 without __type is not guessed at: a ServiceError, not retried."""
    with scripted([], then=error(400, None, "Something else")) as server:
        with pytest.raises(rekseg.ServiceError) as info:
            _client(server.endpoint_url).status(JOB)
        assert server.count == 1
    assert type(info.value) is rekseg.ServiceError
    assert info.value.message == "Something else"


# -- point 6: malformed 200 bodies ------------------------------------------------------------------------------


MALFORMED = [
    b'{"JobStatus": "SUCCEEDED", "Segments": "oops"}',
    b'{"JobStatus": "SUCCEEDED", "Segments": [null]}',
    b'{"JobStatus": "SUCCEEDED", "Segments": [{"StartTimestampMillis": "10"}]}',
    b'{"JobStatus": "SUCCEEDED", "Segments": {"Type": "SHOT"}}',
    b'{"JobStatus": "SUCCEEDED", "Segments": [{"ShotSegment": "x"}]}',
    b'{"JobStatus": "SUCCEEDED", "Segments": [{"ShotSegment": {"Index": 1.5}}]}',
    b'{"JobStatus": "SUCCEEDED", "VideoMetadata": {"FrameRate": 25}}',
    b'{"JobStatus": "SUCCEEDED", "VideoMetadata": [{"FrameRate": "25"}]}',
    b'{"JobStatus": 5}',
    b'{"Segments": []}',
    b"[1, 2]",
    b'"text"',
    b'{"JobStatus": "SUCCEEDED", "Segments": [{"ShotSegment": {"Confidence": NaN}}]}',
    b'{"JobStatus": "SUCCEEDED", "Segments": [{"StartTimestampMillis": 1' + b"0" * 400 + b"}]}",
    b'{"JobStatus": "SUCCEEDED", "VideoMetadata": [{"FrameRate": Infinity}]}',
    b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
]


@pytest.mark.parametrize("body", MALFORMED, ids=lambda b: b.decode()[:50])
def test_malformed_200_bodies_are_retried_transport_errors(aws_env: None, body: bytes) -> None:
    """A 200 body of the wrong shape is retried like a lost answer, then the good answer is used."""
    with scripted([Reply(200, body), succeeded()]) as server:
        assert _client(server.endpoint_url).status(JOB) is rekseg.JobStatus.SUCCEEDED
        assert server.count == 2
    with scripted([], then=Reply(200, body)) as server:
        with pytest.raises(rekseg.TransportError) as info:
            _client(server.endpoint_url).get(JOB)
        assert server.count == FAST_RETRY.attempts
    assert info.value.job_id == JOB


@pytest.mark.parametrize("bad", [12, "j" * 65, "job\nINJECTED log line", "../../etc"])
def test_malformed_start_answer_is_retried(aws_env: None, bad: object) -> None:
    """A Start answer whose JobId is not a string, or no job id, is retried with the same ClientRequestToken."""
    with scripted([Reply(200, {"JobId": bad}), Reply(200, {"JobId": "job-1"})]) as server:
        job = _client(server.endpoint_url).start(VIDEO)
    assert job.job_id == "job-1"
    assert server.bodies[0]["ClientRequestToken"] == server.bodies[1]["ClientRequestToken"]


# -- point 7: handed-in clients and Emulator.boto_client() --------------------------------------------------------


def test_emulator_boto_client_does_not_retry_by_itself(emulator: Emulator) -> None:
    """Emulator.boto_client() makes exactly one request per call, whatever botocore's default retry mode."""
    emulator.inject(Fault.THROTTLE_400, times=None)
    rek = emulator.boto_client()
    with pytest.raises(botocore.exceptions.ClientError):
        rek.get_segment_detection(JobId=JOB)
    assert emulator.count() == 1


def test_rekseg_policy_alone_retries_an_emulator_client(emulator: Emulator) -> None:
    """Wrapped in rekseg.Client, the emulator's client makes exactly RetryPolicy.attempts requests."""
    emulator.inject(Fault.THROTTLE_400, times=None)
    client = rekseg.Client(boto_client=emulator.boto_client(), retry=rekseg.RetryPolicy(attempts=3, **NO_WAIT))
    with pytest.raises(rekseg.ThrottlingError):
        client.status(JOB)
    assert emulator.count() == 3


def test_explicit_retry_config_of_emulator_client_wins(emulator: Emulator) -> None:
    """A retries setting passed to Emulator.boto_client() is kept."""
    emulator.inject(Fault.THROTTLE_400, times=None)
    rek = emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 2, "mode": "standard"}))
    with pytest.raises(botocore.exceptions.ClientError):
        rek.get_segment_detection(JobId=JOB)
    assert emulator.count() == 2


def test_handed_in_standard_mode_client_retries_limit_exceeded_itself(emulator: Emulator) -> None:
    """As documented: botocore's standard mode retries LimitExceeded; rekseg then raises it without retrying."""
    emulator.inject(Fault.LIMIT_EXCEEDED, times=None)
    rek = emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 3, "mode": "standard"}))
    with pytest.raises(rekseg.LimitExceededError):
        rekseg.Client(boto_client=rek, retry=rekseg.RetryPolicy(attempts=5, **NO_WAIT)).start(VIDEO)
    assert emulator.count() == 3
