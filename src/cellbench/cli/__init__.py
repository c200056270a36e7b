"""The ``cellbench`` command line; each subcommand lives in its own module here.

A subcommand module defines ``add_parser(subparsers)``, which registers its parser and
sets ``func`` to a ``run(args) -> int`` function.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from cellbench import __version__
from cellbench.errors import CellbenchError

SUBCOMMANDS = ("synth", "prepare", "evaluate", "segment", "info")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cellbench",
        description="Benchmark of annotation-free and label-efficient cell instance segmentation.",
    )
    parser.add_argument("--version", action="version", version=f"cellbench {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"cellbench.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # here, so that a closed pipe is handled below
        return status
    except CellbenchError as exc:
        print(f"cellbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. ``head``, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
