"""Exit codes, and the one place where an exception becomes an exit code and a one-line message."""

from __future__ import annotations

from .._exceptions import (
    ConfigurationError,
    JobFailedError,
    RekSegError,
    ServiceError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)

__all__ = [
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
EXIT_SERVICE = 5
"""The service or the network failed (throttled past the retry budget, access denied, unknown job...)."""
EXIT_CREDENTIALS = 6
"""No AWS credentials, region or profile."""
EXIT_PROBLEM_FOUND = 7
"""``rekseg doctor`` found a problem with the notification channel."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C)."""

EXIT_CODES_HELP = (
    "exit codes: 0 ok, 1 unexpected error, 2 bad arguments or input, 3 job failed, "
    "4 wait timed out, 5 service or network error, 6 missing AWS credentials, region or profile, "
    "7 doctor found a problem, 130 interrupted"
)


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
        return EXIT_USAGE, f"bad input: {exc}"
    if isinstance(exc, ConfigurationError):
        return EXIT_CREDENTIALS, str(exc)
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
