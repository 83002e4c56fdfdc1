"""rekseg for asyncio: `AsyncClient`, `AsyncJob` and `AsyncSqsListener`, twins of the sync client's classes.

`AsyncClient` and `AsyncJob` mirror `rekseg.Client` and `rekseg.Job`; `AsyncSqsListener` mirrors
`rekseg.notifications.SqsListener`.

Install the extra that brings aiobotocore: ``pip install 'rekseg[aio]'``. Both clients drive the same decisions
(what to send next, whether to retry, when a wait ends, what a page means); only the I/O differs.
"""

from ._client import AsyncClient, AsyncRekognitionAPI
from ._job import AsyncJob
from ._sqs import AsyncListener, AsyncSqsAPI, AsyncSqsListener

__all__ = ["AsyncClient", "AsyncJob", "AsyncListener", "AsyncRekognitionAPI", "AsyncSqsAPI", "AsyncSqsListener"]
