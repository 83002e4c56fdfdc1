"""examples/batch_catalog.py runs on the built-in emulator: videos wait for capacity, one fails for good, resume."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "batch_catalog.py"


def run(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(EXAMPLE), "-o", "results"]
    done = subprocess.run(command, check=False, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_batch_example_processes_the_demo_catalog_and_resumes(tmp_path: Path) -> None:
    """12 episodes done (some after waiting for capacity), the missing one failed for good; a rerun resumes."""
    out = run(tmp_path).stdout.splitlines()

    assert "12 done, 1 failed of 13; report in results/report.csv" in out
    assert any(" waiting s3://rekseg-examples/" in line for line in out)
    assert "failed (for good): s3://rekseg-examples/season-1/missing.mp4: InvalidS3ObjectException" in out
    written = sorted(p.name for p in (tmp_path / "results" / "rekseg-examples" / "season-1").iterdir())
    assert written == sorted(f"ep{n:02d}.mp4.{ext}" for n in range(1, 13) for ext in ("json", "edl"))

    again = run(tmp_path).stdout.splitlines()
    assert not any(" started " in line for line in again)
    assert "12 done, 1 failed of 13; report in results/report.csv" in again
