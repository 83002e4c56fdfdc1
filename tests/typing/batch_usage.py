"""rekseg.batch used as a user would; type-checked by mypy --strict, never executed."""

from __future__ import annotations

from datetime import timedelta

import rekseg
from rekseg import batch


def process(client: rekseg.Client) -> batch.BatchCounts:
    """Run a catalog with per-video options, a store of one's choice and a progress callback."""
    items = [
        batch.BatchItem("s3://bucket/ep1.mp4", segment_types=["SHOT"], job_tag="ep-1"),
        batch.BatchItem(rekseg.S3Object(bucket="bucket", name="ep2.mp4")),
    ]
    store: batch.Store = batch.SqliteStore("state.sqlite")

    def show(event: batch.BatchEvent) -> None:
        print(event.kind, event.video, event.counts.done)

    report: batch.BatchReport = batch.run(
        items,
        output="results/",
        store=store,
        formats=("json", "edl"),
        max_jobs=10,
        client=client,
        progress=show,
        options={"shot_filter": rekseg.ShotFilter(min_segment_confidence=80.0)},
        retry_failed=True,
        timeout=3600,
        capacity_timeout=timedelta(hours=2),
    )
    for item in report.failed:
        print(item.video, item.error_code, item.final)
    return report.counts


def shared(table: str) -> batch.Store:
    """A DynamoDB store for several workers, its table made first."""
    batch.create_dynamodb_table(table)
    return batch.DynamoDBStore(table, batch="season-1")
