"""Emulator: every scripted fault, as botocore sees it."""

from __future__ import annotations

from typing import Any

import botocore.config
import botocore.exceptions
import pytest

from rekseg.testing import Emulator, Fault, FaultRule, SyntheticVideo

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
S3 = {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}
START = "StartSegmentDetection"
GET = "GetSegmentDetection"


def start(rek: Any, **params: Any) -> str:
    """Start a shot job on VIDEO and return its JobId."""
    job_id: str = rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=["SHOT"], **params)["JobId"]
    return job_id


@pytest.fixture
def job(emulator: Emulator, rek: Any) -> str:
    """A SUCCEEDED job over 5 shots, with the request log cleared."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=5, technical_cues=(), segment_types=["SHOT"]))
    job_id = start(rek)
    emulator.complete_job(job_id)
    emulator.clear_requests()
    return job_id


ERRORS = [
    (Fault.THROTTLE_400, GET, "ThrottlingException", 400),
    (Fault.THROTTLE_500, GET, "ThrottlingException", 500),
    (Fault.PROVISIONED_THROUGHPUT, GET, "ProvisionedThroughputExceededException", 400),
    (Fault.INTERNAL_ERROR, GET, "InternalServerError", 500),
    (Fault.ACCESS_DENIED, GET, "AccessDeniedException", 400),
    (Fault.THROTTLE_400, START, "ThrottlingException", 400),
    (Fault.ACCESS_DENIED, START, "AccessDeniedException", 400),
    (Fault.LIMIT_EXCEEDED, START, "LimitExceededException", 400),
    (Fault.VIDEO_TOO_LARGE, START, "VideoTooLargeException", 400),
    (Fault.INTERNAL_ERROR, START, "InternalServerError", 500),
]


@pytest.mark.parametrize(("fault", "operation", "code", "status"), ERRORS, ids=[f"{e[0].name}-{e[1]}" for e in ERRORS])
def test_error_faults_raise_the_modeled_exception(
    emulator: Emulator, rek: Any, job: str, fault: Fault, operation: str, code: str, status: int
) -> None:
    """Each error fault reaches botocore as its modeled exception class, status and request id."""
    emulator.inject(fault, operation=operation)
    call = (lambda: rek.get_segment_detection(JobId=job)) if operation == GET else (lambda: start(rek))
    with pytest.raises(getattr(rek.exceptions, code)) as info:
        call()
    response = info.value.response
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    recorded = emulator.requests[-1]
    assert (recorded.operation, recorded.status, recorded.error_code, recorded.fault) == (
        operation,
        status,
        code,
        fault,
    )
    assert response["ResponseMetadata"]["RequestId"] == recorded.request_id


def test_rejected_requests_change_nothing(emulator: Emulator, rek: Any, job: str) -> None:
    """A throttled Start starts no job and a throttled Get counts no poll."""
    emulator.inject(Fault.THROTTLE_400, times=2)
    with pytest.raises(rek.exceptions.ThrottlingException):
        start(rek)
    with pytest.raises(rek.exceptions.ThrottlingException):
        rek.get_segment_detection(JobId=job)
    assert list(emulator.jobs) == [job]
    assert emulator.jobs[job].polls == 0


def test_html_503_is_a_generic_error(emulator: Emulator, rek: Any, job: str) -> None:
    """An HTML 503 reaches botocore as a ClientError with code '503'."""
    emulator.inject(Fault.HTML_503, operation=GET)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rek.get_segment_detection(JobId=job)
    assert info.value.response["Error"]["Code"] == "503"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert emulator.requests[-1].status == 503


def test_connection_drop_is_connection_closed(emulator: Emulator, rek: Any, job: str) -> None:
    """A dropped connection is botocore's ConnectionClosedError, recorded with status 0; the next call works."""
    emulator.inject(Fault.CONNECTION_DROP, operation=GET)
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        rek.get_segment_detection(JobId=job)
    assert emulator.requests[-1].status == 0
    assert emulator.requests[-1].fault is Fault.CONNECTION_DROP
    assert rek.get_segment_detection(JobId=job)["JobStatus"] == "SUCCEEDED"


def test_dropped_start_still_started_the_job(emulator: Emulator, rek: Any, job: str) -> None:
    """A Start whose answer was lost did start a job: retrying with its token returns that job."""
    emulator.inject(Fault.CONNECTION_DROP, operation=START)
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        start(rek, ClientRequestToken="retry-me")
    assert len(emulator.jobs) == 2
    again = start(rek, ClientRequestToken="retry-me")
    assert len(emulator.jobs) == 2
    assert again != job


def test_slow_answer_times_out_then_a_fast_one_arrives(emulator: Emulator, job: str) -> None:
    """SLOW beyond the read timeout is a ReadTimeoutError; SLOW within it is the normal answer."""
    rek = emulator.boto_client(
        config=botocore.config.Config(read_timeout=0.2, connect_timeout=1, retries={"total_max_attempts": 1})
    )
    emulator.inject(Fault.SLOW, operation=GET, delay=1.0)
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        rek.get_segment_detection(JobId=job)
    emulator.inject(Fault.SLOW, operation=GET, delay=0.05)
    assert len(rek.get_segment_detection(JobId=job)["Segments"]) == 5
    assert [r.fault for r in emulator.requests] == [Fault.SLOW, Fault.SLOW]


@pytest.mark.parametrize("fault", [Fault.TRUNCATED_JSON, Fault.MALFORMED_JSON])
def test_unreadable_json_parses_to_an_empty_output(emulator: Emulator, rek: Any, job: str, fault: Fault) -> None:
    """A 200 body botocore cannot read becomes an output without JobStatus or Segments."""
    emulator.inject(fault, operation=GET)
    page = rek.get_segment_detection(JobId=job)
    assert "JobStatus" not in page
    assert "Segments" not in page
    assert page["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert emulator.requests[-1].fault is fault


def test_fault_applies_only_to_its_operation(emulator: Emulator, rek: Any, job: str) -> None:
    """A fault for Get leaves Start alone and fires on the next Get."""
    emulator.inject(Fault.THROTTLE_400, operation=GET)
    start(rek)
    with pytest.raises(rek.exceptions.ThrottlingException):
        rek.get_segment_detection(JobId=job)


def test_times_counts_hits_then_the_fault_is_gone(emulator: Emulator, rek: Any, job: str) -> None:
    """times=2 hits exactly the next two matching requests."""
    rule = emulator.inject(Fault.INTERNAL_ERROR, times=2)
    assert isinstance(rule, FaultRule)
    outcomes = []
    for _ in range(3):
        try:
            rek.get_segment_detection(JobId=job)
            outcomes.append("ok")
        except rek.exceptions.InternalServerError:
            outcomes.append("error")
    assert outcomes == ["error", "error", "ok"]
    assert rule.fired == 2
    assert rule.exhausted


def test_probability_hits_some_requests_for_ever() -> None:
    """times=None with probability p hits a share of requests near p, the same ones for the same seed."""

    def hits(seed: int) -> list[bool]:
        with Emulator(seed=seed) as em:
            rek = em.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
            em.inject(Fault.THROTTLE_400, times=None, probability=0.5)
            for _ in range(60):
                with pytest.raises((rek.exceptions.ThrottlingException, rek.exceptions.ResourceNotFoundException)):
                    rek.get_segment_detection(JobId="nope")
            return [r.fault is Fault.THROTTLE_400 for r in em.requests]

    first = hits(1)
    assert 10 < first.count(True) < 50
    assert hits(1) == first
    assert hits(2) != first


def test_clear_faults_removes_standing_faults(emulator: Emulator, rek: Any, job: str) -> None:
    """clear_faults removes a fault injected for ever."""
    emulator.inject(Fault.THROTTLE_400, times=None)
    with pytest.raises(rek.exceptions.ThrottlingException):
        rek.get_segment_detection(JobId=job)
    emulator.clear_faults()
    assert rek.get_segment_detection(JobId=job)["JobStatus"] == "SUCCEEDED"


def test_botocore_retries_see_passing_faults(emulator: Emulator, job: str) -> None:
    """The standard retry mode of botocore retries two throttles and succeeds on the third request."""
    rek = emulator.boto_client(config=botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 3}))
    emulator.inject(Fault.THROTTLE_500, operation=GET, times=2)
    assert rek.get_segment_detection(JobId=job)["JobStatus"] == "SUCCEEDED"
    assert [r.status for r in emulator.requests] == [500, 500, 200]


@pytest.mark.parametrize(
    "kwargs", [{"times": 0}, {"probability": 1.5}, {"probability": -0.1}, {"delay": -1.0}], ids=str
)
def test_inject_rejects_nonsense(emulator: Emulator, kwargs: dict[str, Any]) -> None:
    """Emulator.inject refuses times below 1, probabilities outside 0-1 and negative delays."""
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        emulator.inject(Fault.SLOW, **kwargs)
