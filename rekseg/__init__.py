"""rekseg: a typed SDK for Amazon Rekognition Video segment detection.

Start jobs, wait for them without hand-written polling, page through results without losing or repeating a
page, and work with `Segment` objects and exact SMPTE `Timecode` values rather than dicts.
"""

from __future__ import annotations

from ._enums import JobStatus, SegmentType, TechnicalCueType, VideoColorRange
from ._exceptions import (
    AccessDeniedError,
    IdempotentParameterMismatchError,
    InternalServerError,
    InvalidPaginationTokenError,
    InvalidParameterError,
    InvalidS3ObjectError,
    JobFailedError,
    JobNotFoundError,
    LimitExceededError,
    PaginationError,
    RekSegError,
    ServiceError,
    ThrottlingError,
    TimecodeError,
    TransportError,
    ValidationError,
    VideoTooLargeError,
    WaitTimeoutError,
)
from ._models import (
    AudioMetadata,
    BlackFrame,
    NotificationChannel,
    S3Object,
    Segment,
    SegmentDetectionPage,
    SegmentDetectionResult,
    SegmentTypeInfo,
    ShotFilter,
    ShotSegment,
    TechnicalCueFilter,
    TechnicalCueSegment,
    Video,
    VideoMetadata,
)
from ._timecode import FrameRate, Timecode

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedError",
    "AudioMetadata",
    "BlackFrame",
    "FrameRate",
    "IdempotentParameterMismatchError",
    "InternalServerError",
    "InvalidPaginationTokenError",
    "InvalidParameterError",
    "InvalidS3ObjectError",
    "JobFailedError",
    "JobNotFoundError",
    "JobStatus",
    "LimitExceededError",
    "NotificationChannel",
    "PaginationError",
    "RekSegError",
    "S3Object",
    "Segment",
    "SegmentDetectionPage",
    "SegmentDetectionResult",
    "SegmentType",
    "SegmentTypeInfo",
    "ServiceError",
    "ShotFilter",
    "ShotSegment",
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
    "WaitTimeoutError",
    "__version__",
]
