"""Test your own code that uses rekseg, offline, with the emulator in `rekseg.testing`.

The emulator is a local Rekognition Video segment-detection service spoken to over real HTTP, so your code,
rekseg and botocore all run unmodified; faults (throttling, server errors, dropped connections) can be scripted.
Copy this file next to your tests (as ``test_segments.py``) and run it with pytest::

    pytest examples/testing_your_code.py
"""

from __future__ import annotations

from collections.abc import Iterator

import botocore.config
import pytest

import rekseg
from rekseg.testing import Emulator, Fault, synthetic_result

VIDEO = "s3://my-bucket/episodes/s01e01.mp4"


# -- your code ----------------------------------------------------------------------------------------------


def cut_list(client: rekseg.Client, video: str) -> list[int]:
    """Return the first frame of every shot of ``video``, for a thumbnailer (the code under test)."""
    result = client.detect(video, segment_types=["SHOT"], timeout=600)
    return [shot.first_frame for shot in result.shots if shot.first_frame is not None]


# -- fixtures -----------------------------------------------------------------------------------------------

RETRY = rekseg.RetryPolicy(attempts=4, wait_initial=0, wait_jitter=0)
"""Retry as in production, without the waits: a test should not sleep."""


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """Serve an emulator whose jobs run for two polls."""
    with Emulator(polls_to_complete=2) as em:
        yield em


@pytest.fixture
def client(emulator: Emulator) -> rekseg.Client:
    """Return a rekseg client wired to the emulator; no AWS credentials involved."""
    # botocore would retry under rekseg; one request per rekseg attempt keeps the request counts exact.
    boto = emulator.boto_client(config=botocore.config.Config(retries={"total_max_attempts": 1}))
    return rekseg.Client(boto_client=boto, retry=RETRY, polling=rekseg.PollPolicy(wait_initial=0, wait_jitter=0))


# -- tests --------------------------------------------------------------------------------------------------


def test_cut_list_has_the_first_frame_of_every_shot(emulator: Emulator, client: rekseg.Client) -> None:
    """Every shot of the video contributes its first frame, in order."""
    episode = synthetic_result(duration=600, frame_rate=25, shots=150, seed=1)
    emulator.add_video(VIDEO, episode)

    cuts = cut_list(client, VIDEO)

    assert len(cuts) == 150
    assert cuts == [shot.first_frame for shot in episode.shots]
    assert cuts[0] == 0


def test_cut_list_survives_throttling(emulator: Emulator, client: rekseg.Client) -> None:
    """Two throttled status calls are retried, costing exactly two more requests."""
    emulator.add_video(VIDEO, synthetic_result(duration=600, shots=150))
    emulator.inject(Fault.THROTTLE_400, operation="GetSegmentDetection", times=2)

    assert len(cut_list(client, VIDEO)) == 150

    # 1 Start, then 3 polls (the last one is page 1 of the result), plus the 2 throttled retries.
    assert emulator.count("StartSegmentDetection") == 1
    assert emulator.count("GetSegmentDetection") == 3 + 2
    assert [r.error_code for r in emulator.requests].count("ThrottlingException") == 2


def test_cut_list_gives_up_when_throttled_for_good(emulator: Emulator, client: rekseg.Client) -> None:
    """A call throttled on every attempt raises ThrottlingError after the retry budget, no more."""
    emulator.add_video(VIDEO, synthetic_result(duration=600, shots=150))
    # Throttle the Start: a status call throttled for good would not end the wait (it is a failed look, and the
    # wait looks again until its timeout), so the retry budget shows on the call that starts the job.
    emulator.inject(Fault.THROTTLE_500, operation="StartSegmentDetection", times=None)

    with pytest.raises(rekseg.ThrottlingError):
        cut_list(client, VIDEO)

    assert emulator.count("StartSegmentDetection") == RETRY.attempts


def test_cut_list_reports_a_failed_job(emulator: Emulator, client: rekseg.Client) -> None:
    """A job the service fails surfaces as JobFailedError with the service's reason."""
    emulator.add_video(VIDEO, {"JobStatus": "FAILED", "StatusMessage": "Unsupported codec."})

    with pytest.raises(rekseg.JobFailedError, match="Unsupported codec"):
        cut_list(client, VIDEO)


def test_cut_list_rejects_an_unknown_video(client: rekseg.Client) -> None:
    """A video the service cannot read raises InvalidS3ObjectError at once."""
    with pytest.raises(rekseg.InvalidS3ObjectError):
        cut_list(client, "s3://my-bucket/missing.mp4")
