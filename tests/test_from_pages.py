"""SegmentDetectionResult.from_pages never passes a truncated result off as whole."""

from __future__ import annotations

import pytest

from rekseg import SegmentDetectionPage, SegmentDetectionResult, ValidationError
from rekseg.testing import SyntheticVideo


def _pages() -> list[SegmentDetectionPage]:
    """Three pages of a 25-shot result, tokens on all but the last, as the service sends them."""
    result = SyntheticVideo(shots=25, technical_cues=(), segment_types=("SHOT",), seed=5).result()
    pages = list(result.to_pages(page_size=10))
    return [
        SegmentDetectionPage.from_response({**page.to_response(), "NextToken": f"token-{n}"})
        if n < len(pages) - 1
        else page
        for n, page in enumerate(pages)
    ]


@pytest.mark.parametrize("given", ["model", "dict"])
def test_a_last_page_with_a_next_token_is_refused(given: str) -> None:
    """from_pages([page1]) raises ValidationError when page 1 still carries a NextToken: more pages follow."""
    first = _pages()[0]
    page = first if given == "model" else first.to_response()
    with pytest.raises(ValidationError) as info:
        SegmentDetectionResult.from_pages([page])
    assert info.value.field == "pages"
    assert info.value.value == "token-0"
    assert "allow_partial" in str(info.value)


def test_allow_partial_flags_the_result_and_keeps_the_token() -> None:
    """allow_partial=True accepts the pages and says so: has_more, next_token, and NextToken in to_response()."""
    pages = _pages()
    partial = SegmentDetectionResult.from_pages(pages[:2], allow_partial=True)
    assert partial.has_more
    assert partial.next_token == "token-1"
    assert len(partial.segments or ()) == 20
    assert partial.to_response()["NextToken"] == "token-1"
    assert partial.to_pages(page_size=100)[-1].next_token == "token-1"
    with pytest.raises(ValidationError, match="from_pages"):
        SegmentDetectionResult.from_response(partial.to_response())


def test_every_page_makes_a_whole_result() -> None:
    """All pages, the last without a token, merge into a whole result that says it has no more."""
    whole = SegmentDetectionResult.from_pages(_pages())
    assert not whole.has_more
    assert whole.next_token is None
    assert [s.shot_index for s in whole.segments or ()] == list(range(25))
    assert "NextToken" not in whole.to_response()
    assert SegmentDetectionResult.from_pages(_pages(), allow_partial=True) == whole
