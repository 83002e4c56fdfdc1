"""Exit codes, and the one place where an exception becomes an exit code and a one-line message."""

from __future__ import annotations

import re
from typing import Final

from .._exceptions import (  # _shown: the one way a bad value is shown
    ConfigurationError,
    JobFailedError,
    JobInProgressError,
    RekSegError,
    ServiceError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
    _shown,
)

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CODES_HELP",
    "EXIT_CREDENTIALS",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_JOB_FAILED",
    "EXIT_OK",
    "EXIT_PROBLEM_FOUND",
    "EXIT_SERVICE",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "Fail",
    "describe",
]

EXIT_OK = 0
EXIT_ERROR = 1
"""Anything unexpected (a bug, or an environment problem rekseg cannot name)."""
EXIT_USAGE = 2
"""Bad arguments or bad input; nothing was sent and nothing written."""
EXIT_JOB_FAILED = 3
EXIT_TIMEOUT = 4
"""The job has not finished: a wait timed out, or ``get`` found it still running. It goes on running."""
EXIT_SERVICE = 5
"""The service or the network failed (throttled past the retry budget, access denied, unknown job...)."""
EXIT_CREDENTIALS = 6
"""No AWS credentials, region or profile."""
EXIT_PROBLEM_FOUND = 7
"""``rekseg doctor`` found a problem with the notification channel."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C)."""
EXIT_BROKEN_PIPE = 141
"""The reader of the output went away (``rekseg ... | head -1``): 128 + SIGPIPE, as ``cat`` ends."""

EXIT_CODES_HELP = (
    "exit codes: 0 ok, 1 unexpected error, 2 bad arguments or input, 3 job failed, "
    "4 job not finished (wait timed out, or still running), 5 service or network error, "
    "6 missing AWS credentials, region or profile, 7 doctor found a problem, 130 interrupted, "
    "141 output pipe closed"
)

# What the library names a parameter, and what the command line calls it.
_FLAGS: Final = {
    "ShotFilter.min_segment_confidence": "--shot-min-confidence",
    "TechnicalCueFilter.min_segment_confidence": "--cue-min-confidence",
    "BlackFrame.max_pixel_threshold": "--black-max-pixel-threshold",
    "BlackFrame.min_coverage_percentage": "--black-min-coverage",
    "technical_cue_filter": "--cue-min-confidence / --black-*",
    "segment_types": "--types",
    "job_tag": "--job-tag",
    "client_request_token": "--client-request-token",
    "video": "VIDEO",
    "job_id": "JOB",
    "timeout": "--timeout",
    "frame_rate": "--frame-rate",
    "Segment.frame_rate": "--frame-rate",
    "events": "--events",
    "start_timecode": "--start-timecode",
    "reel": "--reel",
    "title": "--title",
    "region_name": "--region",
    "profile_name": "--profile",
    "endpoint_url": "--endpoint-url",
}
_SPELLINGS: Final = (
    (re.compile(r"\bTECHNICAL_CUE\b"), "technical-cue"),
    (re.compile(r"\bSHOT\b"), "shot"),
    (re.compile(r"\btechnical_cues\b"), "technical-cues"),
    (re.compile(r"\bregion_name="), "--region"),
    (re.compile(r"\bprofile_name="), "--profile"),
    (re.compile(r"\bendpoint_url="), "--endpoint-url"),
    (re.compile(r"\S*with_frame_rate\(rate\)[^;]*"), "--frame-rate RATE"),
    (re.compile(r" for the (\w+) format"), r" to --format \1"),
    (re.compile(r"ShotFilter\.min_segment_confidence"), "--shot-min-confidence"),
)


def cli_words(text: str) -> str:
    """Say a library message in the command line's words: flags, not parameter names."""
    for pattern, words in _SPELLINGS:
        text = pattern.sub(words, text)
    return text


def _bad_input(exc: ValidationError) -> str:
    flag = _FLAGS.get(exc.field, exc.field)
    value = exc.value
    if exc.field == "segment_types" and isinstance(value, str):
        value = value.lower().replace("_", "-")
    shown = "" if value is None else f" (got {_shown(value)})"
    return f"bad input: {flag}: {cli_words(exc.rule)}{shown}"


class Fail(Exception):
    """Stop with a one-line message and an exit code."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def describe(exc: BaseException) -> tuple[int, str]:
    """Return the exit code and the one-line message for an exception that ended a command."""
    if isinstance(exc, Fail):
        return exc.code, str(exc)
    if isinstance(exc, ValidationError):
        return EXIT_USAGE, _bad_input(exc)
    if isinstance(exc, ConfigurationError):
        return EXIT_CREDENTIALS, cli_words(str(exc))
    if isinstance(exc, JobInProgressError):
        return EXIT_TIMEOUT, (
            f"job {exc.job_id} is still {exc.status}: its results are not ready yet; "
            f"run `rekseg wait {exc.job_id}` to wait for them (`rekseg status {exc.job_id}` to look)"
        )
    if isinstance(exc, JobFailedError):
        return EXIT_JOB_FAILED, f"{exc}; check the video is a supported format and readable by Rekognition"
    if isinstance(exc, WaitTimeoutError):
        return EXIT_TIMEOUT, f"{exc}; later, run `rekseg wait {exc.job_id}` or `rekseg get {exc.job_id}`"
    if isinstance(exc, ServiceError):
        return EXIT_SERVICE, f"service error: {exc}"
    if isinstance(exc, TransportError):
        return EXIT_SERVICE, f"network error: {exc}; check your connection or --endpoint-url"
    if isinstance(exc, RekSegError):
        return EXIT_ERROR, str(exc)
    if isinstance(exc, ImportError):
        return EXIT_ERROR, f"missing package: {exc}"
    return EXIT_ERROR, f"unexpected {type(exc).__name__}: {exc} (run again with --debug for a traceback)"
