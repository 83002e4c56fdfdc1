"""``rekseg demo``: the whole main job on the built-in emulator, no AWS account needed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ._cli_markers import markers_table
from ._cli_output import ProgressLine
from ._client import Client
from ._policies import PollPolicy, RetryPolicy

if TYPE_CHECKING:
    from .testing import SyntheticVideo

__all__ = ["DEMO_VIDEO", "EXPORT_FILES", "demo_episode", "run_demo"]

DEMO_VIDEO: Final = "s3://rekseg-demo/episodes/s01e01.mp4"
"""Where the demo's synthetic episode "lives" on the emulator."""

EXPORT_FILES: Final = {
    "json": "result.json",
    "jsonl": "segments.jsonl",
    "csv": "segments.csv",
    "edl": "shots.edl",
    "vtt": "chapters.vtt",
    "ffmetadata": "chapters.ffmetadata",
    "otio": "timeline.otio",
}
"""The file each export format is written to, inside the output folder."""

_POLLS: Final = 4


def demo_episode(seed: int = 7) -> SyntheticVideo:
    """The demo's synthetic episode: 45 minutes at 29.97 fps drop-frame, 540 shots, every cue type."""
    from .testing import SyntheticVideo

    return SyntheticVideo(duration=45 * 60, frame_rate="30000/1001", drop_frame=True, shots=540, seed=seed)


def run_demo(*, output_dir: Path, seed: int, progress: ProgressLine) -> int:
    """Detect segments of a synthetic 45-minute 29.97 drop-frame episode on the emulator and export them all.

    Shows progress on stderr while the job runs, prints the summary (runtime, intro to skip, next-episode
    point, ad-break candidates, shot statistics) on stdout and writes every export format to ``output_dir``.
    """
    from . import export
    from .testing import Emulator

    episode = demo_episode(seed)
    with Emulator(polls_to_complete=_POLLS) as emulator:
        emulator.add_video(DEMO_VIDEO, episode)
        progress.message(f"emulator serving at {emulator.endpoint_url}")
        client = Client(
            boto_client=emulator.boto_client(),
            retry=RetryPolicy(attempts=3, wait_initial=0.1, wait_max=0.5),
            polling=PollPolicy(wait_initial=0.4, wait_max=0.8, timeout=120),
        )
        job = client.start(DEMO_VIDEO, job_tag="rekseg-demo")
        progress.message(f"started job {job.job_id} on {DEMO_VIDEO} (45-minute episode, 29.97 fps drop-frame)")
        result = job.wait(progress=progress)
        calls = emulator.count()

    output_dir.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    skipped: list[str] = []
    for fmt, name in EXPORT_FILES.items():
        if fmt == "otio" and importlib.util.find_spec("opentimelineio") is None:
            skipped.append(f"{name} (install rekseg[otio] for OpenTimelineIO)")
            continue
        export.write(result, fmt, output_dir / name)
        written.append(name)

    out = sys.stdout
    out.write(markers_table(result))
    out.write(
        f"\n{len(result.segments or ())} segments ({len(result.shots)} shots, {len(result.technical_cues)} "
        f"technical cues) in {calls} requests to the emulator\n"
    )
    out.write(f"wrote {len(written)} files to {output_dir}: {', '.join(written)}\n")
    for item in skipped:
        out.write(f"skipped {item}\n")
    out.flush()
    return 0
