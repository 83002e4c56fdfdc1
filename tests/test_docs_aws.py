"""The real-AWS guide (docs/aws.md) and the install lines a first real run needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "aws.md"


def _json_blocks(text: str) -> list[object]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", text, re.DOTALL)]


def _actions(policy: object) -> set[str]:
    assert isinstance(policy, dict)
    found: set[str] = set()
    for statement in policy["Statement"]:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


def test_the_guide_has_every_section_a_first_real_run_needs() -> None:
    """docs/aws.md covers permissions, credentials and regions, videos, cost and troubleshooting, in the nav."""
    text = GUIDE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings == [
        "Permissions",
        "Credentials, profiles and regions",
        "The videos the service accepts",
        "What a job costs",
        "Troubleshooting",
    ]
    assert "Using rekseg with AWS: aws.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for problem in ("AccessDenied", "InvalidS3Object", "IN_PROGRESS", "7 days", "LimitExceeded", "Throttling",
                    "Notifications that never arrive", "rekseg doctor"):  # fmt: skip
        assert problem in text.split("## Troubleshooting", 1)[1], problem
    assert "https://aws.amazon.com/rekognition/pricing/" in text
    assert "same region" in text or "in the region of the Rekognition endpoint" in text


def test_the_policy_documents_are_valid_json_with_every_permission() -> None:
    """The ready policy grants Start, Get, s3:GetObject and iam:PassRole; the role's policy grants sns:Publish."""
    policies = _json_blocks(GUIDE.read_text(encoding="utf-8"))
    caller, trust, role = policies
    assert {
        "rekognition:StartSegmentDetection",
        "rekognition:GetSegmentDetection",
        "s3:GetObject",
        "iam:PassRole",
    } <= _actions(caller)
    assert _actions(trust) == {"sts:AssumeRole"}
    assert _actions(role) == {"sns:Publish"}


def test_index_and_quickstart_say_how_to_install_from_a_checkout_and_run_offline() -> None:
    """Both install lines include `pip install -e .`; the quickstart says how to run the examples offline."""
    for page in ("index.md", "quickstart.md"):
        assert "pip install -e ." in (ROOT / "docs" / page).read_text(encoding="utf-8"), page
    quickstart = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    top = quickstart.split("## Without an AWS account", 1)[0]
    assert "AWS_ENDPOINT_URL_REKOGNITION" in top
    assert "rekseg emulator" in top
    assert "endpoint_url=" in top
