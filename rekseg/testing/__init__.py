"""A local segment-detection service for tests, examples and benchmarks, spoken to over the real wire protocol.

`Emulator` serves StartSegmentDetection and GetSegmentDetection on 127.0.0.1 so that botocore (and anything
built on it, rekseg included) runs unmodified against its ``endpoint_url``. `synthetic_result` and
`SyntheticVideo` generate realistic results to serve; `Fault` scripts failures for reliability tests.
"""

from __future__ import annotations

from ._emulator import Emulator, RecordedRequest
from ._faults import Fault, FaultRule
from ._service import JobState
from ._synthetic import SyntheticVideo, synthetic_result

__all__ = ["Emulator", "Fault", "FaultRule", "JobState", "RecordedRequest", "SyntheticVideo", "synthetic_result"]
