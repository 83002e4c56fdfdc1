"""The public API used as a user would; type-checked by mypy --strict, never executed."""

from __future__ import annotations

from collections.abc import Iterator

import rekseg


def run_job(client: rekseg.Client) -> rekseg.SegmentDetectionResult:
    """Start a job on both segment types with filters and wait for it."""
    job: rekseg.Job = client.start(
        "s3://bucket/episode.mp4",
        segment_types=(rekseg.SegmentType.SHOT, rekseg.SegmentType.TECHNICAL_CUE),
        shot_filter=rekseg.ShotFilter(min_segment_confidence=80.0),
        technical_cue_filter=rekseg.TechnicalCueFilter(min_segment_confidence=60.0),
        job_tag="episode-1",
    )
    status: rekseg.JobStatus = job.status()
    done: bool = job.done()
    del status, done
    return job.wait(timeout=600)


def shot_lengths(result: rekseg.SegmentDetectionResult) -> list[int]:
    """Frame-exact shot lengths (inclusive ends); ``None`` only when the service omitted frame numbers."""
    return [count for shot in result.shots if (count := shot.frame_count) is not None]


def stream(client: rekseg.Client, job_id: str) -> Iterator[str]:
    """Stream segments page by page and format their start timecodes."""
    for segment in client.segments(job_id, segment_types=[rekseg.SegmentType.SHOT]):
        start: rekseg.Timecode | None = segment.start_timecode
        if start is not None:
            yield str(start)


def resume(client: rekseg.Client, job_id: str, token: str | None) -> str | None:
    """Fetch a budget of two pages and return the token to continue from."""
    last: str | None = None
    for page in client.pages(job_id, page_size=1000, starting_token=token, max_pages=2):
        last = page.next_token
    return last


def timecodes() -> str:
    """Parse a drop-frame label and step one frame forward."""
    rate = rekseg.FrameRate.from_float(29.970029830932617)
    tc = rekseg.Timecode.parse("00:00:59;29", rate)
    return str(tc + 1)


def handle_errors(client: rekseg.Client) -> str | None:
    """Catch typed service errors."""
    try:
        client.get("a" * 64)
    except rekseg.JobNotFoundError as exc:
        return exc.job_id
    except rekseg.ServiceError as exc:
        return f"{exc.code} {exc.request_id}"
    return None


def exports_and_markers(result: rekseg.SegmentDetectionResult) -> int | None:
    """Write an EDL from one hour and read the binge markers and ad breaks."""
    rekseg.export.write(result, "edl", "shots.edl", start_timecode="01:00:00:00")
    markers: rekseg.BingeMarkers = result.binge_markers()
    breaks: tuple[rekseg.AdBreakCandidate, ...] = result.ad_breaks()
    del breaks
    return None if markers.next_episode is None else markers.next_episode.frame


def offline_emulator() -> int:
    """Test code against the emulator with an injected fault."""
    from rekseg.testing import Emulator, Fault, SyntheticVideo

    with Emulator(polls_to_complete=1) as emulator:
        emulator.add_video("s3://bucket/ep.mp4", SyntheticVideo(duration=120, shots=20))
        emulator.inject(Fault.THROTTLE_400, operation="GetSegmentDetection", times=1)
        client = rekseg.Client(boto_client=emulator.boto_client())
        return len(client.detect("s3://bucket/ep.mp4").shots) + emulator.count()


def closed_after_use(endpoint_url: str) -> rekseg.SegmentDetectionResult:
    """Use a client in a with block, with a timedelta timeout; keep a partial result honest."""
    from datetime import timedelta

    with rekseg.Client(endpoint_url=endpoint_url, region_name="us-east-1") as client:
        result = client.detect("s3://bucket/ep.mp4", timeout=timedelta(minutes=30), page_size=500)
        first: list[rekseg.SegmentDetectionPage] = list(client.pages("job-1", max_pages=1))
    partial = rekseg.SegmentDetectionResult.from_pages(first, allow_partial=True)
    more: bool = partial.has_more
    del more
    return result


def one_start_request(client: rekseg.Client) -> rekseg.SegmentDetectionResult:
    """Declare the start options once and pass them to start and detect; mypy checks every keyword."""
    options: rekseg.StartOptions = {
        "segment_types": [rekseg.SegmentType.SHOT],
        "shot_filter": rekseg.ShotFilter(min_segment_confidence=80),
        "job_tag": "season-1",
    }
    client.start("s3://bucket/ep.mp4", **options)
    client.start("s3://bucket/ep.mp4", segment_type=["SHOT"])  # type: ignore[call-arg]
    return client.detect("s3://bucket/ep.mp4", timeout=600, **options)
