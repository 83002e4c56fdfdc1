"""The command line as a newcomer meets it: closed pipes, bad destinations, running jobs, flags in its words."""

from __future__ import annotations

import json
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import rekseg
from rekseg.testing import Emulator, SyntheticVideo, synthetic_result

VIDEO = "s3://cli-bucket/show/ep3.mp4"
EPISODE = SyntheticVideo(duration=240, shots=30, seed=9)


def _env(tmp_path: Path, *, region: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "no-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_ACCESS_KEY_ID"] = "testing"
    env["AWS_SECRET_ACCESS_KEY"] = "testing"
    if region:
        env["AWS_DEFAULT_REGION"] = "us-east-1"
    return env


def run(
    tmp_path: Path,
    *args: str,
    region: bool = True,
    stdout: int | None = None,
    file_size: int | None = None,
    umask: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m rekseg ARGS`` in ``tmp_path`` and capture its output (stdout unless redirected)."""

    def limit() -> None:
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
        if umask is not None:
            os.umask(umask)

    return subprocess.run(
        [sys.executable, "-m", "rekseg", *args],
        stdout=subprocess.PIPE if stdout is None else stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path, region=region),
        cwd=tmp_path,
        timeout=120,
        check=False,
        preexec_fn=limit if file_size is not None or umask is not None else None,
    )


@pytest.fixture
def em() -> Iterator[Emulator]:
    """An emulator serving the test episode; jobs end on the second poll."""
    with Emulator(polls_to_complete=1) as emulator:
        emulator.add_video(VIDEO, EPISODE)
        yield emulator


def _remote(em: Emulator) -> tuple[str, ...]:
    return ("--endpoint-url", em.endpoint_url, "--poll-interval", "0.05")


def _saved(tmp_path: Path, result: rekseg.SegmentDetectionResult | None = None) -> str:
    path = tmp_path / "result.json"
    path.write_text(json.dumps((result or EPISODE.result()).to_response()), encoding="utf-8")
    return path.name


def _closed_pipe() -> int:
    read, write = os.pipe()
    os.close(read)
    return write


# -- a closed pipe ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("demo", "-q", "--output-dir", "out"), ("export", "result.json", "--format", "csv")],
    ids=["demo", "export"],
)
def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path, args: tuple[str, ...]) -> None:
    """Output to a pipe whose reader has gone (`| head -1`) ends quietly with 141, as cat does."""
    _saved(tmp_path)
    write_end = _closed_pipe()
    try:
        proc = run(tmp_path, *args, stdout=write_end)
    finally:
        os.close(write_end)
    assert proc.stderr == ""
    assert proc.returncode == 141


# -- the destination -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "says"),
    [("missing/dir/x.edl", "the folder missing/dir does not exist"), (".", "is a directory")],
    ids=["missing-folder", "directory"],
)
def test_an_unwritable_destination_is_refused_before_the_job_starts(
    em: Emulator, tmp_path: Path, output: str, says: str
) -> None:
    """Detect -o into a missing folder or onto a directory exits 2 naming the path; no job is started."""
    proc = run(tmp_path, "detect", VIDEO, "--format", "edl", "-o", output, *_remote(em))
    assert proc.returncode == 2
    assert f"-o {output}: {says}" in proc.stderr
    assert "unexpected" not in proc.stderr
    assert em.count("StartSegmentDetection") == 0


def test_an_unwritable_destination_is_refused_before_get_fetches(em: Emulator, tmp_path: Path) -> None:
    """Get -o into a missing folder exits 2 before a single request."""
    proc = run(tmp_path, "get", "job-1", "-o", "nowhere/r.json", "--endpoint-url", em.endpoint_url)
    assert proc.returncode == 2
    assert "nowhere/r.json" in proc.stderr
    assert em.count() == 0


def test_a_write_failing_after_the_job_names_the_path_and_how_to_fetch_again(em: Emulator, tmp_path: Path) -> None:
    """A write that fails once the job is done names the user's path and the job, with the command to refetch."""
    proc = run(tmp_path, "detect", VIDEO, "--format", "json", "-o", "r.json", "-q", *_remote(em), file_size=2000)
    assert proc.returncode == 1
    job_id = next(iter(em.jobs))
    assert proc.stderr.startswith("rekseg: cannot write r.json: File too large")
    assert f"rekseg get {job_id} --format json" in proc.stderr
    assert ".r.json." not in proc.stderr  # never the temporary file
    assert "unexpected" not in proc.stderr
    assert not (tmp_path / "r.json").exists()
    assert not list(tmp_path.glob(".r.json.*"))  # the temporary file is cleaned up


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_o_creates_files_by_the_umask_and_keeps_an_existing_files_mode(tmp_path: Path, umask: int) -> None:
    """-o gives a new file the mode open() would (0666 less the umask) and leaves an existing file's mode alone."""
    saved = _saved(tmp_path)
    existing = tmp_path / "old.vtt"
    existing.write_text("", encoding="utf-8")
    existing.chmod(0o604)
    for name in ("new.vtt", "old.vtt"):
        proc = run(tmp_path, "export", saved, "--format", "vtt", "-o", name, umask=umask)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / name).read_text(encoding="utf-8").startswith("WEBVTT")
    assert stat.S_IMODE((tmp_path / "new.vtt").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(existing.stat().st_mode) == 0o604


# -- a job still running ---------------------------------------------------------------------------------------


def test_get_on_a_running_job_exits_4_and_says_to_wait(tmp_path: Path) -> None:
    """Get on an IN_PROGRESS job writes nothing, exits 4 and points at `rekseg wait JOB`."""
    with Emulator(polls_to_complete=5) as emulator:
        emulator.add_video(VIDEO, EPISODE)
        job = rekseg.Client(boto_client=emulator.boto_client()).start(VIDEO)
        proc = run(tmp_path, "get", job.job_id, "--format", "json", "--endpoint-url", emulator.endpoint_url)
    assert proc.returncode == 4
    assert proc.stdout == ""
    assert f"job {job.job_id} is still IN_PROGRESS" in proc.stderr
    assert f"rekseg wait {job.job_id}" in proc.stderr
    assert "wait()" not in proc.stderr


def test_a_timed_out_wait_counts_the_polls_it_showed(tmp_path: Path) -> None:
    """The last progress line of a timed-out wait and its error message count the same polls."""
    with Emulator(polls_to_complete=1000) as emulator:
        emulator.add_video(VIDEO, EPISODE)
        job = rekseg.Client(boto_client=emulator.boto_client()).start(VIDEO)
        proc = run(
            tmp_path, "wait", job.job_id, "--timeout", "1", "--poll-interval", "0.2", "--endpoint-url",
            emulator.endpoint_url,
        )  # fmt: skip
        polls = emulator.count("GetSegmentDetection")
    assert proc.returncode == 4
    *progress, message = proc.stderr.strip().splitlines()
    assert progress[-1].endswith(f"{polls} polls, timed out")
    assert f"({polls} polls)" in message


# -- hints in the command line's words ---------------------------------------------------------------------------


def test_a_missing_region_names_the_flag(tmp_path: Path) -> None:
    """Without a region the hint says --region, not region_name=."""
    proc = run(tmp_path, "status", "job-1", region=False)
    assert proc.returncode == 6
    assert "--region" in proc.stderr
    assert "region_name" not in proc.stderr


def test_a_missing_profile_names_the_flag(tmp_path: Path) -> None:
    """An unknown profile's hint says --profile, not profile_name=."""
    proc = run(tmp_path, "status", "job-1", "--profile", "nope")
    assert proc.returncode == 6
    assert "'nope'" in proc.stderr
    assert "--profile" in proc.stderr
    assert "profile_name" not in proc.stderr


@pytest.mark.parametrize(
    ("args", "says", "never"),
    [
        (("--shot-min-confidence", "20"), "--shot-min-confidence: must be between 50 and 100 (got 20.0)", "ShotFilter"),
        (("--types", "shot", "--cue-min-confidence", "60"), "technical-cue", "TECHNICAL_CUE"),
        (("--types", "shot,sceens"), "--types: each must be one of technical-cue, shot (got 'sceens')", "SHOT"),
        (("--black-min-coverage", "200"), "--black-min-coverage: must be between 0 and 100", "BlackFrame"),
        (("--job-tag", "a b"), "--job-tag: must match", "job_tag"),
    ],
)
def test_bad_start_options_are_named_as_flags(
    em: Emulator, tmp_path: Path, args: tuple[str, ...], says: str, never: str
) -> None:
    """A bad start option is reported by its flag and the command line's spelling; nothing is sent."""
    proc = run(tmp_path, "start", VIDEO, *args, "--endpoint-url", em.endpoint_url)
    assert proc.returncode == 2
    assert says in proc.stderr
    assert never not in proc.stderr
    assert em.count() == 0


def test_help_lists_every_exit_code() -> None:
    """`rekseg --help` lists 130 and the profile under 6, as docs/cli.md does."""
    proc = subprocess.run(
        [sys.executable, "-m", "rekseg", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    text = " ".join(proc.stdout.split())
    assert "6 missing AWS credentials, region or profile" in text
    assert "130 interrupted" in text
    assert "141 output pipe closed" in text


def test_poll_interval_states_its_default() -> None:
    """`--poll-interval` says its default in the help of wait."""
    proc = subprocess.run(
        [sys.executable, "-m", "rekseg", "wait", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert "(default: 5;" in " ".join(proc.stdout.split())


# -- export options from the shell -----------------------------------------------------------------------------


def test_export_takes_start_timecode_title_reel_and_events(tmp_path: Path) -> None:
    """Export --format edl honours --start-timecode, --title, --reel and --events technical-cues."""
    proc = run(
        tmp_path, "export", _saved(tmp_path), "--format", "edl", "--start-timecode", "01:00:00:00", "--title",
        "S01E03", "--reel", "TAPE1", "--events", "technical-cues",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "TITLE: S01E03"
    first = lines[2].split()
    assert first[1] == "TAPE1"
    assert first[6] == "01:00:00;00"
    assert "* FROM CLIP NAME: Color bars" in proc.stdout
    assert "Shot 1" not in proc.stdout


@pytest.mark.parametrize("command", ["detect", "wait", "get"])
def test_remote_commands_take_the_export_options(em: Emulator, tmp_path: Path, command: str) -> None:
    """Detect, wait and get write a VTT of the technical cues with a title given on the command line."""
    target = VIDEO
    if command != "detect":
        client = rekseg.Client(boto_client=em.boto_client())
        target = client.start(VIDEO).job_id
        if command == "get":
            client.wait(target, timeout=30)
    remote = _remote(em) if command != "get" else ("--endpoint-url", em.endpoint_url)
    proc = run(tmp_path, command, target, "--format", "vtt", "--events", "technical-cues", "--title", "Ep 3",
               "-q", *remote)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("WEBVTT")
    assert proc.stdout.count(" --> ") == len(EPISODE.result().technical_cues)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--format", "vtt", "--reel", "AX"), "--reel: does not apply to --format vtt"),
        (("--format", "table", "--title", "x"), "--title: does not apply to --format table"),
        (("--format", "edl", "--reel", "far too long"), "--reel: must be 1 to 8 letters"),
        (("--format", "edl", "--start-timecode", "one hour"), "--start-timecode: must be a timecode"),
    ],
)
def test_export_options_are_checked_before_the_job_starts(
    em: Emulator, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    """An export option the format does not use, or a malformed one, exits 2 before detect starts a job."""
    proc = run(tmp_path, "detect", VIDEO, *args, *_remote(em))
    assert proc.returncode == 2
    assert says in proc.stderr
    assert em.count() == 0


@pytest.mark.parametrize("label", ["01:00:00.00", "1:00:00:00", "25:00:00:00", "01:60:00:00", "01:00:00:012"])
def test_a_start_timecode_timecodes_refuse_is_refused_before_the_job_starts(
    em: Emulator, tmp_path: Path, label: str
) -> None:
    """A --start-timecode Timecode.parse refuses at every rate exits 2 naming the flag, before detect bills a job."""
    proc = run(tmp_path, "detect", VIDEO, "--format", "edl", "--start-timecode", label, "-o", "s.edl", *_remote(em))
    assert proc.returncode == 2, proc.stderr
    assert "--start-timecode: must be a timecode" in proc.stderr
    assert em.count() == 0
    assert not (tmp_path / "s.edl").exists()


@pytest.mark.parametrize(
    ("label", "says"),
    [
        ("01:00:00:99", "frames must be below 30"),
        ("01:01:00:00", "drop-frame skips frames 00-01"),  # the video turns out to be labelled drop-frame
        ("23:57:00:02", "puts record times past 24 hours"),
    ],
    ids=["frames-past-the-rate", "skipped-drop-frame-label", "past-24-hours"],
)
def test_a_start_timecode_only_the_video_refuses_names_the_job_and_how_to_export_again(
    em: Emulator, tmp_path: Path, label: str, says: str
) -> None:
    """A --start-timecode the video's rate or length refuses names the job and `rekseg get`, even with -q."""
    proc = run(tmp_path, "detect", VIDEO, "--format", "edl", "--start-timecode", label, "-o", "s.edl", "-q",
               *_remote(em))  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    job_id = next(iter(em.jobs))
    assert f"--start-timecode: {says}" in proc.stderr
    assert f"the job {job_id} succeeded" in proc.stderr
    assert f"`rekseg get {job_id} --format edl -o FILE`" in proc.stderr
    assert "unexpected" not in proc.stderr
    assert not (tmp_path / "s.edl").exists()
    assert not list(tmp_path.glob(".s.edl.*"))
    assert em.count("StartSegmentDetection") == 1


def test_export_checks_start_timecode_frames_against_the_rate_it_knows(tmp_path: Path) -> None:
    """Export names --start-timecode for frames past the --frame-rate given, or past the saved result's rate."""
    saved = _saved(tmp_path)  # 29.97 fps
    given = run(tmp_path, "export", saved, "--format", "edl", "--frame-rate", "29.97", "--start-timecode",
                "01:00:00:30")  # fmt: skip
    assert given.returncode == 2
    assert "--start-timecode: must be a timecode: frames must be below 30" in given.stderr
    read = run(tmp_path, "export", saved, "--format", "edl", "--start-timecode", "01:00:00:30")
    assert read.returncode == 2
    assert "bad input: --start-timecode: frames must be below 30" in read.stderr
    assert read.stdout == ""


# -- one numbering, null for unknown ---------------------------------------------------------------------------


def test_the_table_counts_shots_from_one_like_the_exports(tmp_path: Path) -> None:
    """The table names the first shot "Shot 1", as the EDL's clip names do, never "#0"."""
    saved = _saved(tmp_path)
    table = run(tmp_path, "export", saved).stdout
    edl = run(tmp_path, "export", saved, "--format", "edl").stdout
    assert "#0" not in table
    first_shot = next(line for line in table.splitlines() if line.startswith("shot"))
    assert first_shot.split()[1:3] == ["Shot", "1"]
    assert "* FROM CLIP NAME: Shot 1\n" in edl


def test_markers_json_gives_null_for_an_unknown_runtime(tmp_path: Path) -> None:
    """Without Content cues the runtime is null in JSON, where the text says unknown."""
    saved = _saved(tmp_path, synthetic_result(shots=20, technical_cues=["ColorBars", "EndCredits"], seed=2))
    data = json.loads(run(tmp_path, "markers", saved, "--format", "json").stdout)
    text = run(tmp_path, "markers", saved).stdout
    assert data["program"]["runtime_frames"] is None
    assert data["program"]["runtime_millis"] is None
    assert "program runtime   unknown" in text


# -- the emulator, quick ---------------------------------------------------------------------------------------


def test_emulator_serves_the_videos_the_docs_name_and_says_how_to_be_quick(tmp_path: Path) -> None:
    """`rekseg emulator --video URI --polls 0` serves that video, jobs end at start; its help says how."""
    helptext = subprocess.run(
        [sys.executable, "-m", "rekseg", "emulator", "--help"], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    assert "--polls 0" in helptext
    assert "--poll-interval 0.1" in helptext
    server = subprocess.Popen(
        [sys.executable, "-m", "rekseg", "emulator", "--polls", "0", "-q", "--video", "s3://my-bucket/episode.mp4"],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        proc = run(tmp_path, "detect", "s3://my-bucket/episode.mp4", "--format", "csv", "--endpoint-url", url)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("type,cue_type,shot_index")
    assert "SUCCEEDED, 0:00 elapsed, 1 poll\n" in proc.stderr  # --polls 0: done at the first look
