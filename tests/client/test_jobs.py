"""Starting and waiting for jobs end to end, over HTTP against the emulator."""

from __future__ import annotations

import math

import attrs
import pytest

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

from .conftest import VIDEO, make_client, shots_only

EPISODE = SyntheticVideo(duration=600, shots=120, seed=3)


def test_detect_returns_the_videos_segments_as_models(em: Emulator, client: rekseg.Client) -> None:
    """detect() starts, waits and returns every segment of the video as typed models, in the service's order."""
    em.add_video(VIDEO, EPISODE)
    # The service returns types in request order; the client asks for shots first by default.
    expected = attrs.evolve(EPISODE, segment_types=("SHOT", "TECHNICAL_CUE")).result()

    result = client.detect(VIDEO, job_tag="ep-1")

    assert isinstance(result, rekseg.SegmentDetectionResult)
    assert all(isinstance(s, rekseg.Segment) for s in result.segments or ())
    assert [s.to_response() for s in result.segments or ()] == [s.to_response() for s in expected.segments or ()]
    assert len(result.shots) == 120
    assert result.technical_cues
    assert result.job_status is rekseg.JobStatus.SUCCEEDED
    assert result.job_tag == "ep-1"
    assert result.video is not None
    assert result.video.s3_object is not None
    assert result.video.s3_object.uri == VIDEO
    assert result.frame_rate == rekseg.FrameRate(30000, 1001)


def test_start_sends_one_request_and_job_reports_status(em: Emulator, client: rekseg.Client) -> None:
    """start() makes exactly one Start call; status() and done() follow the job to SUCCEEDED."""
    em.add_video(VIDEO, shots_only(5))
    job = client.start(VIDEO, segment_types=[rekseg.SegmentType.SHOT], job_tag="tag-1")

    assert isinstance(job, rekseg.Job)
    assert job.job_id in em.jobs
    assert em.count("StartSegmentDetection") == 1
    assert job.status() is rekseg.JobStatus.IN_PROGRESS
    assert not job.done()
    assert job.done()
    assert job.status() is rekseg.JobStatus.SUCCEEDED
    sent = next(r.params for r in em.requests if r.operation == "StartSegmentDetection")
    assert sent["SegmentTypes"] == ["SHOT"]
    assert sent["JobTag"] == "tag-1"
    assert sent["Video"] == {"S3Object": {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}}
    assert sent["ClientRequestToken"]


def test_start_sends_filters_and_notification_channel(em: Emulator, client: rekseg.Client) -> None:
    """Filters, notification channel and segment type order reach the service in its own shapes."""
    em.add_video(VIDEO, EPISODE)
    client.start(
        VIDEO,
        segment_types=("TECHNICAL_CUE", "SHOT"),
        shot_filter=rekseg.ShotFilter(min_segment_confidence=90),
        technical_cue_filter=rekseg.TechnicalCueFilter(
            min_segment_confidence=60,
            black_frame=rekseg.BlackFrame(max_pixel_threshold=0.1, min_coverage_percentage=99),
        ),
        notification_channel=rekseg.NotificationChannel(
            sns_topic_arn="arn:aws:sns:us-east-1:123456789012:AmazonRekognitionTopic",
            role_arn="arn:aws:iam::123456789012:role/RekognitionRole",
        ),
    )
    sent = em.requests[-1].params
    assert sent["SegmentTypes"] == ["TECHNICAL_CUE", "SHOT"]
    assert sent["Filters"]["ShotFilter"] == {"MinSegmentConfidence": 90}
    assert sent["Filters"]["TechnicalCueFilter"]["MinSegmentConfidence"] == 60
    assert sent["Filters"]["TechnicalCueFilter"]["BlackFrame"] == {
        "MaxPixelThreshold": 0.1,
        "MinCoveragePercentage": 99,
    }
    assert sent["NotificationChannel"]["SNSTopicArn"].endswith(":AmazonRekognitionTopic")


def test_results_honour_type_order_and_confidence_filter(em: Emulator, client: rekseg.Client) -> None:
    """Requested type order and minimum confidence shape the result the client returns."""
    em.add_video(VIDEO, EPISODE)
    result = client.detect(
        VIDEO, segment_types=("TECHNICAL_CUE", "SHOT"), shot_filter=rekseg.ShotFilter(min_segment_confidence=90)
    )
    kinds = [s.type for s in result.segments or ()]
    first_shot = kinds.index(rekseg.SegmentType.SHOT)
    assert set(kinds[:first_shot]) == {rekseg.SegmentType.TECHNICAL_CUE}
    assert set(kinds[first_shot:]) == {rekseg.SegmentType.SHOT}
    assert all((s.confidence or 0) >= 90 for s in result.shots)
    assert 0 < len(result.shots) < 120


@pytest.mark.parametrize(("polls_to_complete", "shots"), [(0, 1), (2, 1000), (3, 2500), (1, 1001)])
def test_waited_job_costs_polls_plus_pages_minus_one(aws_env: None, polls_to_complete: int, shots: int) -> None:
    """A waited job of N segments costs polls + ceil(N/1000) - 1 GetSegmentDetection calls in all."""
    with Emulator(polls_to_complete=polls_to_complete) as emulator:
        emulator.add_video(VIDEO, shots_only(shots))
        progress: list[rekseg.WaitProgress] = []
        result = make_client(emulator).detect(VIDEO, segment_types=["SHOT"], progress=progress.append)

        polls = polls_to_complete + 1
        assert len(result.segments or ()) == shots
        assert emulator.count("StartSegmentDetection") == 1
        assert emulator.count("GetSegmentDetection") == polls + math.ceil(shots / 1000) - 1
        assert [p.polls for p in progress] == list(range(1, polls + 1))
        assert progress[-1].status is rekseg.JobStatus.SUCCEEDED
        assert progress[-1].next_delay is None
        assert all(p.status is rekseg.JobStatus.IN_PROGRESS for p in progress[:-1])


def test_failed_job_raises_job_failed_error(em: Emulator, client: rekseg.Client) -> None:
    """A job that ends FAILED raises JobFailedError with the job id and the service's status message."""
    em.add_video(VIDEO, shots_only(3))
    job = client.start(VIDEO)
    em.fail_job(job.job_id, "Unsupported codec")
    with pytest.raises(rekseg.JobFailedError) as info:
        job.wait()
    assert info.value.job_id == job.job_id
    assert info.value.status_message == "Unsupported codec"
    assert "Unsupported codec" in str(info.value)


def test_wait_times_out_with_last_status(aws_env: None) -> None:
    """A job still running when the timeout passes raises WaitTimeoutError; the wait is bounded."""
    slow = rekseg.PollPolicy(wait_initial=0.05, wait_max=0.05, wait_jitter=0.0, timeout=30.0)
    with Emulator(polls_to_complete=10_000) as never:
        never.add_video(VIDEO, shots_only(3))
        stuck = make_client(never, polling=slow).start(VIDEO)
        with pytest.raises(rekseg.WaitTimeoutError) as info:
            stuck.wait(timeout=1.0)
        assert info.value.job_id == stuck.job_id
        assert info.value.last_status == "IN_PROGRESS"
        assert info.value.elapsed >= 1.0
        # Every 50 ms for a second: about 20 looks; at least 2 even when a loaded machine stalls a call.
        assert 2 <= info.value.polls == never.count("GetSegmentDetection") <= 25


def test_wait_timeout_none_comes_from_policy(aws_env: None) -> None:
    """The PollPolicy's timeout applies when wait() is given none."""
    with Emulator(polls_to_complete=10_000) as never:
        never.add_video(VIDEO, shots_only(3))
        policy = rekseg.PollPolicy(wait_initial=0.02, wait_max=0.02, wait_jitter=0.0, timeout=0.2)
        with pytest.raises(rekseg.WaitTimeoutError):
            make_client(never, polling=policy).detect(VIDEO)


def test_complete_by_hook_ends_wait(aws_env: None) -> None:
    """A job the emulator completes while the client waits is picked up by the next poll."""
    with Emulator(polls_to_complete=10_000) as emulator:
        emulator.add_video(VIDEO, shots_only(4))
        client = make_client(emulator)
        job = client.start(VIDEO)
        assert job.status() is rekseg.JobStatus.IN_PROGRESS
        emulator.complete_job(job.job_id)
        assert len(job.wait().shots) == 4


def test_same_request_token_returns_same_job(em: Emulator, client: rekseg.Client) -> None:
    """Starting twice with one ClientRequestToken and the same parameters returns the same job."""
    em.add_video(VIDEO, shots_only(3))
    first = client.start(VIDEO, client_request_token="token-1")
    second = client.start(VIDEO, client_request_token="token-1")
    assert first.job_id == second.job_id
    assert len(em.jobs) == 1


def test_same_token_other_parameters_is_a_mismatch(em: Emulator, client: rekseg.Client) -> None:
    """Reusing a token with other parameters raises IdempotentParameterMismatchError, not retried."""
    em.add_video(VIDEO, shots_only(3))
    client.start(VIDEO, client_request_token="token-1")
    with pytest.raises(rekseg.IdempotentParameterMismatchError) as info:
        client.start(VIDEO, client_request_token="token-1", job_tag="other")
    assert info.value.code == "IdempotentParameterMismatchException"
    assert em.count("StartSegmentDetection") == 2


def test_fresh_tokens_start_distinct_jobs(em: Emulator, client: rekseg.Client) -> None:
    """Without a token, each start() sends a fresh one and starts a new job."""
    em.add_video(VIDEO, shots_only(3))
    ids = {client.start(VIDEO).job_id for _ in range(3)}
    tokens = {r.params["ClientRequestToken"] for r in em.requests}
    assert len(ids) == 3
    assert len(tokens) == 3


def test_limit_exceeded_is_raised_at_once(aws_env: None) -> None:
    """The concurrent-job limit raises LimitExceededError without retrying."""
    with Emulator(polls_to_complete=100, job_limit=2) as emulator:
        emulator.add_video(VIDEO, shots_only(3))
        client = make_client(emulator)
        client.start(VIDEO)
        client.start(VIDEO)
        with pytest.raises(rekseg.LimitExceededError) as info:
            client.start(VIDEO)
        assert emulator.count("StartSegmentDetection") == 3
        assert info.value.operation == "StartSegmentDetection"


def test_job_handle_from_id_reads_results(em: Emulator, client: rekseg.Client) -> None:
    """client.job(id) makes no request; its segments() and wait() read the job's result."""
    em.add_video(VIDEO, shots_only(12))
    job_id = client.start(VIDEO).job_id
    before = em.count()
    handle = client.job(job_id)
    assert em.count() == before
    assert len(handle.wait().shots) == 12
    assert [s.shot_index for s in handle.segments()] == list(range(12))
    assert repr(handle) == f"<rekseg.Job {job_id}>"
