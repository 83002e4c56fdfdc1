"""The fast response path: a botocore parser factory that hands a successful GetSegmentDetection body back as decoded.

botocore parses every JSON answer by walking the operation's output shape member by member, to turn
timestamps and blobs into Python types. GetSegmentDetection's output has none (only strings, numbers, lists and
objects), so the decoded JSON already is the parsed response, and the walk is about half of a client's time per
page. `FastResponseParserFactory` makes botocore's own JSON parser skip that walk for exactly one case: a
successful (2xx) answer whose output shape is GetSegmentDetection's and whose body decodes to a JSON object.
Everything else takes botocore's own path unchanged: error answers, ``ResponseMetadata`` (request id, status,
headers), every other operation and protocol, and a body that is not an object (garbled, truncated, hostile).

What differs from botocore's dict: keys botocore's model does not know and members sent as ``null`` stay in the
dict. rekseg's codecs ignore unknown keys and read ``null`` as absent, so the models are the same (a property
test checks it); a caller reading the raw dicts of a botocore client built this way sees them as sent.

It is registered as the ``response_parser_factory`` component of the botocore session rekseg builds its client
from: a documented botocore extension point, no patching of botocore internals.
"""

from __future__ import annotations

import json
from typing import Any, Final

import botocore.model
import botocore.parsers
import botocore.session

__all__ = ["FastResponseParserFactory", "fast_parse", "install_fast_parser"]

_FAST_SHAPE: Final = "GetSegmentDetectionResponse"
"""The output shape whose successful answers skip botocore's shape walk."""
_COMPONENT: Final = "response_parser_factory"


def fast_parse(
    parser: botocore.parsers.ResponseParser, response: dict[str, Any], shape: botocore.model.Shape | None
) -> dict[str, Any] | None:
    """Return a successful GetSegmentDetection answer as decoded, or ``None`` for botocore's own parse.

    ``parser`` is the botocore (or aiobotocore) JSON parser whose ``_do_parse`` calls this: only non-error
    answers reach it; errors go through botocore's own error parsing.
    """
    if shape is None or shape.name != _FAST_SHAPE:
        return None
    try:
        parsed = json.loads(response["body"].decode(parser.DEFAULT_ENCODING))
    except (ValueError, AttributeError):
        # Not JSON (garbled, truncated, not UTF-8, no body): botocore decides what that parses to.
        return None
    if type(parsed) is not dict:
        return None
    # A body cannot smuggle in metadata: botocore's walk would have dropped such a key too. The protected hook is
    # botocore's own (botocore-stubs leave it out).
    parsed.pop("ResponseMetadata", None)
    parser._inject_response_metadata(parsed, response["headers"])  # type: ignore[attr-defined]
    return parsed


class _FastJSONParser(botocore.parsers.JSONParser):
    """botocore's JSON parser, returning GetSegmentDetection's decoded body without walking its shape."""

    def _do_parse(self, response: dict[str, Any], shape: botocore.model.Shape | None) -> Any:
        parsed = fast_parse(self, response, shape)
        return parsed if parsed is not None else super()._do_parse(response, shape)  # type: ignore[misc]


class FastResponseParserFactory(botocore.parsers.ResponseParserFactory):
    """A botocore ``ResponseParserFactory`` whose JSON parser skips the shape walk for GetSegmentDetection.

    Every other protocol, operation and error answer is parsed by botocore's own parsers.
    """

    def create_parser(self, protocol_name: str) -> botocore.parsers.ResponseParser:
        """Return the parser for ``protocol_name``: the fast one for ``json``, botocore's own for the rest."""
        if protocol_name == "json":
            # The defaults (timestamp and blob parsers) botocore's own JSON parser would be built with.
            return _FastJSONParser(**getattr(self, "_defaults", {}))
        return super().create_parser(protocol_name)


def install_fast_parser(session: botocore.session.Session) -> bool:
    """Make clients that ``session`` creates from now on parse GetSegmentDetection answers the fast way.

    Registers a `FastResponseParserFactory` as the session's ``response_parser_factory`` component, when the
    session still has botocore's own factory. A factory of another kind (one you registered) is left in place,
    and clients keep using it.

    Returns:
        Whether the session's clients now take the fast path.
    """
    current = session.get_component(_COMPONENT)
    if isinstance(current, FastResponseParserFactory):
        return True
    if type(current) is not botocore.parsers.ResponseParserFactory:
        return False
    fast = FastResponseParserFactory()
    # Keep whatever defaults (timestamp or blob parsers) were set on the factory being replaced.
    fast.set_parser_defaults(**getattr(current, "_defaults", {}))
    session.register_component(_COMPONENT, fast)
    return True
