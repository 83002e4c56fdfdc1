"""One contract for every Store, run on SqliteStore and on DynamoDBStore (moto's server)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from rekseg.batch import DynamoDBStore, ItemRecord, ItemState, SqliteStore, Store, StoreConflictError
from rekseg.batch import create_dynamodb_table as create_table

from .conftest import moto_client

pytest.importorskip("moto.server")

StoreFactory = Callable[[], Store]


@pytest.fixture(params=["sqlite", "dynamodb"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Open handles (as separate workers would) on one fresh batch, in SQLite or in DynamoDB."""
    opened: list[Store] = []
    if request.param == "sqlite":
        path = tmp_path / "state.sqlite"

        def factory() -> Store:
            store = SqliteStore(path)
            opened.append(store)
            return store

    else:
        url = request.getfixturevalue("moto_url")
        table = f"batch-{uuid.uuid4().hex[:8]}"
        assert create_table(table, dynamodb_client=moto_client("dynamodb", url))

        def factory() -> Store:
            store = DynamoDBStore(table, batch="b1", dynamodb_client=moto_client("dynamodb", url))
            opened.append(store)
            return store

    yield factory
    for store in opened:
        store.close()


def rec(key: str, **changes: Any) -> ItemRecord:
    return attrs.evolve(ItemRecord.new(key, "f" * 64), **changes)


def test_add_creates_only_missing_records(open_store: StoreFactory) -> None:
    """add() creates new keys, leaves existing ones untouched and counts what it created."""
    store = open_store()
    assert store.add([rec("s3://b/a.mp4"), rec("s3://b/b.mp4")]) == 2
    assert store.add([rec("s3://b/a.mp4", attempts=5), rec("s3://b/c.mp4")]) == 1
    a = store.get("s3://b/a.mp4")
    assert a is not None
    assert a.attempts == 0
    assert [r.key for r in store.records()] == ["s3://b/a.mp4", "s3://b/b.mp4", "s3://b/c.mp4"]
    assert store.get("s3://b/missing.mp4") is None


def test_every_field_survives_a_round_trip(open_store: StoreFactory) -> None:
    """A record with every field set reads back equal, version and time aside."""
    store = open_store()
    store.add([rec("s3://b/a.mp4")])
    stored = store.get("s3://b/a.mp4")
    assert stored is not None
    full = attrs.evolve(
        stored,
        state=ItemState.FAILED,
        generation=2,
        given_token="mine",
        job_id="j" * 64,
        attempts=3,
        started_at=1712345678.25,
        shots=7,
        technical_cues=0,
        error_code="JobFailed",
        error_message="unsupported codec, it said",
        final=True,
        new_job=False,
        transient_errors=4,
        owner="host/12/abcd",
        lease_until=1712345999.5,
    )
    saved = store.save(full)
    again = store.get("s3://b/a.mp4")
    assert again == saved
    assert saved.version == full.version + 1
    assert again is not None
    assert again.job_id == "j" * 64
    assert again.shots == 7
    assert again.technical_cues == 0
    assert again.final is True
    assert again.new_job is False


def test_save_is_refused_when_another_worker_wrote_first(open_store: StoreFactory) -> None:
    """Two workers read the same version; the first save wins, the second raises StoreConflictError."""
    one, two = open_store(), open_store()
    one.add([rec("s3://b/a.mp4")])
    seen_by_one, seen_by_two = one.get("s3://b/a.mp4"), two.get("s3://b/a.mp4")
    assert seen_by_one is not None
    assert seen_by_two is not None
    one.save(seen_by_one.claim("worker-1", 0.0, 60.0))
    with pytest.raises(StoreConflictError) as caught:
        two.save(seen_by_two.claim("worker-2", 0.0, 60.0))
    assert caught.value.key == "s3://b/a.mp4"
    winner = two.get("s3://b/a.mp4")
    assert winner is not None
    assert winner.owner == "worker-1"


def test_save_of_an_unknown_item_is_refused(open_store: StoreFactory) -> None:
    """save() never creates: an item that was not added is a conflict."""
    with pytest.raises(StoreConflictError):
        open_store().save(rec("s3://b/never-added.mp4", version=3))


def test_unfinished_lists_only_items_not_done_nor_failed(open_store: StoreFactory) -> None:
    """records(unfinished=True) leaves out done and failed items, and sees them again after a retry."""
    store = open_store()
    store.add([rec(f"s3://b/{n}.mp4") for n in "abc"])
    a, b = store.get("s3://b/a.mp4"), store.get("s3://b/b.mp4")
    assert a is not None
    assert b is not None
    store.save(a.claim("w", 0, 60).started("j1", 1).fetching().done(1, 0))
    failed = store.save(b.claim("w", 0, 60).started("j2", 1).timed_out(10))
    assert sorted(r.key for r in store.records(unfinished=True)) == ["s3://b/c.mp4"]
    store.save(failed.retry())
    assert sorted(r.key for r in store.records(unfinished=True)) == ["s3://b/b.mp4", "s3://b/c.mp4"]


def test_many_records_are_listed_whole(open_store: StoreFactory) -> None:
    """A listing returns every record, past one page of a DynamoDB query."""
    store = open_store()
    keys = [f"s3://b/{'x' * 300}{i:04d}.mp4" for i in range(120)]
    store.add([rec(k, error_message="m" * 8000) for k in keys])
    assert [r.key for r in store.records()] == sorted(keys)


def test_take_writes_a_claim_only_while_fewer_than_max_jobs_are_in_progress(open_store: StoreFactory) -> None:
    """take() counts starting and running items of the whole store, from any worker; done and pending do not count."""
    one, two = open_store(), open_store()
    one.add([rec(f"s3://b/{n}.mp4") for n in "abcde"])
    records = {r.key: r for r in one.records()}
    one.save(records["s3://b/a.mp4"].claim("worker-1", 0, 60))  # starting
    two.save(records["s3://b/b.mp4"].claim("worker-2", 0, 60).started("j2", 1))  # running
    one.save(records["s3://b/c.mp4"].claim("worker-1", 0, 60).started("j3", 1).fetching().done(1, 0))
    wanted = records["s3://b/d.mp4"].claim("worker-2", 0, 60)

    assert two.take(wanted, max_jobs=2) is None
    assert two.get("s3://b/d.mp4") == records["s3://b/d.mp4"]  # nothing written
    taken = two.take(wanted, max_jobs=3)
    assert taken is not None
    assert two.get("s3://b/d.mp4") == taken
    assert one.take(records["s3://b/e.mp4"].claim("worker-1", 0, 60), max_jobs=3) is None
    with pytest.raises(StoreConflictError):
        one.take(wanted, max_jobs=10)  # the version moved on


def test_workers_opening_a_new_sqlite_store_together_all_get_it(tmp_path: Path) -> None:
    """Six workers opening one new SQLite file at the same moment all open it (WAL switch raced: locked at once)."""
    failures: list[BaseException] = []
    for round_ in range(100):
        path = tmp_path / f"round-{round_}" / "state.sqlite"
        barrier = threading.Barrier(6)

        def open_store(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                SqliteStore(path).close()
            except BaseException as exc:  # noqa: BLE001 -- collected, then asserted on
                failures.append(exc)

        workers = [threading.Thread(target=open_store) for _ in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
    assert failures == []
