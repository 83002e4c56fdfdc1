"""Where a batch keeps its state: the `Store` protocol, and `SqliteStore`, the embedded default."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from .._exceptions import RekSegError, ValidationError
from ._state import ItemRecord, ItemState

__all__ = ["RECORD_FIELDS", "SqliteStore", "Store", "StoreConflictError", "record_from_row", "record_to_row"]


class StoreConflictError(RekSegError):
    """A write was refused: another worker changed the item first (its version moved on), or it already exists.

    Attributes:
        key: The item.
    """

    def __init__(self, key: str, message: str | None = None) -> None:
        self.key = key
        super().__init__(message or f"{key}: changed by another worker since it was read")


@runtime_checkable
class Store(Protocol):
    """What the batch needs of a state store; `SqliteStore` and `DynamoDBStore` implement it.

    Every write is conditional: `add` only creates, `save` only replaces the version it read. That is what lets
    several workers share one batch without starting a video twice.
    """

    def add(self, records: Iterable[ItemRecord]) -> int:
        """Create the records whose key is not stored yet; leave the others; return how many were created."""

    def get(self, key: str) -> ItemRecord | None:
        """Return the stored record of ``key``, or ``None``."""

    def save(self, record: ItemRecord) -> ItemRecord:
        """Replace the stored record if its version is still ``record.version``; return it as stored.

        Raises:
            StoreConflictError: The stored version moved on (another worker wrote it), or the item is unknown.
        """

    def take(self, record: ItemRecord, *, max_jobs: int) -> ItemRecord | None:
        """Save ``record`` (a pending item claimed, now ``starting``) if there is room; return it as stored.

        There is room when fewer than ``max_jobs`` other items of the store are ``starting`` or ``running``;
        without room nothing is written and ``None`` is returned.

        Raises:
            StoreConflictError: As `save`.
        """

    def records(self, *, unfinished: bool = False) -> Iterator[ItemRecord]:
        """Yield every record (only those neither done nor failed, with ``unfinished``)."""

    def close(self) -> None:
        """Release the store's connections."""


RECORD_FIELDS: Final = tuple(a.name for a in attrs.fields(ItemRecord))
"""The record's fields, in declaration order: the columns of `SqliteStore` and the attributes of DynamoDB."""
_INT_FIELDS: Final = frozenset({"generation", "attempts", "shots", "technical_cues", "transient_errors", "version"})
_FLOAT_FIELDS: Final = frozenset({"started_at", "lease_until", "updated_at"})
_BOOL_FIELDS: Final = frozenset({"final", "new_job"})


def record_to_row(record: ItemRecord) -> dict[str, Any]:
    """Return the record as plain values (``None`` for absent ones), by field name."""
    row = attrs.asdict(record)
    row["state"] = record.state.value
    return row


def record_from_row(row: dict[str, Any]) -> ItemRecord:
    """Rebuild a record from plain values (numbers may come back as ``Decimal`` or ``str``)."""
    values: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = row.get(name)
        if value is None:
            continue
        if name in _INT_FIELDS:
            value = int(value)
        elif name in _FLOAT_FIELDS:
            value = float(value)
        elif name in _BOOL_FIELDS:
            value = bool(value)
        elif name == "state":
            value = ItemState(value)
        values[name] = value
    return ItemRecord(**values)


_COLUMNS: Final = ", ".join(RECORD_FIELDS)
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    generation INTEGER NOT NULL,
    token TEXT NOT NULL,
    given_token TEXT,
    job_id TEXT,
    attempts INTEGER NOT NULL,
    started_at REAL,
    shots INTEGER,
    technical_cues INTEGER,
    error_code TEXT,
    error_message TEXT,
    final INTEGER NOT NULL,
    new_job INTEGER NOT NULL,
    transient_errors INTEGER NOT NULL,
    owner TEXT,
    lease_until REAL,
    version INTEGER NOT NULL,
    updated_at REAL NOT NULL
) WITHOUT ROWID
"""
_INDEX: Final = "CREATE INDEX IF NOT EXISTS items_state ON items (state)"
_UNFINISHED: Final = "state NOT IN ('done', 'failed')"
_IN_PROGRESS: Final = "state IN ('starting', 'running')"
_BUSY_TIMEOUT_MS: Final = 30_000


def _use_wal(db: sqlite3.Connection) -> None:
    """Put the database file in WAL mode, also while other processes open it for the first time.

    Switching the journal mode takes an exclusive lock, and SQLite answers "database is locked" at once (its busy
    handler is not called) when another connection holds the file then, as several workers starting on a new
    store do. The mode is kept in the file: once one of them has set it, the others find it set. Retried for as
    long as the busy timeout, then raised.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
        else:
            return


class SqliteStore:
    """The batch's state in one SQLite file: the default, for one machine (or several processes on it).

    The file is in WAL mode and every state change is one transaction, committed before the side effect it
    announces, so a crash at any point loses nothing. ``synchronous=NORMAL`` keeps a committed change across a
    crash of the process; after a crash of the whole machine the last changes may be lost, which the
    deterministic ClientRequestToken makes harmless (a repeated Start gets the same job back).

    Args:
        path: The database file; created (with its directory) when missing.

    Raises:
        ValidationError: ``path`` is not a path.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if not isinstance(path, (str, os.PathLike)) or not str(path):
            raise ValidationError("path", "must be a file path", path)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection guarded by a lock: the batch driver is one thread, but progress callbacks may read.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        _use_wal(self._db)
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute(_SCHEMA)
        self._db.execute(_INDEX)

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def add(self, records: Iterable[ItemRecord]) -> int:
        """Create the records whose key is not stored yet, in one transaction; return how many were created."""
        now = time.time()
        rows = [_values(attrs.evolve(r, updated_at=now)) for r in records]
        placeholders = ", ".join("?" for _ in RECORD_FIELDS)
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(f"INSERT OR IGNORE INTO items ({_COLUMNS}) VALUES ({placeholders})", rows)  # noqa: S608 -- constant column names
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return self._db.total_changes - before

    def get(self, key: str) -> ItemRecord | None:
        """Return the stored record of ``key``, or ``None``."""
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM items WHERE key = ?", (key,)).fetchone()  # noqa: S608 -- constant column names
        return None if row is None else _record(row)

    def save(self, record: ItemRecord) -> ItemRecord:
        """Replace the stored record if its version is still ``record.version`` (one transaction).

        Raises:
            StoreConflictError: Another writer changed it first, or the item is unknown.
        """
        stored = attrs.evolve(record, version=record.version + 1, updated_at=time.time())
        with self._lock:
            cursor = self._update(stored, record.version)
        if cursor.rowcount != 1:
            raise StoreConflictError(record.key)
        return stored

    def take(self, record: ItemRecord, *, max_jobs: int) -> ItemRecord | None:
        """Save ``record`` if fewer than ``max_jobs`` other items are starting or running; else ``None``.

        The count (on an index of the state) and the write are one ``BEGIN IMMEDIATE`` transaction, so workers
        sharing the file never go past ``max_jobs`` together, however they interleave.

        Raises:
            StoreConflictError: Another writer changed it first, or the item is unknown.
        """
        stored = attrs.evolve(record, version=record.version + 1, updated_at=time.time())
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                (busy,) = self._db.execute(
                    f"SELECT COUNT(*) FROM items WHERE {_IN_PROGRESS} AND key != ?",  # noqa: S608 -- constant
                    (record.key,),
                ).fetchone()
                changed = 0 if busy >= max_jobs else self._update(stored, record.version).rowcount
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        if busy >= max_jobs:
            return None
        if changed != 1:
            raise StoreConflictError(record.key)
        return stored

    def _update(self, stored: ItemRecord, version: int) -> sqlite3.Cursor:
        values = _values(stored)
        assignments = ", ".join(f"{name} = ?" for name in RECORD_FIELDS[1:])
        return self._db.execute(
            f"UPDATE items SET {assignments} WHERE key = ? AND version = ?",  # noqa: S608 -- constant names
            (*values[1:], stored.key, version),
        )

    def records(self, *, unfinished: bool = False) -> Iterator[ItemRecord]:
        """Yield the records, in key order (only unfinished ones with ``unfinished``)."""
        where = f" WHERE {_UNFINISHED}" if unfinished else ""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM items{where} ORDER BY key").fetchall()  # noqa: S608 -- constant column names
        return iter([_record(row) for row in rows])

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _values(record: ItemRecord) -> tuple[Any, ...]:
    row = record_to_row(record)
    return tuple(row[name] for name in RECORD_FIELDS)


def _record(row: tuple[Any, ...]) -> ItemRecord:
    return record_from_row(dict(zip(RECORD_FIELDS, row, strict=True)))
