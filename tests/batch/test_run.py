"""rekseg.batch.run against the emulator over a real socket: capacity, resume, failures, retries, bad input."""

from __future__ import annotations

import collections
import csv
import json
import threading
import time
from pathlib import Path

import attrs
import pytest

import rekseg
from rekseg import ValidationError, batch
from rekseg.batch import BatchEvent, BatchItem, ItemState, SqliteStore
from rekseg.batch._state import MAX_TRANSIENT_ERRORS, classify
from rekseg.testing import Emulator, Fault, SyntheticVideo

from .conftest import FAST, add_catalog, client_for, small_video, videos

START = "StartSegmentDetection"
GET = "GetSegmentDetection"


def jobs_per_video(emulator: Emulator) -> collections.Counter[str]:
    return collections.Counter(job.video for job in emulator.jobs.values())


def result_of(out: Path, uri: str) -> dict[str, object]:
    path = out / (uri[len("s3://") :] + ".json")
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_video_is_done_once_with_its_result_exports_and_report(emulator: Emulator, tmp_path: Path) -> None:
    """40 videos: one job each, result JSON and exports written, report files and events say done."""
    uris = videos(40)
    events: list[BatchEvent] = []

    report = batch.run(
        uris, output=tmp_path, client=client_for(emulator), formats=("json", "edl", "vtt"), poll_rate=500,
        progress=events.append,
    )  # fmt: skip

    assert report.ok
    assert report.counts.done == 40
    assert jobs_per_video(emulator) == dict.fromkeys(uris, 1)
    by_video = {job.video: job.job_id for job in emulator.jobs.values()}
    for item in report.items:
        assert item.state is ItemState.DONE
        assert (item.job_id, item.shots, item.technical_cues, item.attempts) == (by_video[item.video], 3, 0, 1)
        data = result_of(tmp_path, item.video)
        assert data["JobId"] == item.job_id
        assert len(data["Segments"]) == 3  # type: ignore[arg-type]
        stem = tmp_path / item.video[len("s3://") :]
        assert stem.with_name(stem.name + ".edl").read_text(encoding="utf-8").startswith("TITLE:")
        assert stem.with_name(stem.name + ".vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    rows = list(csv.DictReader((tmp_path / "report.csv").open(encoding="utf-8")))
    assert [(r["video"], r["state"]) for r in rows] == [(u, "done") for u in uris]
    lines = (tmp_path / "report.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["job_id"] for line in lines] == [item.job_id for item in report.items]
    assert collections.Counter(e.kind for e in events) == {"started": 40, "done": 40}
    assert events[-1].counts.done == 40
    assert not list(tmp_path.rglob("*.rekseg-tmp"))


def test_running_again_resumes_without_any_request_or_write(emulator: Emulator, tmp_path: Path) -> None:
    """A second run on a finished batch sends nothing to the service and rewrites no result."""
    uris = videos(10)
    batch.run(uris, output=tmp_path, client=client_for(emulator), poll_rate=500)
    calls = emulator.count()
    written = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.mp4.json")}

    report = batch.run(uris, output=tmp_path, client=client_for(emulator), poll_rate=500)

    assert report.ok
    assert emulator.count() == calls
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.mp4.json")} == written


def test_limit_exceeded_makes_videos_wait_and_loses_none(tmp_path: Path) -> None:
    """With the account limit at 5 and max_jobs 20, LimitExceeded makes videos wait; all end done, one job each."""
    uris = videos(30)
    events: list[BatchEvent] = []
    with Emulator(polls_to_complete=1, job_limit=5) as em:
        add_catalog(em, uris)

        report = batch.run(
            uris, output=tmp_path, client=client_for(em), max_jobs=20, poll_rate=500, progress=events.append
        )

        refused = [r for r in em.requests if r.operation == START and r.error_code == "LimitExceededException"]
        assert report.ok
        assert jobs_per_video(em) == dict.fromkeys(uris, 1)
    assert refused
    # Not a busy loop: after a refusal the next Start waits for one of our jobs to end.
    assert len(refused) <= len(uris)
    assert any(e.kind == "waiting" and e.counts.waiting == 1 for e in events)
    assert not any(e.kind == "failed" for e in events)


def test_no_more_than_max_jobs_run_at_once(tmp_path: Path) -> None:
    """The batch never has more than max_jobs jobs in progress."""
    uris = videos(12)
    peaks: list[int] = []
    with Emulator(polls_to_complete=2) as em:
        add_catalog(em, uris)

        def watch(event: BatchEvent) -> None:
            peaks.append(sum(job.status == rekseg.JobStatus.IN_PROGRESS for job in em.jobs.values()))

        report = batch.run(uris, output=tmp_path, client=client_for(em), max_jobs=3, poll_rate=500, progress=watch)
    assert report.ok
    assert max(peaks) == 3


def test_capacity_held_by_others_backs_off_then_resumes(tmp_path: Path) -> None:
    """When other users hold all capacity and none of ours runs, the video waits out a backoff, never busy-loops."""
    with Emulator(polls_to_complete=10_000, job_limit=1) as em:
        add_catalog(em, videos(1, "other") + videos(1))
        rek = em.boto_client()
        foreign = rek.start_segment_detection(
            Video={"S3Object": {"Bucket": "media", "Name": "other/ep000.mp4"}}, SegmentTypes=["SHOT"]
        )["JobId"]

        waiting = batch.run(videos(1), output=tmp_path, client=client_for(em), poll_rate=500, timeout=1.0)

        assert em.count(START) == 2  # the foreign Start, and one refused Start: the next waits out >= 4.5s
        [item] = waiting.items
        assert (item.state, item.error_code) == (ItemState.STARTING, None)
        em.complete_job(foreign)

        def end_ours(event: BatchEvent) -> None:
            if event.kind == "started" and event.job_id is not None:
                em.complete_job(event.job_id)

        done = batch.run(videos(1), output=tmp_path, client=client_for(em), poll_rate=500, progress=end_ours)

        assert done.ok
        assert len(em.jobs) == 2


def test_waiting_for_capacity_is_bounded_and_retry_reuses_the_token(tmp_path: Path) -> None:
    """Starts refused past capacity_timeout: the held video fails retryable, run returns; a retry starts one job."""
    uris = videos(2)
    with Emulator(polls_to_complete=0) as em:
        add_catalog(em, uris)
        em.inject(Fault.LIMIT_EXCEEDED, operation=START, times=None)
        client = client_for(em)
        began = time.monotonic()

        report = batch.run(uris, output=tmp_path, client=client, max_jobs=1, poll_rate=500, capacity_timeout=0.5)

        assert time.monotonic() - began < 4.0  # the first backoff alone is 4.5 s: the bound cut the wait short
        first, second = report.items
        assert (first.state, first.error_code, first.final, first.job_id, first.attempts) == (
            ItemState.FAILED,
            "LimitExceededException",
            False,
            None,
            0,
        )
        assert second.state is ItemState.PENDING  # never taken: left for the next run
        assert em.count(START) == 1
        assert not em.jobs
        em.clear_faults()

        again = batch.run(uris, output=tmp_path, client=client, poll_rate=500, retry_failed=True)

        assert again.ok
        assert [(i.generation, i.client_request_token) for i in again.items] == [
            (0, first.client_request_token),
            (0, second.client_request_token),
        ]
        assert jobs_per_video(em) == dict.fromkeys(uris, 1)


def test_final_and_retryable_failures_and_retry_failed(tmp_path: Path) -> None:
    """A missing video fails for good; a failed job is retried on retry_failed with a new job and a new token."""
    missing, failing, fine = "s3://media/missing.mp4", "s3://media/broken.mp4", "s3://media/fine.mp4"
    with Emulator(polls_to_complete=0) as em:
        em.add_video(fine, small_video())
        em.add_video(failing, {"JobStatus": "FAILED", "StatusMessage": "Unsupported codec"})
        client = client_for(em)
        uris = [missing, failing, fine]

        first = {i.video: i for i in batch.run(uris, output=tmp_path, client=client, poll_rate=500).items}

        assert (first[missing].state, first[missing].error_code, first[missing].final) == (
            ItemState.FAILED,
            "InvalidS3ObjectException",
            True,
        )
        assert (first[failing].state, first[failing].error_code, first[failing].final) == (
            ItemState.FAILED,
            "JobFailed",
            False,
        )
        assert first[failing].error_message == "Unsupported codec"
        assert first[fine].state is ItemState.DONE
        starts = em.count(START)

        batch.run(uris, output=tmp_path, client=client, poll_rate=500)
        assert em.count(START) == starts  # failures stay put without retry_failed

        em.add_video(failing, small_video())
        retried = {i.video: i for i in batch.run(uris, output=tmp_path, client=client, retry_failed=True).items}

        assert em.count(START) == starts + 1  # only the retryable one, not the final one
        assert retried[failing].state is ItemState.DONE
        assert retried[failing].generation == 1
        assert retried[failing].client_request_token != first[failing].client_request_token
        assert retried[failing].job_id != first[failing].job_id
        assert retried[missing].state is ItemState.FAILED


@pytest.mark.parametrize("fault", [Fault.WRONG_JOB_ID, Fault.TOKEN_CYCLE])
def test_a_bad_result_read_is_retried_on_the_same_job(fault: Fault, tmp_path: Path) -> None:
    """A succeeded job whose pages are refused fails retryable; retry_failed reads the same job, starting none."""
    uri = "s3://media/show/long.mp4"
    with Emulator(polls_to_complete=0) as em:
        em.add_video(uri, SyntheticVideo(shots=2500, technical_cues=(), segment_types=["SHOT"], seed=1))  # 3 pages
        client = client_for(em)
        em.inject(fault, operation=GET, times=1 if fault is Fault.WRONG_JOB_ID else None)

        [failed] = batch.run([uri], output=tmp_path, client=client, poll_rate=500).items

        assert (failed.state, failed.final) == (ItemState.FAILED, False)
        em.clear_faults()

        [again] = batch.run([uri], output=tmp_path, client=client, poll_rate=500, retry_failed=True).items

        assert (again.state, again.job_id, again.generation, again.shots) == (ItemState.DONE, failed.job_id, 0, 2500)
        assert em.count(START) == 1
        assert len(em.jobs) == 1


def _claimed_elsewhere(tmp_path: Path, uri: str, owner: str) -> tuple[SqliteStore, batch.ItemRecord]:
    """A store holding ``uri``, claimed by a worker ``owner`` whose lease ran out long ago."""
    store = SqliteStore(tmp_path / "state.sqlite")
    item = BatchItem(uri)
    store.add([batch.ItemRecord.new(item.key, item.fingerprint)])
    record = store.get(uri)
    assert record is not None
    return store, store.save(record.claim(owner, 0.0, 1.0))


def test_a_start_whose_answers_were_all_lost_reattaches_on_retry(emulator: Emulator, tmp_path: Path) -> None:
    """A video failed by lost Start answers (the service did start its job) gets that job back on retry_failed."""
    [uri] = videos(1)
    store, claimed = _claimed_elsewhere(tmp_path, uri, "elsewhere/1/gone")
    job = client_for(emulator).start(uri, client_request_token=claimed.token)  # the service acted, answers lost
    lost = rekseg.TransportError("connection reset", operation=START)
    failing = claimed
    for _ in range(MAX_TRANSIENT_ERRORS):
        failing = failing.passing_error(classify(lost))
    failed = store.save(failing)
    assert (failed.state, failed.job_id) == (ItemState.FAILED, None)

    [done] = batch.run(
        [uri], output=tmp_path, store=store, client=client_for(emulator), poll_rate=500, retry_failed=True
    ).items

    assert (done.state, done.job_id, done.generation) == (ItemState.DONE, job.job_id, 0)
    assert len(emulator.jobs) == 1
    store.close()


def test_passing_errors_are_retried_until_done(tmp_path: Path) -> None:
    """Throttling and lost connections past the client's retries only delay a video."""
    uris = videos(6)
    with Emulator(polls_to_complete=1) as em:
        add_catalog(em, uris)
        em.inject(Fault.THROTTLE_400, operation=GET, times=4)
        em.inject(Fault.CONNECTION_DROP, operation=START, times=2)
        client = rekseg.Client(boto_client=em.boto_client(), polling=FAST, retry=rekseg.RetryPolicy.none())

        report = batch.run(uris, output=tmp_path, client=client, poll_rate=500)

        assert report.ok
        assert jobs_per_video(em) == dict.fromkeys(uris, 1)


def test_a_job_that_outlives_the_job_timeout_fails_and_retry_reattaches(tmp_path: Path) -> None:
    """Past job_timeout the video fails with Timeout; retry_failed waits for the same job, starting none."""
    with Emulator(polls_to_complete=10_000) as em:
        add_catalog(em, videos(1))
        client = client_for(em)

        [item] = batch.run(videos(1), output=tmp_path, client=client, poll_rate=500, job_timeout=0.3).items

        assert (item.state, item.error_code, item.final) == (ItemState.FAILED, "Timeout", False)
        assert item.job_id is not None
        em.complete_job(item.job_id)

        [again] = batch.run(videos(1), output=tmp_path, client=client, poll_rate=500, retry_failed=True).items

        assert (again.state, again.job_id) == (ItemState.DONE, item.job_id)
        assert em.count(START) == 1


def test_crash_between_start_and_record_reattaches_to_the_job(emulator: Emulator, tmp_path: Path) -> None:
    """A video left 'starting' by a dead worker whose Start did reach the service gets that job back, not a new one."""
    [uri] = videos(1)
    store, dead = _claimed_elsewhere(tmp_path, uri, "elsewhere/1/dead")  # lease long expired
    job = client_for(emulator).start(uri, client_request_token=dead.token)  # the Start that was never recorded

    [done] = batch.run([uri], output=tmp_path, store=store, client=client_for(emulator), poll_rate=500).items

    assert (done.state, done.job_id) == (ItemState.DONE, job.job_id)
    assert len(emulator.jobs) == 1
    store.close()


def test_crash_after_writing_before_recording_done_fetches_nothing(emulator: Emulator, tmp_path: Path) -> None:
    """A video whose result file was written but not recorded done is marked done from the file, without a Get."""
    uris = videos(3)
    store = SqliteStore(tmp_path / "state.sqlite")
    batch.run(uris, output=tmp_path, store=store, client=client_for(emulator), poll_rate=500)
    for key in uris[:2]:
        record = store.get(key)
        assert record is not None
        state = ItemState.FETCHING if key == uris[0] else ItemState.RUNNING
        store.save(attrs.evolve(record, state=state, shots=None, owner="elsewhere/1/dead", lease_until=0.0))
    gets = emulator.count(GET)

    report = batch.run(uris, output=tmp_path, store=store, client=client_for(emulator), poll_rate=500)

    assert report.ok
    assert emulator.count(GET) == gets
    assert [i.shots for i in report.items] == [3, 3, 3]
    store.close()


def test_bad_input_is_refused_before_any_request(emulator: Emulator, tmp_path: Path) -> None:
    """Bad videos, options or arguments raise ValidationError naming the field; nothing is sent."""
    client = client_for(emulator)
    cases = [
        ({"videos": ["s3://media/ok.mp4", "https://media/x.mp4"]}, "videos[1]: video"),
        ({"videos": [BatchItem("s3://media/a.mp4"), BatchItem("s3://media/a.mp4", job_tag="x")]}, "videos[1]"),
        ({"videos": videos(2), "formats": ("json", "mp3")}, "formats"),
        ({"videos": videos(2), "max_jobs": 0}, "max_jobs"),
        ({"videos": videos(2), "poll_rate": float("nan")}, "poll_rate"),
        ({"videos": "s3://media/one.mp4"}, "videos"),
        ({"videos": videos(2), "options": {"segment_types": ["SHOTS"]}}, "videos[0]: segment_types"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            batch.run(output=tmp_path / "out", client=client, **kwargs)  # type: ignore[arg-type]
        assert caught.value.field == field, kwargs
    with pytest.raises(ValidationError, match="shot_filter"):
        BatchItem("s3://media/a.mp4", segment_types=["TECHNICAL_CUE"], shot_filter=rekseg.ShotFilter())
    assert emulator.count() == 0
    assert not (tmp_path / "out").exists()


def test_a_video_recorded_with_other_options_is_refused(emulator: Emulator, tmp_path: Path) -> None:
    """Running a store's batch again with other options for a video raises ValidationError naming the video."""
    uris = videos(2)
    batch.run(uris, output=tmp_path, client=client_for(emulator), poll_rate=500)
    calls = emulator.count()

    with pytest.raises(ValidationError) as caught:
        batch.run(uris, output=tmp_path, client=client_for(emulator), options={"segment_types": ["SHOT"]})

    assert caught.value.field == uris[0]
    assert emulator.count() == calls


def in_progress_peak(em: Emulator) -> tuple[threading.Event, list[int], threading.Thread]:
    """Sample, in a thread, the emulator's jobs in progress until the returned event is set."""
    stop, peak = threading.Event(), [0]

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(job.status == rekseg.JobStatus.IN_PROGRESS for job in em.jobs.values()))
            time.sleep(0.005)

    thread = threading.Thread(target=sample)
    thread.start()
    return stop, peak, thread


def test_max_jobs_holds_across_workers_sharing_a_store(tmp_path: Path) -> None:
    """Three workers on one SQLite file, max_jobs 2: never more than 2 jobs in progress in all, one job a video."""
    uris = videos(12)
    with Emulator(seconds_to_complete=0.3) as em:
        add_catalog(em, uris)
        stop, peak, sampler = in_progress_peak(em)
        reports: list[batch.BatchReport] = []

        def work(n: int) -> None:
            with SqliteStore(tmp_path / "state.sqlite") as store:
                reports.append(
                    batch.run(uris, output=tmp_path, store=store, client=client_for(em), max_jobs=2, poll_rate=500,
                              worker_id=f"host-{n}/{n}/w")
                )  # fmt: skip

        workers = [threading.Thread(target=work, args=(n,)) for n in range(3)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(120)
        stop.set()
        sampler.join()
        assert jobs_per_video(em) == dict.fromkeys(uris, 1)
    assert len(reports) == 3
    assert all(report.ok for report in reports)
    assert 1 <= peak[0] <= 2


def test_orphans_left_starting_wait_for_room_under_max_jobs(tmp_path: Path) -> None:
    """Five videos a dead worker left 'starting' are taken two at a time under max_jobs 2, one job each."""
    uris = videos(5)
    store = SqliteStore(tmp_path / "state.sqlite")
    store.add([batch.ItemRecord.new(BatchItem(u).key, BatchItem(u).fingerprint) for u in uris])
    for record in store.records():
        store.save(record.claim("elsewhere/1/dead", 0.0, 1.0))  # claimed, lease long expired, no Start sent
    with Emulator(seconds_to_complete=0.3) as em:
        add_catalog(em, uris)
        stop, peak, sampler = in_progress_peak(em)

        report = batch.run(uris, output=tmp_path, store=store, client=client_for(em), max_jobs=2, poll_rate=500)

        stop.set()
        sampler.join()
        assert jobs_per_video(em) == dict.fromkeys(uris, 1)
    assert report.ok
    assert peak[0] == 2
    store.close()
