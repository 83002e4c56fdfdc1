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
    with open_destination(destination) as stream:
        json.dump(result.to_response(), stream, indent=2)
        stream.write("\n")
