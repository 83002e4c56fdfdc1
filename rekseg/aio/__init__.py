"""rekseg for asyncio: `AsyncClient` and `AsyncJob`, the twins of `rekseg.Client` and `rekseg.Job`.

Install the extra that brings aiobotocore: ``pip install 'rekseg[aio]'``. Both clients drive the same decisions
(what to send next, whether to retry, when a wait ends, what a page means); only the I/O differs.
"""

from ._client import AsyncClient, AsyncRekognitionAPI
from ._job import AsyncJob

__all__ = ["AsyncClient", "AsyncJob", "AsyncRekognitionAPI"]
