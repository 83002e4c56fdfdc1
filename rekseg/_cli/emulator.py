"""``rekseg emulator`` (serve the emulator) and ``rekseg demo`` (the whole main job on it, no AWS account needed)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .. import export
from .._client import Client
from .._exceptions import ValidationError
from .._policies import PollPolicy, RetryPolicy
from .._requests import parse_s3_uri
from .markers import markers_table
from .output import ProgressLine, progress_from_args

if TYPE_CHECKING:
    from ..testing import SyntheticVideo

__all__ = ["DEMO_VIDEO", "EXPORT_FILES", "demo_episode", "media_files", "register", "run_demo"]

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
_QUICK: Final = (
    "quick runs: `--polls 0` ends every job at start, and `--poll-interval 0.1` on detect and wait looks again "
    "after a tenth of a second instead of 5 s. Point the other commands (and Python, through "
    "AWS_ENDPOINT_URL_REKOGNITION) at the URL printed first, with any credentials and region."
)


def demo_episode(seed: int = 7) -> SyntheticVideo:
    """The demo's synthetic episode: 45 minutes at 29.97 fps drop-frame, 540 shots, every cue type."""
    from ..testing import SyntheticVideo  # noqa: PLC0415 -- rekseg.testing (emulator, HTTP server) loads on use

    return SyntheticVideo(duration=45 * 60, frame_rate="30000/1001", drop_frame=True, shots=540, seed=seed)


def run_demo(*, output_dir: Path, seed: int, progress: ProgressLine) -> int:
    """Detect segments of a synthetic 45-minute 29.97 drop-frame episode on the emulator and export them all.

    Shows progress on stderr while the job runs, prints the summary (runtime, intro to skip, next-episode
    point, ad-break candidates, shot statistics) on stdout and writes every export format to ``output_dir``.
    """
    from ..testing import Emulator  # noqa: PLC0415 -- rekseg.testing (emulator, HTTP server) loads on use

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


def register(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Add ``rekseg emulator`` and ``rekseg demo``."""
    p = sub.add_parser(
        "emulator",
        parents=[common],
        help=f"serve the local segment-detection emulator (the demo episode is at {DEMO_VIDEO})",
        epilog=_QUICK,
    )
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument(
        "--polls",
        type=int,
        default=1,
        help="polls a job answers IN_PROGRESS before it ends (default: 1; 0 ends jobs at start)",
    )
    p.add_argument(
        "--video",
        action="append",
        default=[],
        metavar="URI",
        help="also serve the demo episode at this s3:// URI (repeatable), e.g. the videos the docs name",
    )
    p.add_argument(
        "--media",
        metavar="DIR",
        help="serve every file DIR/BUCKET/KEY at s3://BUCKET/KEY with its local detection (needs rekseg[local])",
    )
    p.set_defaults(handler=_cmd_emulator)

    p = sub.add_parser(
        "demo", parents=[common], help="run the whole main job on the built-in emulator (no AWS account needed)"
    )
    p.add_argument("--output-dir", default="rekseg-demo-output", metavar="DIR", help="folder for the exports (created)")
    p.add_argument("--seed", type=int, default=7, help="seed of the synthetic episode")
    p.set_defaults(handler=_cmd_demo)


def _cmd_emulator(args: argparse.Namespace) -> int:
    from ..testing.__main__ import serve  # noqa: PLC0415 -- rekseg.testing (emulator, HTTP server) loads on use

    if args.polls < 0:
        raise ValidationError("--polls", "must be 0 or more", args.polls)
    for uri in args.video:
        parse_s3_uri(uri, "--video")
    episode = demo_episode()
    media = media_files(Path(args.media)) if args.media is not None else {}
    code: int = serve(
        host=args.host,
        port=args.port,
        quiet=args.quiet,
        polls_to_complete=args.polls,
        videos={DEMO_VIDEO: episode, **dict.fromkeys(args.video, episode)},
        media=media,
    )
    return code


def media_files(root: Path) -> dict[str, Path]:
    """Map every file ``ROOT/BUCKET/KEY`` to ``s3://BUCKET/KEY`` (hidden files and folders left out).

    Raises:
        ValidationError: ``root`` is not a folder.
    """
    if not root.is_dir():
        raise ValidationError("--media", "must be a folder holding BUCKET/KEY files", str(root))
    out: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if len(parts) >= 2 and path.is_file() and not any(part.startswith(".") for part in parts):
            out[f"s3://{parts[0]}/{'/'.join(parts[1:])}"] = path
    return out


def _cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(output_dir=Path(args.output_dir), seed=args.seed, progress=progress_from_args(args))
