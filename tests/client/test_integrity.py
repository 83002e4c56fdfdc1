"""Data integrity and loop bounds: job state on every page, the right job's answers, bounded paging, lifecycle."""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import rekseg
from rekseg._flows.paging import MAX_EMPTY_PAGES
from rekseg.testing import Emulator, Fault

from .conftest import FAST_POLL, FAST_RETRY, VIDEO, make_client, shots_only

Answer = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def _finished_job(em: Emulator, client: rekseg.Client, shots: int, video: str = VIDEO) -> str:
    em.add_video(video, shots_only(shots))
    job_id = client.start(video, segment_types=["SHOT"]).job_id
    em.complete_job(job_id)
    em.clear_requests()
    return job_id


# -- a scripted GetSegmentDetection server, for answers the emulator cannot give -------------------------------


class _ScriptServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Answer) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptHandler)
        self.answer = answer
        self.received: list[dict[str, Any]] = []

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)

    @property
    def endpoint_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class _ScriptHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ScriptServer

    def log_message(self, format: str, *args: Any) -> None:
        """Keep quiet."""

    def do_POST(self) -> None:
        """Answer one JSON 1.1 request with what the script says."""
        params = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.received.append(params)
        status, body = self.server.answer(params)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", f"script-{len(self.server.received)}")
        self.end_headers()
        self.wfile.write(data)


@contextlib.contextmanager
def scripted(answer: Answer) -> Iterator[_ScriptServer]:
    """Serve ``answer(params) -> (status, body)`` on 127.0.0.1 for as long as the block runs."""
    server = _ScriptServer(answer)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _script_client(server: _ScriptServer) -> rekseg.Client:
    return rekseg.Client(
        endpoint_url=server.endpoint_url, region_name="us-east-1", retry=rekseg.RetryPolicy.none(), polling=FAST_POLL
    )


JOB = "scripted-job"


def _expired() -> tuple[int, dict[str, Any]]:
    return 400, {"__type": "InvalidPaginationTokenException", "message": "Invalid Token"}


# -- 1. a later page that stops reporting SUCCEEDED ------------------------------------------------------------


@pytest.mark.parametrize("reader", ["get", "wait", "segments"])
@pytest.mark.parametrize("fault", ["in-progress", "failed"])
def test_a_later_page_that_is_not_succeeded_is_refused(aws_env: None, fault: str, reader: str) -> None:
    """get(), wait() and segments() raise JobStatusChangedError (job id, page 2, status) if page 2 is not SUCCEEDED."""
    hit: list[str] = []

    def after_page_one(request: rekseg.testing.RecordedRequest) -> None:
        if request.operation == "GetSegmentDetection" and not hit:
            hit.append(str(request.params["JobId"]))
            if fault == "failed":
                em.fail_job(hit[0], "The video went away.")
            else:
                em.inject(Fault.JOB_IN_PROGRESS)

    with Emulator(polls_to_complete=0, on_request=after_page_one) as em:
        client = make_client(em)
        em.add_video(VIDEO, shots_only(2500))
        job_id = client.start(VIDEO, segment_types=["SHOT"]).job_id
        read = {"get": client.get, "wait": client.wait, "segments": lambda j: list(client.segments(j))}[reader]
        with pytest.raises(rekseg.JobStatusChangedError) as info:
            read(job_id)
        assert em.count("GetSegmentDetection") == 2
    error = info.value
    assert (error.job_id, error.page) == (job_id, 2)
    assert error.status == ("FAILED" if fault == "failed" else "IN_PROGRESS")
    assert "page 2" in str(error)
    assert job_id in str(error)
    assert isinstance(error, rekseg.PaginationError)


# -- 2. reading results of a running or failed job -------------------------------------------------------------


def test_reading_a_running_job_says_to_wait(aws_env: None) -> None:
    """get(), segments() and pages() on a running job raise JobInProgressError that names wait()."""
    with Emulator(polls_to_complete=100) as em:
        client = make_client(em)
        em.add_video(VIDEO, shots_only(10))
        job = client.start(VIDEO)
        for read in (lambda: client.get(job.job_id), lambda: list(job.segments()), lambda: list(job.pages())):
            with pytest.raises(rekseg.JobInProgressError) as info:
                read()
            assert info.value.job_id == job.job_id
            assert info.value.status == "IN_PROGRESS"
            assert "wait()" in str(info.value)
        assert em.count("GetSegmentDetection") == 3


def test_reading_a_failed_job_raises_job_failed(em: Emulator, client: rekseg.Client) -> None:
    """get(), segments() and pages() on a FAILED job raise JobFailedError with the service's reason."""
    em.add_video(VIDEO, shots_only(10))
    job = client.start(VIDEO)
    em.fail_job(job.job_id, "Unsupported codec.")
    for read in (lambda: client.get(job.job_id), lambda: list(job.segments()), lambda: list(job.pages())):
        with pytest.raises(rekseg.JobFailedError) as info:
            read()
        assert info.value.job_id == job.job_id
        assert info.value.status_message == "Unsupported codec."


# -- 3. answers for another job; fork safety -------------------------------------------------------------------


def test_answer_naming_another_job_is_refused(em: Emulator, client: rekseg.Client) -> None:
    """An answer whose JobId is another job's raises JobIdMismatchError with both ids and the request id."""
    job_id = _finished_job(em, client, 10)
    em.inject(Fault.WRONG_JOB_ID, times=2)
    with pytest.raises(rekseg.JobIdMismatchError) as info:
        client.get(job_id)
    error = info.value
    answered = em.requests[-1]
    assert error.job_id == job_id
    assert error.answered_job_id not in (job_id, None)
    assert error.request_id == answered.request_id
    assert error.operation == "GetSegmentDetection"
    with pytest.raises(rekseg.JobIdMismatchError):
        client.status(job_id)
    assert em.count() == 2


def _read_own_job(client: rekseg.Client, job_id: str, expected: int, rounds: int, results: Any) -> None:
    wrong: list[str] = []
    for _ in range(rounds):
        try:
            result = client.get(job_id)
        except Exception as exc:  # noqa: BLE001 -- the child reports every failure to the parent
            wrong.append(f"{type(exc).__name__}: {exc}")
            continue
        if result.job_id != job_id or len(result.segments or ()) != expected:
            wrong.append(f"got job {result.job_id} with {len(result.segments or ())} segments")
    results.put((job_id, wrong))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_forked_children_never_read_each_others_answers(em: Emulator, aws_env: None) -> None:
    """A Client used in forked children rebuilds its connections: every answer reaches the process that asked."""
    client = make_client(em, retry=rekseg.RetryPolicy.none(), read_timeout=1.0)
    jobs = {_finished_job(em, client, 20 + n, video=f"s3://media-bucket/fork/{n}.mp4"): 20 + n for n in range(4)}
    (parent_job, parent_count), *children_jobs = jobs.items()
    client.get(parent_job)  # the pool now holds a kept-alive connection, inherited by every child
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    rounds = 25
    children = [
        context.Process(target=_read_own_job, args=(client, job_id, count, rounds, results))
        for job_id, count in children_jobs
    ]
    for child in children:
        child.start()
    _read_own_job(client, parent_job, parent_count, rounds, results)
    reports = dict(results.get(timeout=120) for _ in range(len(children) + 1))
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    assert reports == {job_id: [] for job_id in jobs}


def _try_status(client: rekseg.Client, job_id: str, results: Any) -> None:
    try:
        client.status(job_id)
    except rekseg.RekSegError as exc:
        results.put(type(exc).__name__)
    else:
        results.put("answered")


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_handed_in_client_is_refused_after_fork(em: Emulator, aws_env: None) -> None:
    """A Client around a handed-in botocore client raises ClientForkedError in a forked child, sending nothing."""
    client = rekseg.Client(boto_client=em.boto_client(), retry=FAST_RETRY, polling=FAST_POLL)
    job_id = _finished_job(em, client, 5)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_try_status, args=(client, job_id, results))
    child.start()
    assert results.get(timeout=60) == "ClientForkedError"
    child.join(30)
    assert em.count() == 0
    assert client.status(job_id) is rekseg.JobStatus.SUCCEEDED  # the parent keeps working


# -- 4. detect() checks everything before the billable Start ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": math.inf}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": timedelta(0)}, "timeout"),
        ({"timeout": "60"}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"progress": "print"}, "progress"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
    ],
)
def test_detect_checks_every_argument_before_start(
    em: Emulator, client: rekseg.Client, kwargs: dict[str, Any], field: str
) -> None:
    """detect() raises ValidationError naming the field before any job is started."""
    em.add_video(VIDEO, shots_only(5))
    with pytest.raises(rekseg.ValidationError) as info:
        client.detect(VIDEO, **kwargs)
    assert info.value.field == field
    assert em.count() == 0
    with pytest.raises(rekseg.ValidationError):
        client.wait("some-job", **kwargs)
    assert em.count() == 0


def test_timeouts_accept_timedelta(em: Emulator, client: rekseg.Client) -> None:
    """wait(), Job.wait() and detect() take a datetime.timedelta wherever they take seconds."""
    em.add_video(VIDEO, shots_only(5))
    assert len(client.detect(VIDEO, timeout=timedelta(seconds=30), page_size=2).segments or ()) == 5
    job = client.start(VIDEO)
    assert job.wait(timeout=timedelta(minutes=1)).job_id == job.job_id
    job = client.start(VIDEO)
    assert client.wait(job.job_id, timeout=timedelta(seconds=30)).job_id == job.job_id


def test_errors_escaping_detect_after_start_carry_the_job_id(em: Emulator, client: rekseg.Client) -> None:
    """Once detect() has started a job, what escapes names it: job_id on rekseg errors, a note on others."""
    em.add_video(VIDEO, shots_only(5))
    with pytest.raises(rekseg.ClientClosedError) as info:
        client.detect(VIDEO, progress=lambda _: client.close())
    (first,) = em.jobs
    assert info.value.job_id == first

    def boom(_: rekseg.WaitProgress) -> None:
        raise KeyError("from the callback")

    with pytest.raises(KeyError) as raised:
        make_client(em).detect(VIDEO, progress=boom)
    (second,) = set(em.jobs) - {first}
    if sys.version_info >= (3, 11):
        assert any(second in note for note in raised.value.__notes__)

    with Emulator(polls_to_complete=1000) as never:
        never.add_video(VIDEO, shots_only(5))
        slow = make_client(never, polling=rekseg.PollPolicy(wait_initial=0.05, wait_max=0.05, wait_jitter=0.0))
        with pytest.raises(rekseg.WaitTimeoutError) as timed_out:
            slow.detect(VIDEO, timeout=timedelta(seconds=0.3))
        assert timed_out.value.job_id in never.jobs


# -- 5. the re-read after an expired token ---------------------------------------------------------------------


def _paged_script(second_read: list[tuple[list[int], str | None]]) -> tuple[Answer, list[dict[str, Any]]]:
    """Pages of two shots; the token of page 3 has expired; the re-read from page 1 serves ``second_read``."""
    full = shots_only(6).result().to_response()
    segments: list[dict[str, Any]] = full["Segments"]
    base = {k: v for k, v in full.items() if k not in ("Segments", "JobId")}
    first_read = {None: ([0, 1], "t1"), "t1": ([2, 3], "t2")}
    reread = {None if n == 0 else f"u{n}": page for n, page in enumerate(second_read)}
    state = {"expired": False}

    def answer(params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        token = params.get("NextToken")
        if token == "t2":
            state["expired"] = True
            return _expired()
        indexes, next_token = (reread if state["expired"] else first_read)[token]
        body = {**base, "JobId": params["JobId"], "Segments": [segments[i] for i in indexes]}
        if next_token:
            body["NextToken"] = next_token
        return 200, body

    return answer, segments


@pytest.mark.parametrize(
    ("second_read", "says"),
    [
        ([([0, 1], "u1"), ([2, 5], "u2"), ([4, 5], None)], "found another segment"),
        ([([0, 1], None)], "ended before reaching them"),
    ],
    ids=["changed", "shrunk"],
)
def test_reread_after_expired_token_must_match_what_was_yielded(
    aws_env: None, second_read: list[tuple[list[int], str | None]], says: str
) -> None:
    """After an expired token, a re-read whose segments differ from those yielded raises ResultChangedError."""
    answer, _ = _paged_script(second_read)
    with scripted(answer) as server:
        stream = _script_client(server).segments(JOB, page_size=2)
        first = [next(stream).shot_index for _ in range(4)]
        with pytest.raises(rekseg.ResultChangedError) as info:
            next(stream)
    assert first == [0, 1, 2, 3]
    assert info.value.offset == 4
    assert info.value.job_id == JOB
    assert says in str(info.value)


def test_reread_that_matches_continues_after_the_last_yielded(aws_env: None) -> None:
    """A re-read that agrees with what was yielded skips exactly that and goes on: nothing lost or repeated."""
    answer, _ = _paged_script([([0, 1], "u1"), ([2, 3], "u2"), ([4, 5], None)])
    with scripted(answer) as server:
        indexes = [s.shot_index for s in _script_client(server).segments(JOB, page_size=2)]
    assert indexes == [0, 1, 2, 3, 4, 5]


# -- 6. bounded paging: empty pages, cycles, more segments than the video holds --------------------------------


def test_endless_empty_pages_raise_pagination_error(em: Emulator, client: rekseg.Client) -> None:
    """Pages without segments but with a fresh NextToken are followed MAX_EMPTY_PAGES times, then refused."""
    job_id = _finished_job(em, client, 1500)
    em.inject(Fault.EMPTY_PAGES, times=300)
    with pytest.raises(rekseg.PaginationError) as info:
        client.get(job_id)
    assert "in a row" in str(info.value)
    assert info.value.job_id == job_id
    assert em.count("GetSegmentDetection") == 100


def test_a_few_empty_pages_are_followed_to_the_whole_result(em: Emulator, client: rekseg.Client) -> None:
    """Empty pages with fresh tokens below the cap lose nothing: the result is whole and in order."""
    job_id = _finished_job(em, client, 1500)
    em.inject(Fault.EMPTY_PAGES, times=5)
    result = client.get(job_id)
    assert [s.shot_index for s in result.segments or ()] == list(range(1500))
    assert em.count("GetSegmentDetection") == 7


def test_token_cycle_is_named_a_cycle(em: Emulator, client: rekseg.Client) -> None:
    """Tokens that go round A -> B -> A raise PaginationError whose message describes the cycle."""
    job_id = _finished_job(em, client, 5000)
    em.inject(Fault.TOKEN_CYCLE, times=None)
    with pytest.raises(rekseg.PaginationError) as info:
        client.get(job_id)
    message = str(info.value)
    assert "cycle of 2 pages" in message
    assert "page 3" in message
    assert "page 1" in message
    assert info.value.page == 3
    assert info.value.token == em.requests[1].params["NextToken"]
    assert em.count("GetSegmentDetection") == 3


def test_more_segments_than_the_video_holds_are_refused(aws_env: None) -> None:
    """Pages that keep coming with segments past what the video's duration allows raise PaginationError."""
    one_second = {
        "JobStatus": "SUCCEEDED",
        "VideoMetadata": [{"DurationMillis": 1000, "FrameRate": 25.0}],
        "SelectedSegmentTypes": [{"Type": "SHOT", "ModelVersion": "1.0"}],
    }
    shot = shots_only(1).result().to_response()["Segments"][0]

    def answer(params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        page = int(params.get("NextToken", "p0")[1:]) + 1
        # Each page a new shot, in order: only their number gives them away.
        next_shot = {**shot, "StartTimestampMillis": 40 * page, "ShotSegment": {"Index": page, "Confidence": 99.0}}
        body = {**one_second, "JobId": params["JobId"], "Segments": [next_shot]}
        if page < 1000:
            body["NextToken"] = f"p{page}"
        return 200, body

    with scripted(answer) as server:
        with pytest.raises(rekseg.PaginationError) as info:
            _script_client(server).get(JOB)
        assert len(server.received) < 100
    assert "more than its video can hold" in str(info.value)


def _shot(index: int, start: int, kind: str = "SHOT") -> dict[str, Any]:
    segment: dict[str, Any] = {"Type": kind, "StartTimestampMillis": start, "EndTimestampMillis": start + 39}
    if kind == "SHOT":
        segment["ShotSegment"] = {"Index": index, "Confidence": 99.0}
    else:
        segment["TechnicalCueSegment"] = {"Type": "BlackFrames", "Confidence": 99.0}
    return segment


def _serving(pages: list[list[dict[str, Any]]]) -> Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]:
    """Answer GetSegmentDetection with ``pages`` in turn, chained by tokens p1, p2..."""

    def answer(params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        page = int(params.get("NextToken", "p0")[1:])
        body = {"JobStatus": "SUCCEEDED", "JobId": params["JobId"], "Segments": pages[page]}
        if page + 1 < len(pages):
            body["NextToken"] = f"p{page + 1}"
        return 200, body

    return answer


@pytest.mark.parametrize(
    ("pages", "reason"),
    [
        # The first page served again under a fresh token.
        ([[_shot(0, 0), _shot(1, 40)], [_shot(0, 0), _shot(1, 40), _shot(2, 80)]], "starts with shot 0"),
        # A cue page whose start goes back in time (cues have no index).
        (
            [[_shot(0, 0, "TECHNICAL_CUE"), _shot(0, 400, "TECHNICAL_CUE")], [_shot(0, 0, "TECHNICAL_CUE")]],
            "starts at 0 ms",
        ),
        # Shots, then cues, then shots again: a type the pages had moved past.
        ([[_shot(0, 0)], [_shot(0, 0, "TECHNICAL_CUE")], [_shot(1, 40)]], "already moved past"),
    ],
)
def test_a_page_repeating_segments_is_refused(aws_env: None, pages: list[list[dict[str, Any]]], reason: str) -> None:
    """A page that does not go on where the one before ended (a page served twice) raises PaginationError."""
    with scripted(_serving(pages)) as server:
        client = _script_client(server)
        with pytest.raises(rekseg.PaginationError, match="segments it had already sent") as info:
            client.get(JOB)
        assert reason in str(info.value)
        assert info.value.page == len(pages)
        # Streaming hands out the pages before the bad one, and nothing of it.
        seen: list[rekseg.Segment] = []
        with pytest.raises(rekseg.PaginationError):
            seen.extend(client.segments(JOB))
        assert len(seen) == sum(len(page) for page in pages[:-1])


def test_shots_in_order_and_cues_sharing_a_start_are_accepted(aws_env: None) -> None:
    """Cues may start where the page before ended (shared boundary); cues then shots, as requested, are in order."""
    pages = [
        [_shot(0, 0, "TECHNICAL_CUE"), _shot(0, 400, "TECHNICAL_CUE")],
        [_shot(0, 400, "TECHNICAL_CUE")],
        [_shot(0, 0), _shot(1, 40)],
        [_shot(2, 80)],
    ]
    with scripted(_serving(pages)) as server:
        result = _script_client(server).get(JOB)
    assert len(result.segments or ()) == 6


def test_pages_of_a_few_segments_each_are_bounded(aws_env: None) -> None:
    """One new segment a page with a fresh token, no metadata to bound the video: refused after about 100 pages."""

    def answer(params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        page = int(params.get("NextToken", "p0")[1:])
        body = {"JobStatus": "SUCCEEDED", "JobId": params["JobId"], "Segments": [_shot(page, 40 * page)]}
        body["NextToken"] = f"p{page + 1}"
        return 200, body

    with scripted(answer) as server:
        with pytest.raises(rekseg.PaginationError, match="a few segments at a time") as info:
            _script_client(server).get(JOB)
        # MAX_EMPTY_PAGES of slack plus twice the full pages the segments make (one): 102 pages followed.
        assert len(server.received) == MAX_EMPTY_PAGES + 3
    assert info.value.page == MAX_EMPTY_PAGES + 3


# -- 8. closing the client -------------------------------------------------------------------------------------


def _eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_context_manager_closes_connections_and_refuses_calls(em: Emulator, aws_env: None) -> None:
    """Leaving `with Client(...)` closes its pooled connections; a closed client refuses every call, sending nothing."""
    em.add_video(VIDEO, shots_only(5))
    with make_client(em) as client:
        job_id = client.detect(VIDEO).job_id
        assert em.open_connections == 1
    assert client.closed
    assert _eventually(lambda: em.open_connections == 0)
    sent = em.count()
    for call in (
        lambda: client.get(job_id),
        lambda: client.pages(job_id),
        lambda: client.status(job_id),
        lambda: client.start(VIDEO),
        lambda: client.job(job_id).wait(),
    ):
        with pytest.raises(rekseg.ClientClosedError, match="closed"):
            call()
    assert em.count() == sent
    client.close()  # again: no error


def test_close_leaves_a_handed_in_botocore_client_open(em: Emulator, aws_env: None) -> None:
    """close() refuses further calls through rekseg but leaves a botocore client the caller handed in usable."""
    boto = em.boto_client()
    client = rekseg.Client(boto_client=boto, retry=FAST_RETRY, polling=FAST_POLL)
    job_id = _finished_job(em, client, 5)
    client.close()
    with pytest.raises(rekseg.ClientClosedError):
        client.get(job_id)
    assert boto.get_segment_detection(JobId=job_id)["JobStatus"] == "SUCCEEDED"
