"""Load evaluation ``summary.json`` files into one flat table with provenance columns."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from cellbench.errors import InputError


def read_summary(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(path, f"not a readable evaluation summary ({exc})") from exc


def summary_row(summary: dict[str, Any], group: str | None = None) -> dict[str, Any]:
    """One flat row: identity, metrics (overall or of one group) and provenance."""
    metrics = summary["metrics"] if group is None else summary["groups"][group]
    prov = summary.get("provenance", {})
    prediction = (summary.get("prediction_provenance") or {}).get("provenance", {})
    return {
        "method": summary["method"],
        "dataset": summary["dataset"],
        "run": summary["run"],
        "group": "all" if group is None else group,
        **metrics,
        "config_hash": prov.get("config_hash"),
        "seed": prov.get("seed"),
        "git_commit": prov.get("git_commit"),
        "host": prediction.get("host", prov.get("host")),
        "device": prediction.get("device", prov.get("device")),
        "dataset_incomplete": "; ".join(summary.get("dataset_incomplete") or []) or None,
    }


def load_summaries(paths: Iterable[str | Path], *, by_group: bool = False) -> pd.DataFrame:
    """Rows of every summary (and, with ``by_group``, one more row per group)."""
    rows = []
    for path in paths:
        summary = read_summary(path)
        rows.append(summary_row(summary))
        if by_group:
            rows.extend(summary_row(summary, group) for group in summary.get("groups", {}))
    if not rows:
        raise ValueError("no evaluation summaries given")
    return pd.DataFrame(rows)
