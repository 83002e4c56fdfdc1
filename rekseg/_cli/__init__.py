"""The ``rekseg`` command line: a table of commands, each in its own module, and the entry point.

Each command module has ``register(subparsers, common)``, which adds its parser(s) and sets ``handler`` (a
function of the parsed arguments returning the exit code). Shared option groups live in `options`, output in
`output`, exit codes and the exception -> exit code mapping in `exits`. Adding a command is one new module and
one line in `_COMMANDS`.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from .. import __version__
from . import batch, doctor, emulator, export, jobs, markers
from .exits import (
    EXIT_BROKEN_PIPE,
    EXIT_CODES_HELP,
    EXIT_CREDENTIALS,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_JOB_FAILED,
    EXIT_OK,
    EXIT_SERVICE,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    describe,
)
from .options import Parser, check_destination, check_export_options

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CREDENTIALS",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_JOB_FAILED",
    "EXIT_OK",
    "EXIT_SERVICE",
    "EXIT_TIMEOUT",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

_COMMANDS = (jobs, export, markers, emulator, batch, doctor)
"""The command modules, in the order ``rekseg --help`` lists them."""


def build_parser() -> Parser:
    """Build the ``rekseg`` argument parser from the command table."""
    common = Parser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    common.add_argument(
        "--debug",
        action="store_true",
        help="show tracebacks and rekseg's debug log (not botocore's, which holds your credentials)",
    )

    parser = Parser(
        prog="rekseg",
        description="Amazon Rekognition Video segment detection from the shell. Try `rekseg demo` first: "
        "it runs on the built-in emulator, no AWS account needed.",
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"rekseg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for command in _COMMANDS:
        command.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rekseg`` command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.debug:
        # Only rekseg's own logger goes to DEBUG: botocore's debug log prints the access key id and the session
        # token of every request. Other loggers keep WARNING; see docs/errors.md#logging for botocore's own.
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("rekseg").setLevel(logging.DEBUG)
    try:
        # Whatever can be refused is refused before a job is started (billed) or a result fetched.
        if getattr(args, "output", None):
            check_destination(args.output)
        if hasattr(args, "events"):
            check_export_options(args)
        code: int = args.handler(args)
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head -1`): end quietly, as `cat` does, and keep Python's exit-time flush
        # of stdout from raising the same error again.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if args.debug:
            raise
        code, message = describe(exc)
        _say(message)
        return code
    return code


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"rekseg: {message}\n")
        sys.stderr.flush()
    except BrokenPipeError:
        pass


def _silence_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return  # not a real file (tests capture it): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
