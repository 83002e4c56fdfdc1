"""Emulator: idempotency, the job limit, page tokens and the hooks that script jobs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.config
import pytest

from rekseg import JobStatus
from rekseg.testing import Emulator, SyntheticVideo

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
S3 = {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}
SHOTS = SyntheticVideo(shots=25, technical_cues=(), segment_types=["SHOT"], seed=3)


def start(rek: Any, **params: Any) -> str:
    """Start a shot job on VIDEO and return its JobId."""
    job_id: str = rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=["SHOT"], **params)["JobId"]
    return job_id


@pytest.fixture
def finished(emulator: Emulator, rek: Any) -> str:
    """A SUCCEEDED job over 25 shots."""
    emulator.add_video(VIDEO, SHOTS)
    job_id = start(rek)
    emulator.complete_job(job_id)
    return job_id


# -- idempotency and the job limit ---------------------------------------------------------------------------


def test_same_token_same_parameters_returns_the_same_job(emulator: Emulator, rek: Any) -> None:
    """Repeating a Start with the same ClientRequestToken and parameters returns the first JobId."""
    emulator.add_video(VIDEO, SHOTS)
    first = start(rek, ClientRequestToken="once", JobTag="a")
    again = start(rek, ClientRequestToken="once", JobTag="a")
    assert again == first
    assert list(emulator.jobs) == [first]
    assert start(rek, ClientRequestToken="twice", JobTag="a") != first


def test_same_token_other_parameters_is_a_mismatch(emulator: Emulator, rek: Any) -> None:
    """The same ClientRequestToken with different parameters raises IdempotentParameterMismatchException."""
    emulator.add_video(VIDEO, SHOTS)
    start(rek, ClientRequestToken="once", JobTag="a")
    with pytest.raises(rek.exceptions.IdempotentParameterMismatchException):
        start(rek, ClientRequestToken="once", JobTag="b")
    assert len(emulator.jobs) == 1


def test_job_limit_counts_jobs_in_progress() -> None:
    """Start raises LimitExceededException while job_limit jobs are IN_PROGRESS, and works once one ends."""
    with Emulator(job_limit=2, polls_to_complete=100) as em:
        em.add_video(VIDEO, SHOTS)
        rek = em.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
        first, _ = start(rek), start(rek)
        with pytest.raises(rek.exceptions.LimitExceededException):
            start(rek)
        em.complete_job(first)
        assert start(rek) in em.jobs
        assert len(em.jobs) == 3


def test_idempotent_repeat_is_not_limited() -> None:
    """Repeating an accepted Start by its token returns its JobId even at the job limit."""
    with Emulator(job_limit=1, polls_to_complete=100) as em:
        em.add_video(VIDEO, SHOTS)
        rek = em.boto_client()
        job_id = start(rek, ClientRequestToken="once")
        assert start(rek, ClientRequestToken="once") == job_id


# -- page tokens ---------------------------------------------------------------------------------------------


def test_tokens_are_opaque_and_reusable(rek: Any, finished: str) -> None:
    """A NextToken is opaque (no JobId or offset in it) and can be used again for the same page."""
    first = rek.get_segment_detection(JobId=finished, MaxResults=10)
    token = first["NextToken"]
    assert finished not in token
    one = rek.get_segment_detection(JobId=finished, MaxResults=10, NextToken=token)
    two = rek.get_segment_detection(JobId=finished, MaxResults=10, NextToken=token)
    assert one["Segments"] == two["Segments"]
    assert one["Segments"][0]["ShotSegment"]["Index"] == 10


def test_page_size_may_change_between_pages(rek: Any, finished: str) -> None:
    """Each page uses its own MaxResults from where the token points."""
    first = rek.get_segment_detection(JobId=finished, MaxResults=5)
    rest = rek.get_segment_detection(JobId=finished, MaxResults=100, NextToken=first["NextToken"])
    assert [s["ShotSegment"]["Index"] for s in rest["Segments"]] == list(range(5, 25))
    assert "NextToken" not in rest


def test_token_never_issued_is_invalid(rek: Any, finished: str) -> None:
    """A NextToken the emulator did not issue raises InvalidPaginationTokenException."""
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_segment_detection(JobId=finished, NextToken="made-up")


def test_token_of_another_job_is_invalid(emulator: Emulator, rek: Any, finished: str) -> None:
    """A NextToken issued for one job raises InvalidPaginationTokenException on another."""
    other = start(rek)
    emulator.complete_job(other)
    token = rek.get_segment_detection(JobId=finished, MaxResults=5)["NextToken"]
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_segment_detection(JobId=other, NextToken=token)


def test_expire_tokens_invalidates_issued_tokens_only(emulator: Emulator, rek: Any, finished: str) -> None:
    """expire_tokens() makes tokens issued so far invalid; tokens issued afterwards work."""
    old = rek.get_segment_detection(JobId=finished, MaxResults=5)["NextToken"]
    emulator.expire_tokens()
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_segment_detection(JobId=finished, NextToken=old)
    new = rek.get_segment_detection(JobId=finished, MaxResults=5)["NextToken"]
    assert rek.get_segment_detection(JobId=finished, NextToken=new)["Segments"]


def test_expire_tokens_of_one_job_leaves_others(emulator: Emulator, rek: Any, finished: str) -> None:
    """expire_tokens(job_id) leaves the tokens of other jobs valid."""
    other = start(rek)
    emulator.complete_job(other)
    mine = rek.get_segment_detection(JobId=finished, MaxResults=5)["NextToken"]
    theirs = rek.get_segment_detection(JobId=other, MaxResults=5)["NextToken"]
    emulator.expire_tokens(finished)
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):
        rek.get_segment_detection(JobId=finished, NextToken=mine)
    assert rek.get_segment_detection(JobId=other, NextToken=theirs)["Segments"]


def test_repeat_token_hands_back_the_token_it_was_called_with(emulator: Emulator, rek: Any, finished: str) -> None:
    """After repeat_token the next Get with a NextToken returns that same token, then paging moves on."""
    token = rek.get_segment_detection(JobId=finished, MaxResults=10)["NextToken"]
    emulator.repeat_token(finished)
    stuck = rek.get_segment_detection(JobId=finished, MaxResults=10, NextToken=token)
    assert stuck["NextToken"] == token
    moved = rek.get_segment_detection(JobId=finished, MaxResults=10, NextToken=token)
    assert moved["NextToken"] != token
    assert stuck["Segments"] == moved["Segments"]


# -- job hooks ---------------------------------------------------------------------------------------------


def test_expired_job_is_resource_not_found(emulator: Emulator, rek: Any, finished: str) -> None:
    """expire_job makes Get raise ResourceNotFoundException, as after seven days."""
    emulator.expire_job(finished)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_segment_detection(JobId=finished)
    assert emulator.jobs[finished].expired


def test_complete_job_ends_a_job_at_once() -> None:
    """complete_job makes the very next Get return SUCCEEDED."""
    with Emulator(polls_to_complete=1000) as em:
        em.add_video(VIDEO, SHOTS)
        rek = em.boto_client()
        job_id = start(rek)
        em.complete_job(job_id)
        assert rek.get_segment_detection(JobId=job_id)["JobStatus"] == "SUCCEEDED"
        assert em.jobs[job_id].status is JobStatus.SUCCEEDED


def test_hooks_reject_unknown_jobs(emulator: Emulator) -> None:
    """The job hooks raise KeyError for a JobId the emulator never issued."""
    for hook in (emulator.complete_job, emulator.expire_job, emulator.repeat_token, emulator.expire_tokens):
        with pytest.raises(KeyError):
            hook("nope")
    with pytest.raises(KeyError):
        emulator.fail_job("nope", "message")


# -- the wire itself ---------------------------------------------------------------------------------------


def post(emulator: Emulator, target: str, body: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST raw bytes and return status, decoded JSON body and headers."""
    request = urllib.request.Request(
        emulator.endpoint_url + "/",
        data=body,
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def test_json_errors_have_type_message_and_request_id(emulator: Emulator) -> None:
    """Errors are {"__type", "message"} bodies with an x-amzn-RequestId header and the JSON 1.1 content type."""
    status, body, headers = post(emulator, "RekognitionService.GetSegmentDetection", b'{"JobId": "x"}')
    assert status == 400
    assert body["__type"] == "ResourceNotFoundException"
    assert body["message"]
    assert headers["x-amzn-RequestId"] == emulator.requests[-1].request_id
    assert headers["Content-Type"] == "application/x-amz-json-1.1"


def test_body_that_is_not_json_is_a_serialization_error(emulator: Emulator) -> None:
    """A body that is not a JSON object is answered with SerializationException."""
    status, body, _ = post(emulator, "RekognitionService.GetSegmentDetection", b"{nope")
    assert (status, body["__type"]) == (400, "SerializationException")


def test_unknown_operation_is_rejected_and_recorded(emulator: Emulator) -> None:
    """A target other than the two segment operations is UnknownOperationException, still recorded."""
    status, body, _ = post(emulator, "RekognitionService.DetectLabels", b"{}")
    assert (status, body["__type"]) == (400, "UnknownOperationException")
    assert emulator.count("DetectLabels") == 1


def test_concurrent_clients_page_independently(emulator: Emulator, rek: Any) -> None:
    """Eight threads paging the same job at once each get every segment exactly once."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=400, technical_cues=(), segment_types=["SHOT"], seed=9))
    job_id = start(rek)
    emulator.complete_job(job_id)

    def page_all(_: int) -> list[int]:
        indexes: list[int] = []
        token = None
        while True:
            extra: dict[str, str] = {} if token is None else {"NextToken": token}
            page = rek.get_segment_detection(JobId=job_id, MaxResults=50, **extra)
            indexes.extend(s["ShotSegment"]["Index"] for s in page["Segments"])
            token = page.get("NextToken")
            if not token:
                return indexes

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(page_all, range(8)))
    assert all(r == list(range(400)) for r in results)
    assert emulator.count("GetSegmentDetection") == 8 * 8
