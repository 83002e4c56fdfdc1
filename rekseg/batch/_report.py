"""What a batch tells its caller: progress events as it goes, and a `BatchReport` at the end."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, Final, TextIO

import attrs

from ..export._common import Destination, open_destination
from ._state import ItemRecord, ItemState

__all__ = ["REPORT_COLUMNS", "BatchCounts", "BatchEvent", "BatchReport", "ItemReport"]

REPORT_COLUMNS: Final = (
    "video",
    "state",
    "job_id",
    "shots",
    "technical_cues",
    "error_code",
    "error_message",
    "final",
    "attempts",
    "generation",
    "client_request_token",
)
"""The columns of ``report.csv``, and the keys of each ``report.jsonl`` line."""


@attrs.frozen(kw_only=True)
class BatchCounts:
    """How many videos of the batch are where.

    Attributes:
        total: Videos in the batch.
        pending: Not started yet.
        waiting: Ready to start, waiting for capacity (LimitExceeded).
        running: Started, job not ended yet (or being started).
        fetching: Job ended, result being fetched and written.
        done: Result written.
        failed: Failed (see the report for which are retryable).
    """

    total: int = 0
    pending: int = 0
    waiting: int = 0
    running: int = 0
    fetching: int = 0
    done: int = 0
    failed: int = 0

    @property
    def finished(self) -> int:
        """Videos done or failed."""
        return self.done + self.failed


@attrs.frozen(kw_only=True)
class BatchEvent:
    """One thing that happened to one video, handed to the ``progress`` callback of `rekseg.batch.run`.

    Attributes:
        kind: ``"started"`` (a job was started or re-attached), ``"waiting"`` (no capacity: LimitExceeded),
            ``"done"`` (the result is written), ``"failed"`` or ``"error"`` (a passing error; the step is retried).
        video: The video, as ``s3://bucket/key``.
        job_id: Its job, when there is one.
        counts: Where the whole batch stands after the event.
        elapsed: Seconds since the run began.
        message: The error, for ``failed`` and ``error``.
    """

    kind: str
    video: str
    job_id: str | None
    counts: BatchCounts
    elapsed: float
    message: str | None = None


@attrs.frozen(kw_only=True)
class ItemReport:
    """One video's line in the report.

    Attributes:
        video: The video, as ``s3://bucket/key``.
        state: ``done``, ``failed``, or where it stood when the run stopped.
        job_id: Its (last) job.
        shots: Shot segments in the result.
        technical_cues: Technical cue segments in the result.
        error_code: Why it failed: the service's code (``InvalidS3ObjectException``), ``JobFailed`` or ``Timeout``.
        error_message: The error's message.
        final: Whether the failure is for good (``retry_failed`` leaves it).
        attempts: Start calls answered (a retried failure adds one).
        generation: Retries of a failed job so far.
        client_request_token: The ClientRequestToken of its job.
    """

    video: str
    state: ItemState
    job_id: str | None = None
    shots: int | None = None
    technical_cues: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    final: bool = False
    attempts: int = 0
    generation: int = 0
    client_request_token: str | None = None

    @classmethod
    def from_record(cls, record: ItemRecord) -> ItemReport:
        """Make the report line of a stored record."""
        return cls(
            video=record.key,
            state=record.state,
            job_id=record.job_id,
            shots=record.shots,
            technical_cues=record.technical_cues,
            error_code=record.error_code,
            error_message=record.error_message,
            final=record.final and record.state is ItemState.FAILED,
            attempts=record.attempts,
            generation=record.generation,
            client_request_token=record.token or None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the line as plain values, keyed by `REPORT_COLUMNS`."""
        row = attrs.asdict(self)
        row["state"] = self.state.value
        return {name: row[name] for name in REPORT_COLUMNS}


@attrs.frozen(kw_only=True)
class BatchReport:
    """Where every video of a batch stands at the end of `rekseg.batch.run`.

    Attributes:
        items: One `ItemReport` per video, in the order of the input.
        elapsed: Seconds the run took.
    """

    items: tuple[ItemReport, ...]
    elapsed: float = 0.0

    @classmethod
    def from_records(cls, records: Iterable[ItemRecord], elapsed: float = 0.0) -> BatchReport:
        """Make the report of stored records."""
        return cls(items=tuple(ItemReport.from_record(r) for r in records), elapsed=elapsed)

    @property
    def counts(self) -> BatchCounts:
        """How many videos are where."""
        by_state = dict.fromkeys(ItemState, 0)
        for item in self.items:
            by_state[item.state] += 1
        return BatchCounts(
            total=len(self.items),
            pending=by_state[ItemState.PENDING],
            running=by_state[ItemState.STARTING] + by_state[ItemState.RUNNING],
            fetching=by_state[ItemState.FETCHING],
            done=by_state[ItemState.DONE],
            failed=by_state[ItemState.FAILED],
        )

    @property
    def ok(self) -> bool:
        """Whether every video is done."""
        return all(item.state is ItemState.DONE for item in self.items)

    @property
    def failed(self) -> tuple[ItemReport, ...]:
        """The videos that failed."""
        return tuple(item for item in self.items if item.state is ItemState.FAILED)

    def write_csv(self, destination: Destination) -> None:
        """Write the report as CSV with a header (`REPORT_COLUMNS`), to a path or a text stream."""
        with open_destination(destination) as stream:
            self._csv(stream)

    def write_jsonl(self, destination: Destination) -> None:
        """Write the report as JSON Lines, one object per video, to a path or a text stream."""
        with open_destination(destination) as stream:
            self._jsonl(stream)

    def _csv(self, stream: TextIO) -> None:
        writer = csv.DictWriter(stream, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for item in self.items:
            writer.writerow({k: "" if v is None else v for k, v in item.to_dict().items()})

    def _jsonl(self, stream: TextIO) -> None:
        for item in self.items:
            stream.write(json.dumps(item.to_dict()) + "\n")
