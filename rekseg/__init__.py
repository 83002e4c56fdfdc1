"""rekseg: a typed SDK for Amazon Rekognition Video segment detection.

Start jobs, wait for them without hand-written polling, page through results without losing or repeating a
page, and work with `Segment` objects and exact SMPTE `Timecode` values rather than dicts.
"""

import logging as _logging
import typing as _typing

from . import analysis as analysis
from ._analysis import (
    AdBreakCandidate,
    AdBreakReason,
    BingeMarkers,
    CueOverlap,
    FrameRange,
    ProgramStructure,
    RepresentativeFrame,
    ShotStatistics,
)
from ._client import Client, RekognitionAPI
from ._enums import JobStatus, SegmentType, TechnicalCueType, VideoColorRange
from ._exceptions import (
    AccessDeniedError,
    ClientClosedError,
    ClientForkedError,
    ConfigurationError,
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidPaginationTokenError,
    InvalidParameterError,
    InvalidS3ObjectError,
    JobFailedError,
    JobIdMismatchError,
    JobInProgressError,
    JobNotFoundError,
    JobStatusChangedError,
    LimitExceededError,
    PaginationError,
    RekSegError,
    ResultChangedError,
    ServiceError,
    ThrottlingError,
    TimecodeError,
    TransportError,
    ValidationError,
    VideoTooLargeError,
    WaitTimeoutError,
)
from ._fastparse import install_fast_parser
from ._flows.waiting import WaitProgress
from ._job import Job
from ._models import (
    AudioMetadata,
    BlackFrame,
    NotificationChannel,
    S3Object,
    Segment,
    SegmentTypeInfo,
    ShotFilter,
    ShotSegment,
    TechnicalCueFilter,
    TechnicalCueSegment,
    Video,
    VideoMetadata,
)
from ._policies import PollPolicy, RetryPolicy
from ._requests import StartOptions
from ._results import SegmentDetectionPage, SegmentDetectionResult
from ._timecode import FrameRate, Timecode

# Library etiquette: rekseg logs to "rekseg" and leaves handlers to the application.
_logging.getLogger("rekseg").addHandler(_logging.NullHandler())


if _typing.TYPE_CHECKING:
    from . import export as export

__version__: str


def __getattr__(name: str) -> object:
    # The version is read from the installed package's metadata, once, on first use: one source of truth
    # (pyproject.toml) and no importlib.metadata cost at import time. rekseg.export (seven writers) loads on
    # first use too: `import rekseg` then `rekseg.export.write(...)` works as before.
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 -- only when __version__ is first read

        value = version("rekseg")
        globals()["__version__"] = value
        return value
    if name == "export":
        import importlib  # noqa: PLC0415 -- loaded on first use, for a lighter import rekseg

        return importlib.import_module("rekseg.export")
    raise AttributeError(f"module 'rekseg' has no attribute {name!r}")


__all__ = [
    "AccessDeniedError",
    "AdBreakCandidate",
    "AdBreakReason",
    "AudioMetadata",
    "BingeMarkers",
    "BlackFrame",
    "Client",
    "ClientClosedError",
    "ClientForkedError",
    "ConfigurationError",
    "CueOverlap",
    "FrameRange",
    "FrameRate",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidPaginationTokenError",
    "InvalidParameterError",
    "InvalidS3ObjectError",
    "Job",
    "JobFailedError",
    "JobIdMismatchError",
    "JobInProgressError",
    "JobNotFoundError",
    "JobStatus",
    "JobStatusChangedError",
    "LimitExceededError",
    "NotificationChannel",
    "PaginationError",
    "PollPolicy",
    "ProgramStructure",
    "RekSegError",
    "RekognitionAPI",
    "RepresentativeFrame",
    "ResultChangedError",
    "RetryPolicy",
    "S3Object",
    "Segment",
    "SegmentDetectionPage",
    "SegmentDetectionResult",
    "SegmentType",
    "SegmentTypeInfo",
    "ServiceError",
    "ShotFilter",
    "ShotSegment",
    "ShotStatistics",
    "StartOptions",
    "TechnicalCueFilter",
    "TechnicalCueSegment",
    "TechnicalCueType",
    "ThrottlingError",
    "Timecode",
    "TimecodeError",
    "TransportError",
    "ValidationError",
    "Video",
    "VideoColorRange",
    "VideoMetadata",
    "VideoTooLargeError",
    "WaitProgress",
    "WaitTimeoutError",
    "__version__",
    "install_fast_parser",
]
