"""Emulator: jobs, results and pages over the real wire protocol, driven by plain botocore clients."""

from __future__ import annotations

import gc
import sys
import time
from typing import Any

import attrs
import botocore.config
import pytest

from rekseg import JobStatus, SegmentDetectionResult
from rekseg.testing import Emulator, JobState, RecordedRequest, SyntheticVideo, synthetic_result

VIDEO = "s3://media-bucket/episodes/s01e01.mp4"
S3 = {"Bucket": "media-bucket", "Name": "episodes/s01e01.mp4"}
BOTH = ["TECHNICAL_CUE", "SHOT"]
START = "StartSegmentDetection"
GET = "GetSegmentDetection"
NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1})


def start(rek: Any, types: list[str] | None = None, **params: Any) -> str:
    """Start a job on VIDEO and return its JobId."""
    job_id: str = rek.start_segment_detection(Video={"S3Object": S3}, SegmentTypes=types or BOTH, **params)["JobId"]
    return job_id


def all_pages(rek: Any, job_id: str, **params: Any) -> list[dict[str, Any]]:
    """Follow NextToken to the end and return every page."""
    pages = [rek.get_segment_detection(JobId=job_id, **params)]
    while pages[-1].get("NextToken"):
        pages.append(rek.get_segment_detection(JobId=job_id, NextToken=pages[-1]["NextToken"], **params))
        assert len(pages) < 10_000
    return pages


def segments(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Concatenate the segments of pages."""
    return [s for page in pages for s in page["Segments"]]


def test_endpoint_serves_on_loopback_and_stops_on_exit() -> None:
    """The context manager serves on an ephemeral 127.0.0.1 port and refuses connections after exit."""
    with Emulator() as em:
        assert em.endpoint_url.startswith("http://127.0.0.1:")
        rek = em.boto_client(config=NO_RETRIES)
        with pytest.raises(rek.exceptions.ResourceNotFoundException):
            rek.get_segment_detection(JobId="nope")
    with pytest.raises(botocore.exceptions.EndpointConnectionError):
        rek.get_segment_detection(JobId="nope")
    with pytest.raises(RuntimeError):
        _ = em.endpoint_url


def test_start_and_close_can_be_called_directly() -> None:
    """start() returns the emulator; close() twice is harmless; starting twice is refused."""
    em = Emulator().start()
    try:
        with pytest.raises(RuntimeError):
            em.start()
    finally:
        em.close()
    em.close()


def test_job_is_in_progress_for_the_configured_polls_then_succeeds(emulator: Emulator, rek: Any) -> None:
    """With polls_to_complete=1 the first Get says IN_PROGRESS and the second SUCCEEDED with segments."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=5, seed=1))
    job_id = start(rek)
    first = rek.get_segment_detection(JobId=job_id)
    assert first["JobStatus"] == "IN_PROGRESS"
    assert "Segments" not in first
    assert first["JobId"] == job_id
    second = rek.get_segment_detection(JobId=job_id)
    assert second["JobStatus"] == "SUCCEEDED"
    assert len([s for s in second["Segments"] if s["Type"] == "SHOT"]) == 5
    assert emulator.jobs[job_id].polls == 2


@pytest.mark.parametrize("polls", [0, 3])
def test_polls_to_complete_counts_get_calls(polls: int) -> None:
    """A job reports IN_PROGRESS for exactly polls_to_complete Gets (0: done at Start)."""
    with Emulator(polls_to_complete=polls) as em:
        em.add_video(VIDEO, SyntheticVideo(shots=2))
        rek = em.boto_client()
        job_id = start(rek)
        statuses = [rek.get_segment_detection(JobId=job_id)["JobStatus"] for _ in range(polls + 2)]
    assert statuses == ["IN_PROGRESS"] * polls + ["SUCCEEDED"] * 2


def test_seconds_to_complete_ends_the_job_by_time_not_polls() -> None:
    """With seconds_to_complete the job stays IN_PROGRESS until that much time has passed."""
    with Emulator(seconds_to_complete=0.3, polls_to_complete=0) as em:
        em.add_video(VIDEO, SyntheticVideo(shots=2))
        rek = em.boto_client()
        job_id = start(rek)
        assert rek.get_segment_detection(JobId=job_id)["JobStatus"] == "IN_PROGRESS"
        time.sleep(0.5)
        assert em.jobs[job_id].status is JobStatus.SUCCEEDED
        assert rek.get_segment_detection(JobId=job_id)["JobStatus"] == "SUCCEEDED"


def test_get_echoes_job_id_tag_video_and_metadata_on_every_page(emulator: Emulator, rek: Any) -> None:
    """Every page carries JobId, JobTag, Video, VideoMetadata, AudioMetadata and SelectedSegmentTypes."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=25, seed=2))
    job_id = start(rek, JobTag="ep-1")
    emulator.complete_job(job_id)
    pages = all_pages(rek, job_id, MaxResults=10)
    assert len(pages) == 4
    for page in pages:
        assert page["JobId"] == job_id
        assert page["JobTag"] == "ep-1"
        assert page["Video"] == {"S3Object": S3}
        assert page["VideoMetadata"][0]["FrameRate"] == pytest.approx(29.97, abs=0.01)
        assert page["AudioMetadata"]
        assert page["SelectedSegmentTypes"] == [
            {"Type": "TECHNICAL_CUE", "ModelVersion": "2.0"},
            {"Type": "SHOT", "ModelVersion": "1.0"},
        ]


def test_synthetic_video_pages_match_the_synthetic_result(emulator: Emulator, rek: Any) -> None:
    """Paging a synthetic video yields exactly the segments of its result, in the service's order."""
    video = SyntheticVideo(duration=900, shots=1500, seed=11)
    emulator.add_video(VIDEO, video)
    job_id = start(rek)
    emulator.complete_job(job_id)
    got = SegmentDetectionResult.from_pages(all_pages(rek, job_id))
    assert [s.to_response() for s in got.segments or ()] == [s.to_response() for s in video.result().segments or ()]


@pytest.mark.parametrize("content", ["result", "response"])
def test_registered_result_or_response_is_served(emulator: Emulator, rek: Any, content: str) -> None:
    """A SegmentDetectionResult or a recorded response dict is served back segment for segment."""
    result = synthetic_result(shots=30, seed=4)
    emulator.add_video(VIDEO, result if content == "result" else result.to_response())
    job_id = start(rek)
    emulator.complete_job(job_id)
    assert segments(all_pages(rek, job_id)) == result.to_response()["Segments"]


def test_segments_come_in_requested_type_order_then_by_start(emulator: Emulator, rek: Any) -> None:
    """Requesting SHOT before TECHNICAL_CUE returns all shots first, each type sorted by start."""
    result = synthetic_result(shots=20, seed=5)
    shuffled = result.to_response()
    shuffled["Segments"] = list(reversed(shuffled["Segments"]))
    emulator.add_video(VIDEO, shuffled)
    job_id = start(rek, ["SHOT", "TECHNICAL_CUE"])
    emulator.complete_job(job_id)
    got = segments(all_pages(rek, job_id))
    kinds = [s["Type"] for s in got]
    assert kinds == ["SHOT"] * 20 + ["TECHNICAL_CUE"] * (len(got) - 20)
    for kind in ("SHOT", "TECHNICAL_CUE"):
        starts = [s["StartTimestampMillis"] for s in got if s["Type"] == kind]
        assert starts == sorted(starts)
    assert [t["Type"] for t in rek.get_segment_detection(JobId=job_id)["SelectedSegmentTypes"]] == [
        "SHOT",
        "TECHNICAL_CUE",
    ]


@pytest.mark.parametrize("types", [["SHOT"], ["TECHNICAL_CUE"]])
def test_only_requested_types_are_returned(emulator: Emulator, rek: Any, types: list[str]) -> None:
    """A job for one segment type returns only segments of that type."""
    emulator.add_video(VIDEO, synthetic_result(shots=20, seed=5))
    job_id = start(rek, types)
    emulator.complete_job(job_id)
    got = segments(all_pages(rek, job_id))
    assert got
    assert {s["Type"] for s in got} == set(types)


@pytest.mark.parametrize("lazy", [True, False], ids=["synthetic", "stored"])
def test_min_segment_confidence_filters_each_type(emulator: Emulator, rek: Any, lazy: bool) -> None:
    """Segments below the requested MinSegmentConfidence of their type are left out, the rest kept in order."""
    video = SyntheticVideo(shots=300, seed=6)
    emulator.add_video(VIDEO, video if lazy else video.result())
    job_id = start(
        rek,
        Filters={"ShotFilter": {"MinSegmentConfidence": 90}, "TechnicalCueFilter": {"MinSegmentConfidence": 60}},
    )
    emulator.complete_job(job_id)
    got = segments(all_pages(rek, job_id, MaxResults=37))
    everything = video.result().to_response()["Segments"]

    def keep(s: dict[str, Any]) -> bool:
        if s["Type"] == "SHOT":
            return bool(s["ShotSegment"]["Confidence"] >= 90)
        return bool(s["TechnicalCueSegment"]["Confidence"] >= 60)

    expected = [s for s in everything if keep(s)]
    assert got == expected
    assert len(expected) < len(everything)


def test_failed_job_reports_status_message_and_no_segments(emulator: Emulator, rek: Any) -> None:
    """fail_job ends a job FAILED; Get returns StatusMessage and no Segments."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=3))
    job_id = start(rek, JobTag="x")
    emulator.fail_job(job_id, "Unsupported codec")
    page = rek.get_segment_detection(JobId=job_id)
    assert page["JobStatus"] == "FAILED"
    assert page["StatusMessage"] == "Unsupported codec"
    assert "Segments" not in page
    assert page["JobTag"] == "x"
    assert emulator.jobs[job_id].status is JobStatus.FAILED


def test_recorded_failed_response_makes_jobs_fail(emulator: Emulator, rek: Any) -> None:
    """A video registered with a FAILED response ends its jobs FAILED with that message."""
    emulator.add_video(VIDEO, {"JobStatus": "FAILED", "StatusMessage": "Video is corrupt"})
    job_id = start(rek)
    statuses = [rek.get_segment_detection(JobId=job_id) for _ in range(2)]
    assert [p["JobStatus"] for p in statuses] == ["IN_PROGRESS", "FAILED"]
    assert statuses[1]["StatusMessage"] == "Video is corrupt"


def test_jobs_snapshot_shows_state_and_request(emulator: Emulator, rek: Any) -> None:
    """Emulator.jobs maps JobId to a JobState with status, polls, video URI and the Start parameters."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=3))
    job_id = start(rek, JobTag="tag")
    state = emulator.jobs[job_id]
    assert isinstance(state, JobState)
    assert (state.job_id, state.status, state.polls, state.video) == (job_id, JobStatus.IN_PROGRESS, 0, VIDEO)
    assert state.params["JobTag"] == "tag"
    assert state.params["SegmentTypes"] == BOTH
    assert len(job_id) == 64


def test_requests_are_recorded_with_status_and_request_id(emulator: Emulator, rek: Any) -> None:
    """Every request is logged with its operation, parameters, status and the request id botocore saw."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=3))
    job_id = start(rek)
    page = rek.get_segment_detection(JobId=job_id, MaxResults=5)
    with pytest.raises(rek.exceptions.ResourceNotFoundException) as info:
        rek.get_segment_detection(JobId="missing")
    log = emulator.requests
    assert [r.operation for r in log] == [START, GET, GET]
    assert all(isinstance(r, RecordedRequest) for r in log)
    assert log[1].params == {"JobId": job_id, "MaxResults": 5}
    assert [r.status for r in log] == [200, 200, 400]
    assert log[1].request_id == page["ResponseMetadata"]["RequestId"]
    assert log[2].error_code == "ResourceNotFoundException"
    assert log[2].request_id == info.value.response["ResponseMetadata"]["RequestId"]
    assert len({r.request_id for r in log}) == 3
    assert (emulator.count(), emulator.count(START), emulator.count(GET)) == (3, 1, 2)
    emulator.clear_requests()
    assert emulator.count() == 0
    assert emulator.requests == []


# -- pagination ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("shots", "pages"), [(1000, 1), (1001, 2), (2500, 3)])
def test_default_page_is_1000_segments(emulator: Emulator, rek: Any, shots: int, pages: int) -> None:
    """Without MaxResults pages hold 1000 segments; the last page has no NextToken."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=shots, technical_cues=(), segment_types=["SHOT"]))
    job_id = start(rek, ["SHOT"])
    emulator.complete_job(job_id)
    got = all_pages(rek, job_id)
    assert [len(p["Segments"]) for p in got] == [1000] * (pages - 1) + [shots - 1000 * (pages - 1)]
    assert "NextToken" not in got[-1]
    assert [s["ShotSegment"]["Index"] for s in segments(got)] == list(range(shots))


def test_max_results_above_1000_is_capped(emulator: Emulator, rek: Any) -> None:
    """MaxResults over 1000 returns pages of 1000."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=1500, technical_cues=(), segment_types=["SHOT"]))
    job_id = start(rek, ["SHOT"])
    emulator.complete_job(job_id)
    assert [len(p["Segments"]) for p in all_pages(rek, job_id, MaxResults=5000)] == [1000, 500]


def test_empty_result_is_one_page_without_token(emulator: Emulator, rek: Any) -> None:
    """A job that found nothing returns one page with an empty Segments list and no NextToken."""
    emulator.add_video(VIDEO, attrs.evolve(synthetic_result(shots=1), segments=()))
    job_id = start(rek)
    emulator.complete_job(job_id)
    page = rek.get_segment_detection(JobId=job_id)
    assert page["Segments"] == []
    assert "NextToken" not in page


def test_empty_final_token_ends_with_empty_string(emulator: Emulator, rek: Any) -> None:
    """With empty_final_token the last page carries NextToken "" rather than none."""
    emulator.add_video(VIDEO, SyntheticVideo(shots=15, technical_cues=(), segment_types=["SHOT"]))
    emulator.empty_final_token = True
    job_id = start(rek, ["SHOT"])
    emulator.complete_job(job_id)
    first = rek.get_segment_detection(JobId=job_id, MaxResults=10)
    last = rek.get_segment_detection(JobId=job_id, MaxResults=10, NextToken=first["NextToken"])
    assert first["NextToken"]
    assert len(last["Segments"]) == 5
    assert last["NextToken"] == ""


def test_million_shot_video_is_served_without_holding_its_segments(emulator: Emulator, rek: Any) -> None:
    """Pages of a 1,000,000-shot synthetic video are rendered on demand: memory grows by far less than 1M dicts."""
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_segment_detection(JobId="warm-up")
    video = SyntheticVideo(shots=1_000_000, duration=23 * 3600, technical_cues=(), segment_types=["SHOT"], seed=1)
    emulator.add_video(VIDEO, video)
    job_id = start(rek, ["SHOT"])
    emulator.complete_job(job_id)
    gc.collect()
    before = sys.getallocatedblocks()
    first = rek.get_segment_detection(JobId=job_id)
    second = rek.get_segment_detection(JobId=job_id, NextToken=first["NextToken"])
    gc.collect()
    # Each segment is a dozen objects; holding them all would add over ten million blocks.
    assert sys.getallocatedblocks() - before < 500_000
    assert [s["ShotSegment"]["Index"] for s in second["Segments"]] == list(range(1000, 2000))
    assert second["NextToken"]
