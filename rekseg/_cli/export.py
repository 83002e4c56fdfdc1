"""``rekseg export``: convert a saved result to another format, offline."""

from __future__ import annotations

import argparse
from typing import Any

from .exits import EXIT_OK
from .options import output_options, saved_result_options
from .output import load_result, write_result

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[Any], common: argparse.ArgumentParser) -> None:
    """Add ``rekseg export``."""
    p = sub.add_parser("export", parents=[common], help="convert a saved result (JSON) to another format, offline")
    saved_result_options(p)
    output_options(p)
    p.set_defaults(handler=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    write_result(args, load_result(args.result, args.frame_rate))
    return EXIT_OK
