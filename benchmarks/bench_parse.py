"""Turning the bytes of one 1000-segment GetSegmentDetection page into a model, against botocore's parse of them.

botocore decodes the JSON body and walks the output shape into dicts. rekseg's fast path decodes the body (the
parser `rekseg._fastparse` registers) and builds a `SegmentDetectionPage` straight from the decoded JSON. The
target: bytes -> page model at most `TARGET_RATIO` times botocore's bytes -> dicts, timed in the same run on the
same bytes, rounds interleaved.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.model
import botocore.parsers
import botocore.session

from benchmarks._harness import Result, best_of, is_quick, ratio
from rekseg import SegmentDetectionPage
from rekseg._fastparse import FastResponseParserFactory
from rekseg._results import page_from_wire
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
    """Time bytes -> page on rekseg's fast path and bytes -> dicts with botocore's parser; report the ratio."""
    quick = is_quick(quick)
    segments = QUICK_PAGE_SEGMENTS if quick else PAGE_SEGMENTS
    repeat = 3 if quick else 15
    page = make_page(segments)
    body = json.dumps(page).encode()
    shape = output_shape()
    # Parsers are made per answer by botocore's endpoint; both sides make theirs once here.
    botocore_parser = botocore.parsers.ResponseParserFactory().create_parser("json")
    fast_parser = FastResponseParserFactory().create_parser("json")

    def http() -> dict[str, Any]:
        return {"body": body, "headers": {"x-amzn-requestid": "bench"}, "status_code": 200}

    def botocore_parse() -> dict[str, Any]:
        parsed: dict[str, Any] = botocore_parser.parse(http(), shape)
        return parsed

    def rekseg_parse() -> SegmentDetectionPage:
        return page_from_wire(fast_parser.parse(http(), shape))

    def decode_only() -> object:
        # What every path pays before any model or dict is built: the floor under both sides.
        return json.loads(body.decode())

    parsed = botocore_parse()
    parsed.pop("ResponseMetadata", None)
    # Guard the comparison itself: both paths read the same page, losslessly.
    assert rekseg_parse() == SegmentDetectionPage.from_response(parsed)
    assert rekseg_parse().to_response() == page

    rekseg_seconds = botocore_seconds = decode_seconds = float("inf")
    for _ in range(repeat):
        rekseg_seconds = min(rekseg_seconds, best_of(rekseg_parse, repeat=1))
        botocore_seconds = min(botocore_seconds, best_of(botocore_parse, repeat=1))
        decode_seconds = min(decode_seconds, best_of(decode_only, repeat=1))
    size = f"{segments} segments, {len(body) / 1024:.0f} KiB"
    return [
        Result.at_most("rekseg fast path: bytes -> SegmentDetectionPage", rekseg_seconds * 1e3, None, "ms", size),
        Result.at_most("botocore JSONParser.parse: bytes -> dicts", botocore_seconds * 1e3, None, "ms", size),
        Result.at_most(
            "page conversion ratio rekseg / botocore",
            ratio(rekseg_seconds, botocore_seconds),
            TARGET_RATIO,
            "x",
            "from the same bytes; machine shared with other jobs",
        ),
        Result.at_most(
            "  of which json.loads alone / botocore",
            ratio(decode_seconds, botocore_seconds),
            None,
            "x",
            "the decoding both sides pay; models are built in the rest",
        ),
    ]
