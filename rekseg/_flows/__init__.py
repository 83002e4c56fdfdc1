"""Decisions without I/O: what to send next, whether to retry, how long to sleep.

Each flow is a plain generator, as httpx's ``Auth.auth_flow`` is: it *yields* a command (fetch this page, poll
the job before this deadline, sleep this long, hand this page to the caller) and *receives* the answer (a page,
or the exception the call raised, thrown into it). The flows import neither botocore nor ``time``: the sync
`Client` drives them with botocore and ``time.sleep``, and the async client drives the same generators with
aiobotocore and ``asyncio.sleep``. Their unit tests need no server.

- `paging.page_flow`: follow NextToken to the end; nothing lost, nothing repeated, no endless loop.
- `waiting.wait_flow`: poll a running job until it ends, within a deadline, failed looks included.
- `retrying.retry_settings`: whether and when one failed call is tried again, as tenacity settings that
  ``tenacity.Retrying`` and ``tenacity.AsyncRetrying`` both take.
"""
