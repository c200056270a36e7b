"""The overview table: every method on every dataset with the shared metrics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cellbench.tables.summaries import load_summaries
from cellbench.tables.write import mean_std, write_table

OVERVIEW_METRICS = {
    "f1": "F1@0.5",
    "seg": "SEG",
    "dsb_map": "DSB MAP",
    "sbd": "SBD",
    "abs_dic": "|DiC|",
    "dice": "Dice",
}


def overview_display(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std over runs per (dataset, method)."""
    rows = []
    for (dataset, method), frame in runs.groupby(["dataset", "method"], sort=True):
        row = {"dataset": dataset, "method": method, "runs": len(frame)}
        row.update({label: mean_std(frame[key]) for key, label in OVERVIEW_METRICS.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def overview_table(summaries: Sequence[str | Path], outputs: Sequence[str | Path]) -> pd.DataFrame:
    """Write the per-run CSV (with provenance) and the mean ± std Markdown/LaTeX tables."""
    runs = load_summaries(summaries).sort_values(["dataset", "method", "run"], ignore_index=True)
    write_table(
        runs,
        outputs,
        title="Every method on every dataset (shared evaluation)",
        display=overview_display(runs),
    )
    return runs
