"""`DynamoDBStore`: one batch shared by several workers on several machines, through DynamoDB.

Key schema (create it with `create_dynamodb_table`)::

    table           partition key "batch" (S), sort key "key" (S)    one item per video of a batch
    index open      partition key "open" (S),  sort key "key" (S)    sparse: only unfinished items carry "open"

Every write is a conditional ``PutItem``: creating requires that the item does not exist, replacing requires that
its ``version`` is still the one read. A worker takes an item by writing its lease (``owner``, ``lease_until``)
that way, so two workers can never both take the same item, and an expired lease is taken over the same way.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any, Final, Protocol, cast

import attrs
import botocore.config
import botocore.exceptions
import botocore.session

from .._exceptions import RekSegError, ValidationError
from .._translate import translate
from ._state import ItemRecord, ItemState
from ._store import RECORD_FIELDS, StoreConflictError, record_from_row, record_to_row

__all__ = ["OPEN_INDEX", "DynamoDBAPI", "DynamoDBStore", "create_dynamodb_table"]

OPEN_INDEX: Final = "open"
"""The sparse global secondary index of unfinished items."""
DEFAULT_BATCH: Final = "default"
_CONDITION_FAILED: Final = "ConditionalCheckFailedException"
_MAX_PAGES: Final = 100_000
"""Query pages read at most in one listing (1 MB each): a bound, not a limit anyone reaches."""
_TABLE_WAIT_SECONDS: Final = 300
_RETRIES: Final = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 5})


class DynamoDBAPI(Protocol):
    """The calls of a botocore or boto3 ``dynamodb`` client that rekseg makes."""

    def put_item(self, **params: Any) -> dict[str, Any]:
        """Create or replace one item, conditionally."""

    def get_item(self, **params: Any) -> dict[str, Any]:
        """Read one item."""

    def query(self, **params: Any) -> dict[str, Any]:
        """Read a page of items by partition key."""


def _client(region_name: str | None, endpoint_url: str | None, profile_name: str | None) -> Any:
    session = botocore.session.Session(profile=profile_name)
    try:
        return session.create_client("dynamodb", region_name=region_name, endpoint_url=endpoint_url, config=_RETRIES)
    except botocore.exceptions.BotoCoreError as exc:
        raise translate(exc, operation="CreateClient") from exc


def _check_client_args(client: object, **building: object) -> None:
    given = [name for name, value in building.items() if value is not None]
    if client is not None and given:
        raise ValidationError(
            "dynamodb_client",
            "cannot be combined with region_name=, endpoint_url= or profile_name= (configure the client you pass)",
            tuple(given),
        )


def create_dynamodb_table(
    table_name: str,
    *,
    dynamodb_client: DynamoDBAPI | None = None,
    region_name: str | None = None,
    endpoint_url: str | None = None,
    profile_name: str | None = None,
    wait: bool = True,
) -> bool:
    """Create the table `DynamoDBStore` uses (on-demand billing), unless it exists; return whether it was created.

    Args:
        table_name: The table's name.
        dynamodb_client: An existing botocore or boto3 ``dynamodb`` client.
        region_name: AWS region, when rekseg builds the client.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. a moto server or DynamoDB Local).
        profile_name: Named AWS profile, when rekseg builds the client.
        wait: Wait (at most 5 minutes) until the table is ACTIVE.

    Raises:
        ValidationError: Bad arguments.
        ServiceError: DynamoDB refused the call.
    """
    if not isinstance(table_name, str) or not 3 <= len(table_name) <= 255:
        raise ValidationError("table_name", "must be a DynamoDB table name of 3 to 255 characters", table_name)
    _check_client_args(dynamodb_client, region_name=region_name, endpoint_url=endpoint_url, profile_name=profile_name)
    client: Any = dynamodb_client or _client(region_name, endpoint_url, profile_name)
    string = "S"
    try:
        client.create_table(
            TableName=table_name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "batch", "AttributeType": string},
                {"AttributeName": "key", "AttributeType": string},
                {"AttributeName": "open", "AttributeType": string},
            ],
            KeySchema=[{"AttributeName": "batch", "KeyType": "HASH"}, {"AttributeName": "key", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": OPEN_INDEX,
                    "KeySchema": [
                        {"AttributeName": "open", "KeyType": "HASH"},
                        {"AttributeName": "key", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        created = True
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise translate(exc, operation="DynamoDB.CreateTable") from exc
        created = False
    if wait:
        client.get_waiter("table_exists").wait(
            TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": _TABLE_WAIT_SECONDS}
        )
    return created


def _marshal(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value)}
    return {"S": str(value)}


def _unmarshal(value: dict[str, Any]) -> Any:
    if "BOOL" in value:
        return bool(value["BOOL"])
    if "N" in value:
        text = str(value["N"])
        return float(text) if any(c in text for c in ".eE") else int(text)
    if "NULL" in value:
        return None
    return value.get("S")


class DynamoDBStore:
    """The batch's state in a DynamoDB table, for several workers on several machines sharing one batch.

    Workers take items with conditional writes and hold them by leases that expire: no two workers start the
    same video, and the items of a worker that died are taken over once its lease ends. Create the table once
    with `create_dynamodb_table`; several batches can share it under different ``batch`` names.

    Args:
        table_name: The table.
        batch: The batch's name inside the table (its partition key).
        dynamodb_client: An existing botocore or boto3 ``dynamodb`` client.
        region_name: AWS region, when rekseg builds the client.
        endpoint_url: Endpoint, when rekseg builds the client (e.g. a moto server or DynamoDB Local).
        profile_name: Named AWS profile, when rekseg builds the client.

    Raises:
        ValidationError: Bad arguments.
    """

    def __init__(
        self,
        table_name: str,
        *,
        batch: str = DEFAULT_BATCH,
        dynamodb_client: DynamoDBAPI | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
    ) -> None:
        if not isinstance(table_name, str) or not 3 <= len(table_name) <= 255:
            raise ValidationError("table_name", "must be a DynamoDB table name of 3 to 255 characters", table_name)
        if not isinstance(batch, str) or not 1 <= len(batch) <= 1024:
            raise ValidationError("batch", "must be a name of 1 to 1024 characters", batch)
        _check_client_args(
            dynamodb_client, region_name=region_name, endpoint_url=endpoint_url, profile_name=profile_name
        )
        self.table_name = table_name
        self.batch = batch
        self._client: DynamoDBAPI = dynamodb_client or cast(
            "DynamoDBAPI", _client(region_name, endpoint_url, profile_name)
        )

    def __repr__(self) -> str:
        return f"DynamoDBStore({self.table_name!r}, batch={self.batch!r})"

    def _item(self, record: ItemRecord) -> dict[str, Any]:
        item = {name: _marshal(value) for name, value in record_to_row(record).items() if value is not None}
        item["batch"] = {"S": self.batch}
        if not record.finished:
            item["open"] = {"S": self.batch}
        return item

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        method = getattr(self._client, _METHODS[operation])
        try:
            return cast("dict[str, Any]", method(TableName=self.table_name, **params))
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == _CONDITION_FAILED:
                raise
            raise translate(exc, operation=f"DynamoDB.{operation}") from exc
        except RekSegError:
            raise
        except Exception as exc:
            raise translate(exc, operation=f"DynamoDB.{operation}") from exc

    def add(self, records: Iterable[ItemRecord]) -> int:
        """Create the records whose key is not stored yet (one conditional write each); return how many."""
        created = 0
        now = time.time()
        for record in records:
            try:
                self._call(
                    "PutItem",
                    Item=self._item(attrs.evolve(record, updated_at=now)),
                    ConditionExpression="attribute_not_exists(#k)",
                    ExpressionAttributeNames={"#k": "key"},
                )
            except botocore.exceptions.ClientError:
                continue
            created += 1
        return created

    def get(self, key: str) -> ItemRecord | None:
        """Return the stored record of ``key`` (a strongly consistent read), or ``None``."""
        answer = self._call("GetItem", Key={"batch": {"S": self.batch}, "key": {"S": key}}, ConsistentRead=True)
        item = answer.get("Item")
        return None if item is None else self._record(item)

    def save(self, record: ItemRecord) -> ItemRecord:
        """Replace the stored record if its version is still ``record.version`` (a conditional write).

        Raises:
            StoreConflictError: Another worker changed it first, or the item is unknown.
        """
        stored = attrs.evolve(record, version=record.version + 1, updated_at=time.time())
        try:
            self._call(
                "PutItem",
                Item=self._item(stored),
                ConditionExpression="#v = :v",
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={":v": _marshal(record.version)},
            )
        except botocore.exceptions.ClientError as exc:
            raise StoreConflictError(record.key) from exc
        return stored

    def take(self, record: ItemRecord, *, max_jobs: int) -> ItemRecord | None:
        """Save ``record`` if fewer than ``max_jobs`` other items look starting or running; else ``None``.

        The count is a Query of the ``open`` index, read before the conditional write and not in one transaction
        with it, and the index is eventually consistent: workers claiming at the same moment (within the index's
        lag, usually under a second) can together go past ``max_jobs`` by what they claimed in that moment. One
        worker alone never does, and LimitExceeded makes any excess wait, never fail.

        Raises:
            StoreConflictError: Another worker changed it first, or the item is unknown.
        """
        if self._in_progress(excluding=record.key) >= max_jobs:
            return None
        return self.save(record)

    def _in_progress(self, *, excluding: str) -> int:
        params: dict[str, Any] = {
            "IndexName": OPEN_INDEX,
            "KeyConditionExpression": "#p = :p",
            "FilterExpression": "#s IN (:starting, :running) AND #k <> :key",
            "ExpressionAttributeNames": {"#p": "open", "#s": "state", "#k": "key"},
            "ExpressionAttributeValues": {
                ":p": {"S": self.batch},
                ":starting": {"S": ItemState.STARTING.value},
                ":running": {"S": ItemState.RUNNING.value},
                ":key": {"S": excluding},
            },
            "Select": "COUNT",
        }
        count = 0
        for _ in range(_MAX_PAGES):
            answer = self._call("Query", **params)
            count += int(answer.get("Count", 0))
            last = answer.get("LastEvaluatedKey")
            if not last:
                break
            params["ExclusiveStartKey"] = last
        return count

    def records(self, *, unfinished: bool = False) -> Iterator[ItemRecord]:
        """Yield the batch's records in key order; ``unfinished`` reads the sparse index (eventually consistent)."""
        params: dict[str, Any] = {"ExpressionAttributeNames": {"#p": "open" if unfinished else "batch"}}
        params["ExpressionAttributeValues"] = {":p": {"S": self.batch}}
        params["KeyConditionExpression"] = "#p = :p"
        if unfinished:
            params["IndexName"] = OPEN_INDEX
        else:
            params["ConsistentRead"] = True
        found: list[ItemRecord] = []
        for _ in range(_MAX_PAGES):
            answer = self._call("Query", **params)
            found.extend(self._record(item) for item in answer.get("Items", []))
            last = answer.get("LastEvaluatedKey")
            if not last:
                break
            params["ExclusiveStartKey"] = last
        return iter(found)

    def close(self) -> None:
        """Close the client's pooled connections."""
        close = getattr(self._client, "close", None)
        if callable(close):
            close()

    @staticmethod
    def _record(item: dict[str, Any]) -> ItemRecord:
        return record_from_row({name: _unmarshal(item[name]) for name in RECORD_FIELDS if name in item})


_METHODS: Final = {"PutItem": "put_item", "GetItem": "get_item", "Query": "query"}
