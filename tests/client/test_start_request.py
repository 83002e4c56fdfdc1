"""The start options are declared once (`StartOptions`) and checked the same way by start, detect and the CLI."""

from __future__ import annotations

import pytest

import rekseg
from rekseg.testing import Emulator

from .conftest import FAST_POLL, VIDEO, make_client, shots_only


def test_unknown_option_is_refused_before_anything_is_sent(em: Emulator, aws_env: None) -> None:
    """A misspelt option (which only a type checker would catch) is a ValidationError with a suggestion."""
    client = make_client(em)
    for call in (client.start, client.detect):
        with pytest.raises(rekseg.ValidationError) as info:
            call(VIDEO, segment_type=["SHOT"])  # type: ignore[call-arg]
        assert info.value.field == "segment_type"
        assert "did you mean segment_types" in str(info.value)
    assert em.count() == 0


def test_start_and_detect_send_the_same_request(em: Emulator, aws_env: None) -> None:
    """Start and detect build the same StartSegmentDetection parameters from the same options."""
    em.add_video(VIDEO, shots_only(12))
    client = make_client(em, polling=FAST_POLL)
    options: rekseg.StartOptions = {
        "segment_types": ["SHOT"],
        "shot_filter": rekseg.ShotFilter(min_segment_confidence=75),
        "job_tag": "tagged",
        "client_request_token": "token-1",
    }
    job = client.start(VIDEO, **options)
    result = client.detect(VIDEO, **options)
    assert result.job_id == job.job_id  # same token, same job
    starts = [r.params for r in em.requests if r.operation == "StartSegmentDetection"]
    assert len(starts) == 2
    assert starts[0] == starts[1]
    assert starts[0]["Filters"] == {"ShotFilter": {"MinSegmentConfidence": 75}}
    assert starts[0]["JobTag"] == "tagged"
    assert job.segment_types == (rekseg.SegmentType.SHOT,)
    assert job.job_tag == "tagged"
