"""`rekseg doctor` in a subprocess against moto: exit 0 when all is well, non-zero with the fixes otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rekseg._cli.doctor import EXIT_PROBLEM

from .conftest import REGION, Channel
from .test_channel import make_role

ROOT = Path(__file__).resolve().parents[2]


def doctor(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("AWS_PROFILE", None)
    return subprocess.run(
        [sys.executable, "-m", "rekseg", "doctor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_doctor_exits_zero_on_a_correct_channel(moto_url: str, channel: Channel, tmp_path: Path) -> None:
    """A correct topic, role and queue: every line is ok and the exit code is 0."""
    role = make_role(moto_url)
    done = doctor(
        "--sns-topic-arn", channel.topic_arn, "--role-arn", role, "--queue-url", channel.queue_url,
        "--region", REGION, "--endpoint-url", moto_url, tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[:9]] == ["ok"] * 9
    assert lines[-1] == "0 problem(s), 0 could not be checked, 9 checks"


def test_doctor_exits_non_zero_and_prints_each_fix(moto_url: str, tmp_path: Path) -> None:
    """An unsubscribed queue and an untrusting role: exit code EXIT_PROBLEM, a fix line under each problem."""
    channel = Channel(moto_url, subscribe=False)
    role = make_role(moto_url, trust={"Version": "2012-10-17", "Statement": []})
    done = doctor(
        "--sns-topic-arn", channel.topic_arn, "--role-arn", role, "--queue-url", channel.queue_url,
        "--region", REGION, "--endpoint-url", moto_url, "--format", "json", tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == EXIT_PROBLEM != 0, done.stderr
    rows = {row["check"]: row for row in json.loads(done.stdout)}
    assert rows["role-trust"]["outcome"] == "problem"
    assert rows["queue-subscribed"]["outcome"] == "problem"
    assert rows["queue-subscribed"]["fix"].startswith("aws sns subscribe")
    assert rows["topic-exists"]["outcome"] == "ok"


def test_doctor_refuses_a_bad_arn_before_any_call(tmp_path: Path) -> None:
    """A malformed topic ARN is a usage error (exit 2) naming the field; no service is called."""
    done = doctor(
        "--sns-topic-arn", "my-topic", "--role-arn", "arn:aws:iam::123456789012:role/r",
        "--region", REGION, "--endpoint-url", "http://127.0.0.1:9", tmp_path=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "NotificationChannel.sns_topic_arn" in done.stderr


def test_doctor_without_credentials_says_so_and_exits_6(tmp_path: Path) -> None:
    """No AWS credentials at all: exit 6 with the usual hint, not nine could-not-check lines and exit 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-m", "rekseg", "doctor",
         "--sns-topic-arn", "arn:aws:sns:us-east-1:123456789012:AmazonRekognitionX",
         "--role-arn", "arn:aws:iam::123456789012:role/r", "--region", REGION, "--endpoint-url", "http://127.0.0.1:9"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 6, done.stdout + done.stderr
    assert "no AWS credentials found" in done.stderr
