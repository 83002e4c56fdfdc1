"""What a batch reads (manifests, S3 prefixes) and writes (local paths that cannot escape, S3 objects)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from rekseg import ShotFilter, TechnicalCueFilter, ValidationError, batch
from rekseg.batch import BatchItem, ItemState, SqliteStore, read_manifest
from rekseg.batch._output import stem_of
from rekseg.testing import Emulator, Fault

from .conftest import add_catalog, client_for, moto_client, small_video, videos


def test_line_manifest_skips_blanks_and_comments(tmp_path: Path) -> None:
    """One URI a line; blank lines and # comments are skipped; ?versionId= is kept."""
    path = tmp_path / "catalog.txt"
    path.write_text("# season 1\ns3://media/a.mp4\n\n  s3://media/b.mp4?versionId=v1  \n", encoding="utf-8")
    items = read_manifest(path)
    assert [i.key for i in items] == ["s3://media/a.mp4", "s3://media/b.mp4?versionId=v1"]


def test_csv_manifest_carries_per_video_options(tmp_path: Path) -> None:
    """A CSV with a video column and option columns gives each video its own options."""
    path = tmp_path / "catalog.csv"
    path.write_text(
        "video,segment_types,job_tag,shot_min_confidence,cue_min_confidence,black_min_coverage\n"
        "s3://media/a.mp4,shot,ep-a,80,,\n"
        's3://media/b.mp4,"shot,technical-cue",,,70,95\n',
        encoding="utf-8",
    )
    a, b = read_manifest(path)
    assert a.options == {
        "segment_types": ["SHOT"],
        "job_tag": "ep-a",
        "shot_filter": ShotFilter(min_segment_confidence=80),
    }
    assert b.options["segment_types"] == ["SHOT", "TECHNICAL_CUE"]
    cue = b.options["technical_cue_filter"]
    assert isinstance(cue, TechnicalCueFilter)
    assert (cue.min_segment_confidence, cue.black_frame and cue.black_frame.min_coverage_percentage) == (70, 95)


def test_jsonl_manifest_takes_start_option_names(tmp_path: Path) -> None:
    """JSON Lines take the StartOptions names, nested filters included."""
    path = tmp_path / "catalog.jsonl"
    lines = [
        {"video": "s3://media/a.mp4", "segment_types": ["SHOT"], "shot_filter": {"min_segment_confidence": 90}},
        {"video": "s3://media/b.mp4", "technical_cue_filter": {"black_frame": {"max_pixel_threshold": 0.1}}},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    a, b = read_manifest(path)
    assert a.options["shot_filter"] == ShotFilter(min_segment_confidence=90)
    cue = b.options["technical_cue_filter"]
    assert isinstance(cue, TechnicalCueFilter)
    assert cue.black_frame is not None
    assert cue.black_frame.max_pixel_threshold == 0.1


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [
        ("bad.txt", "s3://media/a.mp4\nhttp://media/b.mp4\n", "{path}:2: video"),
        ("bad.csv", "video,colour\ns3://media/a.mp4,red\n", "{path}:2: colour"),
        ("bad.csv", "url\ns3://media/a.mp4\n", "{path}:1"),
        ("bad.csv", "video,shot_min_confidence\ns3://media/a.mp4,40\n", "{path}:2: ShotFilter.min_segment_confidence"),
        ("bad.jsonl", '{"video": "s3://media/a.mp4"}\n[1]\n', "{path}:2"),
        ("bad.jsonl", '{"video": "s3://media/a.mp4", "job_tag": "no spaces allowed"}\n', "{path}:1: job_tag"),
    ],
)
def test_bad_manifest_rows_name_file_line_and_field(tmp_path: Path, name: str, text: str, field: str) -> None:
    """A bad row raises ValidationError naming the file, the line and the field."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_manifest(path)
    assert caught.value.field == field.format(path=path)


def test_output_paths_cannot_escape_and_never_collide() -> None:
    """Keys with .., empty segments, % or odd characters map to distinct paths inside the output directory."""
    keys = [
        "s3://b/../../etc/passwd",
        "s3://b/%2E%2E/x",
        "s3://b/a//b.mp4",
        "s3://b/a/%/b.mp4",
        "s3://b/ep 1?.mp4",
        "s3://b/ep.mp4?versionId=v1",
        "s3://b/ep.mp4?versionId=v2",
        "s3://b/ep.mp4",
    ]
    stems = [stem_of(k) for k in keys]
    assert len(set(stems)) == len(stems)
    for stem in stems:
        assert ".." not in stem.split("/")
        assert "" not in stem.split("/")
        assert not stem.startswith("/")


def test_videos_listed_under_an_s3_prefix_and_results_written_to_s3(moto_url: str, tmp_path: Path) -> None:
    """An s3:// prefix is listed (videos only, under the prefix) and results land under an s3:// output prefix."""
    s3 = moto_client("s3", moto_url)
    bucket = f"media-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    keys = [f"show/ep{i:04d}.mp4" for i in range(25)] + ["show/notes.txt", "show/cover.jpg", "other/x.mp4"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    listed = list(batch.list_videos(f"s3://{bucket}/show/", s3_client=s3))
    assert len(listed) == 25
    assert all(o.name.endswith(".mp4") and o.name.startswith("show/") for o in listed)

    s3.put_object(Bucket=bucket, Key="few/a.mp4", Body=b"")
    s3.put_object(Bucket=bucket, Key="few/b.MOV", Body=b"")
    with Emulator(polls_to_complete=0) as em:
        for name in ("few/a.mp4", "few/b.MOV"):
            em.add_video(f"s3://{bucket}/{name}", small_video())
        report = batch.run(
            f"s3://{bucket}/few/",
            output=f"s3://{bucket}/results/",
            store=SqliteStore(tmp_path / "state.sqlite"),
            client=client_for(em),
            s3_client=s3,
            formats=("csv",),
        )
        calls = em.count()
        again = batch.run(
            f"s3://{bucket}/few/",
            output=f"s3://{bucket}/results/",
            store=SqliteStore(tmp_path / "state.sqlite"),
            client=client_for(em),
            s3_client=s3,
        )
        assert em.count() == calls
    assert report.ok
    assert again.ok
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="results/")["Contents"]}
    assert {f"results/{bucket}/few/a.mp4.json", f"results/{bucket}/few/b.MOV.csv", "results/report.csv"} <= stored
    body = s3.get_object(Bucket=bucket, Key=f"results/{bucket}/few/a.mp4.json")
    assert json.loads(body["Body"].read())["JobId"] == body["Metadata"]["rekseg-job-id"]


def test_s3_output_needs_a_store(tmp_path: Path) -> None:
    """An s3:// output without a store is refused: there is no local directory for the default one."""
    with pytest.raises(ValidationError) as caught:
        batch.run(videos(1), output="s3://bucket/results/", s3_client=object())
    assert caught.value.field == "store"


def test_the_cli_processes_a_manifest_and_resumes(tmp_path: Path) -> None:
    """`rekseg batch` writes results and report.csv, exits 0, and a second run finds everything done."""
    uris = videos(5)
    manifest = tmp_path / "catalog.txt"
    manifest.write_text("\n".join(uris), encoding="utf-8")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    with Emulator(polls_to_complete=1) as em:
        add_catalog(em, uris)
        command = [
            sys.executable, "-m", "rekseg", "batch", str(manifest), "--out", str(tmp_path / "out"),
            "--endpoint-url", em.endpoint_url, "--region", "us-east-1", "--poll-interval", "0.01",
            "--poll-rate", "100", "--format", "json,vtt",
        ]  # fmt: skip
        first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
        calls = em.count()
        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
        assert em.count() == calls
    assert first.returncode == 0, first.stderr
    assert "batch: 5 done, 0 failed, 0 unfinished of 5" in first.stderr
    assert "done 5/5" in first.stderr
    assert second.returncode == 0
    assert (tmp_path / "out" / "media" / "show" / "ep004.mp4.vtt").exists()
    assert (tmp_path / "out" / "report.csv").read_text(encoding="utf-8").count(",done,") == 5


def test_the_cli_exits_3_when_a_video_failed_and_2_on_a_bad_manifest(tmp_path: Path) -> None:
    """A failed video makes the exit status 3; a bad manifest line exits 2 naming it, before any request."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    manifest = tmp_path / "catalog.txt"
    with Emulator(polls_to_complete=0) as em:
        base = [sys.executable, "-m", "rekseg", "batch", str(manifest), "--out", str(tmp_path / "out")]
        base += ["--endpoint-url", em.endpoint_url, "--region", "us-east-1", "-q"]
        manifest.write_text("s3://media/missing.mp4\n", encoding="utf-8")
        failed = subprocess.run(base, env=env, capture_output=True, text=True, timeout=60, check=False)
        manifest.write_text("s3://media/a.mp4\nftp://media/b.mp4\n", encoding="utf-8")
        calls = em.count()
        bad = subprocess.run(base, env=env, capture_output=True, text=True, timeout=60, check=False)
        assert em.count() == calls
    assert failed.returncode == 3
    assert "InvalidS3ObjectException" in (tmp_path / "out" / "report.csv").read_text(encoding="utf-8")
    assert bad.returncode == 2
    assert f"{manifest}:2: video" in bad.stderr


def test_item_state_reads_back_from_the_report(tmp_path: Path) -> None:
    """BatchItem keys and report states line up with the store after a run."""
    with Emulator(polls_to_complete=0) as em:
        add_catalog(em, videos(2))
        report = batch.run([BatchItem(u, job_tag="t") for u in videos(2)], output=tmp_path, client=client_for(em))
    assert [(i.video, i.state) for i in report.items] == [(u, ItemState.DONE) for u in videos(2)]


def test_writing_a_video_clears_only_its_own_leftover_temp_files(tmp_path: Path) -> None:
    """A killed writer's temp files of a.mp4 are removed when a.mp4 is written; a.mp4.mp4's in-flight ones stay."""
    mine, other = "s3://media/a.mp4", "s3://media/a.mp4.mp4"
    media = tmp_path / "media"
    media.mkdir()
    own_leftovers = [media / ".a.mp4.json.0123abcd.rekseg-tmp", media / ".a.mp4.edl.89ef4567.rekseg-tmp"]
    others_in_flight = [
        media / ".a.mp4.mp4.edl.0123abcd.rekseg-tmp",  # another worker writing a.mp4.mp4 right now
        media / ".a.mp4.mp4.json.89ef4567.rekseg-tmp",
        media / ".a.mp4.json.json.0123abcd.rekseg-tmp",  # the video a.mp4.json
    ]
    for path in own_leftovers + others_in_flight:
        path.write_text("partial", encoding="utf-8")
    with Emulator(polls_to_complete=0) as em:
        em.add_video(mine, small_video())
        em.add_video(other, small_video(1))

        report = batch.run([mine], output=tmp_path, client=client_for(em), formats=("json", "edl"), poll_rate=500)

    assert report.ok
    assert [p.exists() for p in own_leftovers] == [False, False]
    assert [p.read_text(encoding="utf-8") for p in others_in_flight] == ["partial"] * 3
    assert (media / "a.mp4.json").exists()


def test_the_cli_bounds_the_wait_for_capacity(tmp_path: Path) -> None:
    """`rekseg batch --capacity-timeout` fails a video no Start was accepted for, retryable, and exits 3."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    manifest = tmp_path / "catalog.txt"
    manifest.write_text(videos(1)[0] + "\n", encoding="utf-8")
    with Emulator(polls_to_complete=0) as em:
        add_catalog(em, videos(1))
        em.inject(Fault.LIMIT_EXCEEDED, operation="StartSegmentDetection", times=None)
        command = [
            sys.executable, "-m", "rekseg", "batch", str(manifest), "--out", str(tmp_path / "out"),
            "--endpoint-url", em.endpoint_url, "--region", "us-east-1", "--capacity-timeout", "0.5", "-q",
        ]  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 3, done.stderr
    [row] = (tmp_path / "out" / "report.jsonl").read_text(encoding="utf-8").splitlines()
    assert (json.loads(row)["error_code"], json.loads(row)["final"]) == ("LimitExceededException", False)
