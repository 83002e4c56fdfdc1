"""JSON: the whole result as the service's GetSegmentDetection response."""

from __future__ import annotations

import json

from .._results import SegmentDetectionResult
from ._common import Destination, open_destination

__all__ = ["write_json"]


def write_json(result: SegmentDetectionResult, destination: Destination) -> None:
    """Write the result as one GetSegmentDetection response (`SegmentDetectionResult.to_response`), indented.

    Read it back with ``SegmentDetectionResult.from_response(json.load(f))``.
    """
    text = json.dumps(result.to_response(), indent=2)  # made whole first: the file is never left half-written
    with open_destination(destination) as stream:
        stream.write(text + "\n")
