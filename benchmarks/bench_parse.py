"""Turning one 1000-segment GetSegmentDetection page into a model, against botocore's own parse of that page.

botocore spends its time decoding the JSON body and walking the output shape; rekseg then turns botocore's dict
into a `SegmentDetectionPage`. The target keeps rekseg's share of every page small: its conversion may cost at
most `TARGET_RATIO` times botocore's parse, both timed in the same run on the same page.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.model
import botocore.parsers
import botocore.session

from benchmarks._harness import Result, best_of, is_quick, ratio
from rekseg import SegmentDetectionPage
from rekseg.testing import synthetic_result

TARGET_RATIO = 0.35
PAGE_SEGMENTS = 1000
QUICK_PAGE_SEGMENTS = 50


def output_shape() -> botocore.model.Shape:
    """Return botocore's GetSegmentDetection output shape."""
    model = botocore.session.get_session().get_service_model("rekognition")
    shape = model.operation_model("GetSegmentDetection").output_shape
    assert shape is not None
    return shape


def make_page(segments: int) -> dict[str, Any]:
    """Return a realistic page of exactly ``segments`` segments (29.97 drop-frame, shots and cues), with a NextToken."""
    result = synthetic_result(shots=segments, seed=1)
    page = result.to_pages(page_size=segments)[0].to_response()
    page["NextToken"] = "eyJwYWdlIjogMn0="
    assert len(page["Segments"]) == segments
    return page


def run(quick: bool | None = None) -> list[Result]:
    """Time `SegmentDetectionPage.from_response` and botocore's JSON parse on the same page; report the ratio."""
    quick = is_quick(quick)
    segments = QUICK_PAGE_SEGMENTS if quick else PAGE_SEGMENTS
    repeat = 3 if quick else 15
    page = make_page(segments)
    body = json.dumps(page).encode()
    shape = output_shape()
    parser = botocore.parsers.JSONParser()

    def botocore_parse() -> dict[str, Any]:
        parsed: dict[str, Any] = parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
        return parsed

    parsed = botocore_parse()
    parsed.pop("ResponseMetadata", None)
    # Guard the comparison itself: rekseg must read exactly what botocore produced, losslessly.
    assert SegmentDetectionPage.from_response(parsed).to_response() == page

    rekseg_seconds = best_of(lambda: SegmentDetectionPage.from_response(parsed), repeat=repeat)
    botocore_seconds = best_of(botocore_parse, repeat=repeat)
    size = f"{segments} segments, {len(body) / 1024:.0f} KiB"
    return [
        Result.at_most("rekseg SegmentDetectionPage.from_response", rekseg_seconds * 1e3, None, "ms", size),
        Result.at_most("botocore JSONParser.parse (same page)", botocore_seconds * 1e3, None, "ms", size),
        Result.at_most(
            "parse ratio rekseg / botocore",
            ratio(rekseg_seconds, botocore_seconds),
            TARGET_RATIO,
            "x",
            "rekseg's model conversion vs botocore's own parse",
        ),
    ]
