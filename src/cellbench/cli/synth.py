"""``cellbench synth``: generate one dataset of the embedded synthetic suite."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from cellbench.data.synth import DOMAINS, SIZES, generate


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="generate a synthetic dataset (dsb, ctc, tissuenet, histo, marrow, leaves)",
        description=(
            "Write the synthetic dataset synth-<domain> in the prepared layout "
            "(images/, labels/, index.tsv, dataset.json). Output is bit-identical for the same "
            "seed and size on any machine."
        ),
    )
    parser.add_argument("domain", choices=DOMAINS, help="which dataset to generate")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help=(
            "dataset directory to write (replaced atomically); an existing folder not written "
            "by cellbench is refused unless --overwrite"
        ),
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace --out even if it holds files cellbench did not write",
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument(
        "--size",
        choices=SIZES,
        default="default",
        help="tiny: a few small images (tests); default: the default benchmark suite",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = generate(args.domain, args.out, args.seed, args.size, overwrite=args.overwrite)
    logging.getLogger("cellbench").info(
        "wrote synth-%s (seed %d, %s) to %s", args.domain, args.seed, args.size, path
    )
    return 0
