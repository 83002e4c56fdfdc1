"""A video file on disk served by the emulator: jobs answer with its local detection, computed once."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence

from .._enums import JobStatus, SegmentType
from .._exceptions import RekSegError
from ._content import Selection, StoredVideo

__all__ = ["MediaSource"]

_FAILED_HEADER: Mapping[str, object] = {}


class MediaSource:
    """A local video: detected (both segment types, no filter) on first use, then served like a stored result.

    Jobs get the types they request and their ``MinSegmentConfidence``; the detection itself runs with the
    service's default ``BlackFrame`` settings. A file that cannot be detected makes its jobs end ``FAILED``
    with the reason as ``StatusMessage``.

    Args:
        path: The video file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._stored: StoredVideo | None = None
        self._error: str | None = None

    def _load(self) -> StoredVideo | None:
        with self._lock:
            if self._stored is None and self._error is None:
                from ..local import detect_file  # noqa: PLC0415 - PyAV loads only when a job asks

                try:
                    result = detect_file(self.path)
                except RekSegError as exc:
                    self._error = str(exc)
                else:
                    self._stored = StoredVideo.from_response(result.to_response(), copy=False)
            return self._stored

    @property
    def final_status(self) -> JobStatus:
        """``SUCCEEDED`` when the file could be detected, else ``FAILED``."""
        return JobStatus.FAILED if self._load() is None else JobStatus.SUCCEEDED

    @property
    def status_message(self) -> str | None:
        """Why the file could not be detected, for the job's ``StatusMessage``."""
        self._load()
        return self._error

    @property
    def model_versions(self) -> Mapping[str, str]:
        """``ModelVersion`` by segment type."""
        stored = self._load()
        return {} if stored is None else stored.model_versions

    def select(self, types: Sequence[SegmentType], thresholds: Mapping[SegmentType, float]) -> Selection:
        """Return the segments of ``types``, in that order, at or above each type's threshold."""
        stored = self._load()
        if stored is None:
            return Selection(header=_FAILED_HEADER, count=0, render=lambda start, stop: [])
        return stored.select(types, thresholds)
