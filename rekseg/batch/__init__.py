"""Batch processing: a catalog of videos against the concurrent-job limit, crash-safe and resumable.

One call processes thousands of videos with at most ``max_jobs`` jobs in progress, waiting (never failing) when
LimitExceeded says the account has no capacity, and writes each video's result and exports atomically::

    from rekseg import batch

    report = batch.run("catalog.csv", output="results/", formats=("json", "edl"))
    print(report.counts)

Running it again resumes: a video's job is never started twice (its ClientRequestToken is derived from the
video and its options) and a written result is never fetched again. The state lives in a `Store`:
`SqliteStore` (one file, the default) or `DynamoDBStore` (several workers on several machines).

`import rekseg` does not import this package; import it by name.
"""

from __future__ import annotations

from ._dynamodb import DynamoDBStore, create_dynamodb_table
from ._items import MANIFEST_COLUMNS, VIDEO_EXTENSIONS, BatchItem, list_videos, read_manifest
from ._report import REPORT_COLUMNS, BatchCounts, BatchEvent, BatchReport, ItemReport
from ._run import (
    DEFAULT_CAPACITY_TIMEOUT,
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_LEASE,
    DEFAULT_MAX_JOBS,
    DEFAULT_POLL_RATE,
    LISTENER_FALLBACK,
    CompletionListener,
    run,
)
from ._state import ItemRecord, ItemState
from ._store import SqliteStore, Store, StoreConflictError

__all__ = [
    "DEFAULT_CAPACITY_TIMEOUT",
    "DEFAULT_JOB_TIMEOUT",
    "DEFAULT_LEASE",
    "DEFAULT_MAX_JOBS",
    "DEFAULT_POLL_RATE",
    "LISTENER_FALLBACK",
    "MANIFEST_COLUMNS",
    "REPORT_COLUMNS",
    "VIDEO_EXTENSIONS",
    "BatchCounts",
    "BatchEvent",
    "BatchItem",
    "BatchReport",
    "CompletionListener",
    "DynamoDBStore",
    "ItemRecord",
    "ItemReport",
    "ItemState",
    "SqliteStore",
    "Store",
    "StoreConflictError",
    "create_dynamodb_table",
    "list_videos",
    "read_manifest",
    "run",
]
