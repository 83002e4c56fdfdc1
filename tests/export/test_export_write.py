"""`rekseg.export.write` and the data formats: JSON, JSON Lines and CSV, which read back to the same segments."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rekseg import Segment, SegmentDetectionResult, SegmentType, ShotSegment, ValidationError, export
from rekseg.testing import synthetic_result

RESULT = synthetic_result(shots=30, seed=11)


def test_formats_are_the_documented_names() -> None:
    """FORMATS lists every format `write` takes, in a fixed order."""
    assert export.FORMATS == ("json", "jsonl", "csv", "edl", "vtt", "ffmetadata", "otio")


def test_unknown_format_names_the_valid_ones() -> None:
    """An unknown format raises ValidationError on ``format``, listing the valid names."""
    with pytest.raises(ValidationError, match="json, jsonl, csv, edl, vtt, ffmetadata, otio") as info:
        export.write(RESULT, "xml", io.StringIO())
    assert info.value.field == "format"


def test_events_are_validated_for_every_format() -> None:
    """A bad ``events`` value raises, even for a format that does not use it."""
    for fmt in ("edl", "json"):
        with pytest.raises(ValidationError, match="shots, technical_cues") as info:
            export.write(RESULT, fmt, io.StringIO(), events="cues")
        assert info.value.field == "events"


@pytest.mark.parametrize(
    ("fmt", "option", "value"),
    [
        ("json", "events", "technical_cues"),
        ("csv", "title", "x"),
        ("vtt", "reel", "B"),
        ("otio", "events", "technical_cues"),
    ],
)
def test_options_a_format_does_not_use_are_refused(fmt: str, option: str, value: str) -> None:
    """Giving an option to a format that ignores it raises instead of silently doing nothing."""
    out = io.StringIO()
    with pytest.raises(ValidationError, match=f"does not apply to the {fmt} format") as info:
        export.write(RESULT, fmt, out, **{option: value})
    assert info.value.field == option
    assert out.getvalue() == ""


def test_formats_needing_a_result_refuse_bare_segments() -> None:
    """EDL (and the other timeline formats) need the whole result, not an iterable of segments."""
    with pytest.raises(ValidationError, match="must be a SegmentDetectionResult for the edl format"):
        export.write(list(RESULT.shots), "edl", io.StringIO())


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_path_and_stream_get_the_same_text(fmt: str, tmp_path: Path) -> None:
    """Writing to a path (str or Path) or to an open stream gives the same bytes; the stream stays open."""
    stream = io.StringIO()
    export.write(RESULT, fmt, stream)
    assert not stream.closed
    export.write(RESULT, fmt, tmp_path / "a")
    export.write(RESULT, fmt, str(tmp_path / "b"))
    text = stream.getvalue()
    assert text
    assert (tmp_path / "a").read_text(encoding="utf-8") == text
    assert (tmp_path / "b").read_text(encoding="utf-8") == text


def test_bad_destination_is_refused() -> None:
    """A destination that is neither a path nor a writable stream raises ValidationError."""
    with pytest.raises(ValidationError, match="destination"):
        export.write(RESULT, "json", 42)  # type: ignore[arg-type]


def test_importing_rekseg_does_not_import_opentimelineio() -> None:
    """OpenTimelineIO is an optional extra: importing rekseg and rekseg.export leaves it unimported."""
    code = (
        "import sys, rekseg, rekseg.export, rekseg.analysis\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('opentimelineio', 'otio_cmx3600_adapter')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_missing_opentimelineio_says_what_to_install() -> None:
    """Without OpenTimelineIO the otio format fails with the pip command to run."""
    code = (
        "import io, sys\n"
        "sys.modules['opentimelineio'] = None\n"
        "from rekseg import export\n"
        "from rekseg.testing import synthetic_result\n"
        "try:\n"
        "    export.write(synthetic_result(shots=3), 'otio', io.StringIO())\n"
        "except ModuleNotFoundError as exc:\n"
        "    print(exc.name, '|', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "opentimelineio | OpenTimelineIO export needs the optional extra: pip install 'rekseg[otio]'"


# -- JSON ------------------------------------------------------------------------------------------------------


def test_json_is_the_service_response() -> None:
    """JSON is the GetSegmentDetection response shape and reads back to an equal result."""
    out = io.StringIO()
    export.write_json(RESULT, out)
    data = json.loads(out.getvalue())
    assert data == RESULT.to_response()
    assert SegmentDetectionResult.from_response(data) == RESULT


# -- JSON Lines ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "drop"), [("24000/1001", False), (25, False), ("30000/1001", True), ("60000/1001", True)]
)
def test_jsonl_round_trips(rate: str | int, drop: bool, tmp_path: Path) -> None:
    """Each line is one segment in the service's shape; reading them back gives equal segments."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, shots=25, seed=3)
    path = tmp_path / "segments.jsonl"
    export.write(result, "jsonl", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == result.to_response()["Segments"]
    assert list(export.read_jsonl(path, frame_rate=result.frame_rate)) == list(result.segments or ())


def test_jsonl_streams_segments_as_they_arrive() -> None:
    """Each segment is on the stream before the next one is asked for: nothing is held back."""
    out = io.StringIO()
    segments = RESULT.segments or ()

    def produce() -> Iterator[Segment]:
        for i, segment in enumerate(segments):
            assert out.getvalue().count("\n") == i
            yield segment

    export.write(produce(), "jsonl", out)
    assert out.getvalue().count("\n") == len(segments)


def test_jsonl_reader_skips_blank_lines_and_names_bad_ones() -> None:
    """Blank lines are skipped; a line that is not a JSON object raises with its line number."""
    first = json.dumps(RESULT.shots[0].to_response())
    assert list(export.read_jsonl(io.StringIO(f"\n{first}\n\n"))) == [RESULT.shots[0].with_frame_rate(None)]
    with pytest.raises(ValidationError, match="line 2"):
        list(export.read_jsonl(io.StringIO(f"{first}\n{{oops\n")))
    with pytest.raises(ValidationError, match="line 1: must be a JSON object"):
        list(export.read_jsonl(io.StringIO("[1, 2]\n")))


# -- CSV -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "drop"), [("24000/1001", False), (24, False), ("30000/1001", True), ("30000/1001", False)]
)
def test_csv_round_trips(rate: str | int, drop: bool, tmp_path: Path) -> None:
    """Every row reads back to an equal segment; frame_count is the true frame count."""
    result = synthetic_result(frame_rate=rate, drop_frame=drop, shots=25, seed=5)
    path = tmp_path / "segments.csv"
    export.write(result, "csv", path)
    text = path.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    assert tuple(header.split(",")) == export.CSV_COLUMNS
    assert len(rows) == len(result.segments or ())
    assert [int(row.rsplit(",", 1)[1]) for row in rows] == [s.frame_count for s in result.segments or ()]
    assert list(export.read_csv(path, frame_rate=rate)) == list(result.segments or ())


def test_csv_keeps_absent_values_absent() -> None:
    """A segment from an older response (no frame numbers, no SMPTE) reads back with the same gaps."""
    old = Segment(
        type=SegmentType.SHOT,
        start_timestamp_millis=0,
        end_timestamp_millis=1000,
        duration_millis=1000,
        shot_segment=ShotSegment(index=0, confidence=99.25),
    )
    out = io.StringIO()
    export.write_csv([old], out)
    assert out.getvalue().splitlines()[1] == "SHOT,,0,99.25,0,1000,1000,,,,,,,"
    assert list(export.read_csv(io.StringIO(out.getvalue()))) == [old]


def test_csv_reads_back_a_segment_sent_without_its_detail_without_one() -> None:
    """Segments sent without ShotSegment or TechnicalCueSegment read back without one, not with an empty one."""
    sent = SegmentDetectionResult.from_response(
        {
            "JobStatus": "SUCCEEDED",
            "VideoMetadata": [{"FrameRate": 25.0}],
            "Segments": [
                {"Type": "TECHNICAL_CUE", "StartTimestampMillis": 0, "EndTimestampMillis": 40},
                {"Type": "TECHNICAL_CUE", "TechnicalCueSegment": {"Type": "NewCue", "Confidence": 88.5}},
                {"Type": "TECHNICAL_CUE", "TechnicalCueSegment": {"Confidence": 60.5}},
                {"Type": "SHOT", "StartTimecodeSMPTE": "00:00:00:00", "EndTimecodeSMPTE": "00:00:01:00"},
                {"Type": "SHOT", "ShotSegment": {"Confidence": 70.25}},
                {"Type": "SHOT", "ShotSegment": {"Index": 1}},
                {"Type": "NEW_KIND", "StartFrameNumber": 3, "EndFrameNumber": 4},
            ],
        }
    )
    out = io.StringIO()
    export.write_csv(sent, out)
    back = list(export.read_csv(io.StringIO(out.getvalue()), frame_rate=25))
    assert [s.to_response() for s in back] == [s.to_response() for s in sent.segments or ()]


def test_csv_of_a_result_that_cannot_be_written_writes_nothing(tmp_path: Path) -> None:
    """A whole result is checked before the file is opened: a label its rate lacks leaves no half-written CSV."""
    bad = SegmentDetectionResult.from_response(
        {
            "JobStatus": "SUCCEEDED",
            "VideoMetadata": [{"FrameRate": 25.0}],
            "Segments": [
                {"Type": "SHOT", "StartTimecodeSMPTE": "00:00:00:00", "EndTimecodeSMPTE": "00:00:01:00"},
                {"Type": "SHOT", "StartTimecodeSMPTE": "00:00:01:01", "EndTimecodeSMPTE": "00:00:01:99"},
            ],
        }
    )
    path = tmp_path / "segments.csv"
    with pytest.raises(ValidationError, match="frames must be below 25"):
        export.write_csv(bad, path)
    assert not path.exists()


def test_csv_reader_names_bad_cells_and_missing_columns() -> None:
    """A non-number where a number belongs, or a missing column, raises ValidationError saying where."""
    out = io.StringIO()
    export.write_csv(RESULT.shots[:1], out)
    header, row = out.getvalue().splitlines()
    bad = row.replace(",0,", ",zero,", 1)
    with pytest.raises(ValidationError, match="line 2 shot_index: must be a number"):
        list(export.read_csv(io.StringIO(f"{header}\n{bad}\n")))
    with pytest.raises(ValidationError, match="start_ms"):
        list(export.read_csv(io.StringIO("type,cue_type\nSHOT,\n")))
