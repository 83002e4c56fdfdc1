"""Building aiobotocore clients: the one place that imports aiobotocore, on first use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.config
import botocore.exceptions

from .._exceptions import ClientClosedError
from .._translate import translate

__all__ = ["enter_built", "make_builder"]

_EXTRA_HINT = "the async client needs the optional extra: pip install 'rekseg[aio]'"


def make_builder(
    region_name: str | None,
    endpoint_url: str | None,
    profile_name: str | None,
    config: botocore.config.Config,
    service: str = "rekognition",
) -> Callable[[], Any]:
    """Check the region and profile now, and return what builds the aiobotocore client (an async context)."""
    try:
        from aiobotocore.session import AioSession  # noqa: PLC0415 -- the optional aio extra, loaded on use
    except ImportError as exc:
        raise ModuleNotFoundError(_EXTRA_HINT, name="aiobotocore") from exc
    try:
        session = AioSession(profile=profile_name)
        if service == "rekognition":
            # Successful GetSegmentDetection answers skip the shape walk, as in the sync client.
            from ._fastparse import AioFastResponseParserFactory  # noqa: PLC0415 -- it subclasses aiobotocore's

            session.register_component("response_parser_factory", AioFastResponseParserFactory())
        session.get_scoped_config()  # raises ProfileNotFound now, as building a botocore client does
        region = region_name or session.get_config_variable("region")
    except botocore.exceptions.BotoCoreError as exc:
        raise translate(exc, operation="CreateClient") from exc
    if not region:
        no_region = botocore.exceptions.NoRegionError()
        raise translate(no_region, operation="CreateClient") from no_region

    def build() -> Any:
        return session.create_client(service, region_name=region, endpoint_url=endpoint_url, config=config)

    return build


async def enter_built(build: Callable[[], Any], *, closed: Callable[[], bool]) -> Any:
    """Build an aiobotocore client with ``build`` (from `make_builder`) and enter it; return it.

    Raises:
        RekSegError: aiobotocore could not build it (botocore's error, translated).
        ClientClosedError: The owner was closed while the client was being built (it is closed again at once).
    """
    try:
        built = await build().__aenter__()
    except botocore.exceptions.BotoCoreError as exc:
        raise translate(exc, operation="CreateClient") from exc
    if closed():  # closed while it was being built: close() had nothing to close yet
        await built.close()
        raise ClientClosedError
    return built
