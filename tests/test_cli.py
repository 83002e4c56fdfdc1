"""The ``rekseg`` command line, run through its entry point in a subprocess against the emulator."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekseg
from rekseg.testing import Emulator, SyntheticVideo

VIDEO = "s3://cli-bucket/show/ep2.mp4"
EPISODE = SyntheticVideo(duration=300, shots=40, seed=5)


def _env(tmp_path: Path, *, credentials: bool = True, region: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    if credentials:
        env["AWS_ACCESS_KEY_ID"] = "testing"
        env["AWS_SECRET_ACCESS_KEY"] = "testing"
    if region:
        env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


def run(
    tmp_path: Path, *args: str, pythonpath: Path | None = None, **env_options: bool
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rekseg ARGS`` and capture its output."""
    env = _env(tmp_path, **env_options)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "rekseg", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


@pytest.fixture
def em() -> Iterator[Emulator]:
    """An emulator serving the CLI test episode; jobs end on the second poll."""
    with Emulator(polls_to_complete=1) as emulator:
        emulator.add_video(VIDEO, EPISODE)
        yield emulator


def _remote(em: Emulator) -> tuple[str, ...]:
    return ("--endpoint-url", em.endpoint_url, "--poll-interval", "0.05")


def _expected() -> rekseg.SegmentDetectionResult:
    return EPISODE.result()


def test_detect_json_to_stdout_with_progress_on_stderr(em: Emulator, tmp_path: Path) -> None:
    """Detect writes the result to stdout and progress lines to stderr, never mixed."""
    proc = run(tmp_path, "detect", VIDEO, "--format", "json", *_remote(em))
    assert proc.returncode == 0, proc.stderr
    result = rekseg.SegmentDetectionResult.from_response(json.loads(proc.stdout))
    assert len(result.shots) == 40
    assert len(result.technical_cues) == len(_expected().technical_cues)
    assert "IN_PROGRESS" in proc.stderr
    assert "SUCCEEDED" in proc.stderr
    assert "polls" in proc.stderr


def test_quiet_silences_progress(em: Emulator, tmp_path: Path) -> None:
    """--quiet leaves stderr empty on success."""
    proc = run(tmp_path, "detect", VIDEO, "--format", "jsonl", "--quiet", *_remote(em))
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert len(proc.stdout.splitlines()) == len(_expected().segments or ())


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("table", lambda text: "40 shots" in text and "end (last frame)" in text),
        ("json", lambda text: len(json.loads(text)["Segments"]) == 40 + len(_expected().technical_cues)),
        (
            "jsonl",
            lambda text: all(json.loads(line)["Type"] in {"SHOT", "TECHNICAL_CUE"} for line in text.splitlines()),
        ),
        ("csv", lambda text: len(list(csv.DictReader(text.splitlines()))) == 40 + len(_expected().technical_cues)),
        ("edl", lambda text: text.startswith("TITLE:") and "FCM: DROP FRAME" in text and text.count(" C ") == 40),
        ("vtt", lambda text: text.startswith("WEBVTT") and text.count(" --> ") == 40),
        ("ffmetadata", lambda text: text.startswith(";FFMETADATA1") and text.count("[CHAPTER]") == 40),
        ("otio", lambda text: json.loads(text)["OTIO_SCHEMA"].startswith("Timeline")),
    ],
)
def test_detect_writes_every_format_to_a_file(em: Emulator, tmp_path: Path, fmt: str, check: object) -> None:
    """Detect -o FILE writes each format completely; stdout stays empty."""
    proc = run(tmp_path, "detect", VIDEO, "--types", "shot,technical-cue", "--format", fmt, "-o", "out", *_remote(em))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    text = (tmp_path / "out").read_text(encoding="utf-8")
    assert check(text)  # type: ignore[operator]


def test_start_status_wait_get(em: Emulator, tmp_path: Path) -> None:
    """Start prints the JobId; status, wait and get follow that job."""
    proc = run(
        tmp_path, "start", VIDEO, "--types", "shot", "--shot-min-confidence", "50", "--job-tag", "t1", *_remote(em)[:2]
    )
    assert proc.returncode == 0, proc.stderr
    job_id = proc.stdout.strip()
    assert job_id in em.jobs
    assert em.requests[-1].params["Filters"] == {"ShotFilter": {"MinSegmentConfidence": 50.0}}
    status = run(tmp_path, "status", job_id, *_remote(em)[:2])
    assert status.stdout.strip() == "IN_PROGRESS"
    waited = run(tmp_path, "wait", job_id, "--format", "csv", "-q", *_remote(em))
    assert waited.returncode == 0
    assert len(list(csv.DictReader(waited.stdout.splitlines()))) == 40
    got = run(tmp_path, "get", job_id, "--format", "json", *_remote(em)[:2])
    assert json.loads(got.stdout)["JobTag"] == "t1"
    assert run(tmp_path, "status", job_id, *_remote(em)[:2]).stdout.strip() == "SUCCEEDED"


def test_export_and_markers_work_offline(tmp_path: Path) -> None:
    """Export converts a saved result and markers summarises it, with no endpoint at all."""
    result = _expected()
    (tmp_path / "result.json").write_text(json.dumps(result.to_response()), encoding="utf-8")
    edl = run(tmp_path, "export", "result.json", "--format", "edl", credentials=False, region=False)
    assert edl.returncode == 0, edl.stderr
    assert edl.stdout.count(" C ") == 40
    table = run(tmp_path, "markers", "result.json", credentials=False, region=False)
    markers = result.binge_markers()
    assert markers.intro is not None
    assert markers.next_episode is not None
    assert f"resume at {markers.intro.stop}" in table.stdout
    assert f"at {markers.next_episode}" in table.stdout
    data = json.loads(run(tmp_path, "markers", "result.json", "--format", "json").stdout)
    assert data["next_episode"]["frame"] == markers.next_episode.frame
    assert data["program"]["runtime_frames"] == result.program().runtime_frames
    assert len(data["ad_breaks"]) == len(result.ad_breaks())


def test_demo_writes_every_format(tmp_path: Path) -> None:
    """Demo runs the main job on the built-in emulator and writes every export format."""
    proc = run(tmp_path, "demo", "--output-dir", "out", credentials=False, region=False)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(
        [
            "result.json",
            "segments.jsonl",
            "segments.csv",
            "shots.edl",
            "chapters.vtt",
            "chapters.ffmetadata",
            *(["timeline.otio"] if importlib.util.find_spec("opentimelineio") else []),
        ]
    )
    result = rekseg.SegmentDetectionResult.from_response(json.loads((tmp_path / "out" / "result.json").read_text()))
    assert len(result.shots) == 540
    assert "program runtime" in proc.stdout
    assert "skip intro" in proc.stdout
    assert "next episode" in proc.stdout
    assert "ad-break candidates" in proc.stdout
    assert "SUCCEEDED" in proc.stderr


def test_emulator_command_serves_the_demo_episode(tmp_path: Path) -> None:
    """Rekseg emulator prints its URL and serves the demo episode to another process."""
    server = subprocess.Popen(
        [sys.executable, "-m", "rekseg", "emulator", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        proc = run(
            tmp_path,
            "detect",
            "s3://rekseg-demo/episodes/s01e01.mp4",
            "--format",
            "jsonl",
            "-q",
            "--endpoint-url",
            url,
            "--poll-interval",
            "0.05",
        )
        assert proc.returncode == 0, proc.stderr
        assert len(proc.stdout.splitlines()) > 540
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


@pytest.mark.parametrize(
    "args",
    [
        ("detect",),
        ("detect", VIDEO, "--format", "pdf"),
        ("detect", VIDEO, "--timeout", "-1"),
        ("detect", VIDEO, "--types", "shots,faces"),
        ("detect", "https://not-s3/key.mp4"),
        ("detect", VIDEO, "--shot-min-confidence", "20"),
        ("status", "bad id!"),
        ("nope",),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(em: Emulator, tmp_path: Path, args: tuple[str, ...]) -> None:
    """Bad arguments print one clear line, exit 2, send nothing and write no file."""
    proc = (
        run(tmp_path, *args, "-o", "out", "--endpoint-url", em.endpoint_url)
        if args[0] == "detect"
        else run(tmp_path, *args)
    )
    assert proc.returncode == 2, proc.stderr
    assert "rekseg" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
    assert em.count() == 0


def test_export_of_a_non_result_is_a_usage_error(tmp_path: Path) -> None:
    """Export of a file that is not a saved result exits 2 with a hint."""
    (tmp_path / "x.json").write_text('{"hello": 1}', encoding="utf-8")
    proc = run(tmp_path, "export", "x.json", "--format", "csv")
    assert proc.returncode == 2
    assert "--format json" in proc.stderr
    missing = run(tmp_path, "markers", "missing.json")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr


def test_failed_job_exits_3(em: Emulator, tmp_path: Path) -> None:
    """A job that ends FAILED exits 3 with the service's status message."""
    job_id = run(tmp_path, "start", VIDEO, *_remote(em)[:2]).stdout.strip()
    em.fail_job(job_id, "Unsupported codec")
    proc = run(tmp_path, "wait", job_id, *_remote(em))
    assert proc.returncode == 3
    assert "Unsupported codec" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_wait_timeout_exits_4(tmp_path: Path) -> None:
    """A wait that times out exits 4 and says how to continue."""
    with Emulator(polls_to_complete=100_000) as never:
        never.add_video(VIDEO, EPISODE)
        proc = run(tmp_path, "detect", VIDEO, "--timeout", "0.4", *_remote(never))
    assert proc.returncode == 4
    assert "rekseg wait" in proc.stderr
    assert proc.stdout == ""


def test_service_error_exits_5(em: Emulator, tmp_path: Path) -> None:
    """An unknown job exits 5 with the service's error code, no traceback."""
    proc = run(tmp_path, "get", "0" * 64, *_remote(em)[:2])
    assert proc.returncode == 5
    assert "ResourceNotFoundException" in proc.stderr
    assert "Traceback" not in proc.stderr
    debug = run(tmp_path, "get", "0" * 64, "--debug", *_remote(em)[:2])
    assert "Traceback" in debug.stderr


def test_missing_credentials_and_region_exit_6(em: Emulator, tmp_path: Path) -> None:
    """Missing credentials or region exit 6 and point at `rekseg demo`."""
    proc = run(tmp_path, "status", "a" * 10, *_remote(em)[:2], credentials=False)
    assert proc.returncode == 6
    assert "rekseg demo" in proc.stderr
    no_region = run(tmp_path, "status", "a" * 10, region=False)
    assert no_region.returncode == 6
    assert "region" in no_region.stderr
    assert em.count() == 0


def test_missing_optional_package_exits_1_with_the_fix(tmp_path: Path) -> None:
    """--format otio without OpenTimelineIO exits 1 saying what to install, and writes nothing."""
    hidden = tmp_path / "hide"
    (hidden / "opentimelineio").mkdir(parents=True)
    (hidden / "opentimelineio" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'opentimelineio'\")\n", encoding="utf-8"
    )
    (tmp_path / "result.json").write_text(json.dumps(_expected().to_response()), encoding="utf-8")
    proc = run(tmp_path, "export", "result.json", "--format", "otio", "-o", "out.otio", pythonpath=hidden)
    assert proc.returncode == 1, proc.stderr
    assert "rekseg[otio]" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.otio").exists()


def test_progress_line_live_on_a_terminal_and_plain_otherwise() -> None:
    """On a terminal the status line is rewritten in place; elsewhere each poll is its own line."""
    import io

    from rekseg._cli.output import ProgressLine

    polls = [
        rekseg.WaitProgress("job-1", rekseg.JobStatus.IN_PROGRESS, 1, 0.5, 2.0),
        rekseg.WaitProgress("job-1", rekseg.JobStatus.SUCCEEDED, 2, 2.6, None),
    ]
    live, plain, quiet = io.StringIO(), io.StringIO(), io.StringIO()
    for line in (ProgressLine(live, live=True), ProgressLine(plain, live=False)):
        for poll in polls:
            line(poll)
    silent = ProgressLine(quiet, enabled=False)
    for poll in polls:
        silent(poll)
    assert live.getvalue().count("\r\x1b[2K") == 2
    assert live.getvalue().endswith("2 polls\n")
    assert plain.getvalue().splitlines() == [
        "job job-1: IN_PROGRESS, 0:00 elapsed, 1 poll, next look in 2s",
        "job job-1: SUCCEEDED, 0:02 elapsed, 2 polls",
    ]
    assert "\r" not in plain.getvalue()
    assert quiet.getvalue() == ""
