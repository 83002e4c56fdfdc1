"""The fast response path for aiobotocore: `rekseg._fastparse` for the clients `AsyncClient` builds.

aiobotocore's parsers are botocore's with an ``async`` parse. This factory makes its JSON parser hand a successful
GetSegmentDetection body back as decoded (the same `rekseg._fastparse.fast_parse` step as the sync path) and
leaves every other answer, error and protocol to aiobotocore. Imported only when a client is built, because it
subclasses aiobotocore's classes.
"""

from __future__ import annotations

from typing import Any

import botocore.model
from aiobotocore.parsers import AioJSONParser, AioResponseParserFactory

from .._fastparse import fast_parse

__all__ = ["AioFastResponseParserFactory"]


class _AioFastJSONParser(AioJSONParser):  # type: ignore[misc]  # aiobotocore ships no type hints
    """aiobotocore's JSON parser, returning GetSegmentDetection's decoded body without walking its shape."""

    async def _do_parse(self, response: dict[str, Any], shape: botocore.model.Shape | None) -> Any:
        parsed = fast_parse(self, response, shape)
        return parsed if parsed is not None else await super()._do_parse(response, shape)


class AioFastResponseParserFactory(AioResponseParserFactory):  # type: ignore[misc]
    """An aiobotocore parser factory whose JSON parser skips the shape walk for GetSegmentDetection."""

    def create_parser(self, protocol_name: str) -> Any:
        """Return the fast parser for ``json``, aiobotocore's own for the rest."""
        if protocol_name == "json":
            return _AioFastJSONParser(**getattr(self, "_defaults", {}))
        return super().create_parser(protocol_name)
