"""``cellbench info``: versions, compute device and methods."""

from __future__ import annotations

import argparse
import json

from cellbench.methods.registry import METHODS
from cellbench.provenance import provenance


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "info",
        help="show versions, compute device and available methods",
        description="Print the provenance record cellbench attaches to results, and the methods.",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    record = {**provenance(), "methods": sorted(METHODS)}
    if args.json:
        print(json.dumps(record, indent=2))
        return 0
    for key in ("git_commit", "host", "platform", "device"):
        print(f"{key:>10}: {record[key]}")
    for name, version in record["packages"].items():
        print(f"{name:>14} {version}")
    print(f"   methods: {', '.join(record['methods'])}")
    return 0
