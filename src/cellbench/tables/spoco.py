"""spoco (paper 004) Tables 1, 14/15 and 16 from evaluation summaries, beside the paper's numbers.

Our rows: mean ± sd over seeds of SBD and |DiC| per (training mode, clustering, foreground)
from the run names ``<mode>_s<seed>-<clustering>-<fg>fg``; clustering seconds per image from
the prediction directories' ``timings.json``; the otsu_watershed baseline row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cellbench.errors import InputError
from cellbench.io import atomic_path
from cellbench.methods.spoco.config import parse_run
from cellbench.tables.summaries import load_summaries
from cellbench.tables.write import mean_std, to_markdown, write_table

RUN = re.compile(r"^(?P<train>.+_s\d+)-(?P<clustering>[a-z]+)-(?P<fg>none|gt)fg$")


def spoco_rows(summaries: Sequence[str | Path], predictions: Sequence[str | Path]) -> pd.DataFrame:
    """One row per evaluated run: dataset, mode, seed, clustering, foreground, sbd, abs_dic,
    seconds, provenance (config hash, commit, the prediction's device)."""
    frame = load_summaries(summaries)
    seconds = {}
    for pred in predictions:
        path = Path(pred) / "timings.json"
        if path.is_file():
            seconds[(Path(pred).parent.name, Path(pred).name)] = float(
                np.mean(list(json.loads(path.read_text())["seconds"].values()))
            )
    rows = []
    for rec in frame.to_dict("records"):
        match = RUN.match(rec["run"])
        if not match:
            raise InputError(None, f"not a spoco prediction run name: {rec['run']!r}")
        mode, seed = parse_run(match["train"])
        rows.append(
            {
                "dataset": rec["dataset"],
                "mode": mode,
                "seed": seed,
                "clustering": match["clustering"],
                "foreground": match["fg"],
                "sbd": rec["sbd"],
                "abs_dic": rec["abs_dic"],
                "seconds": seconds.get((rec["dataset"], rec["run"])),
                "config_hash": rec["config_hash"],
                "git_commit": rec["git_commit"],
                "device": rec["device"],
            }
        )
    return pd.DataFrame(rows)


def _ours(rows: pd.DataFrame, mode: str, clustering: str, fg: str) -> dict[str, str]:
    sel = rows[
        (rows["mode"] == mode) & (rows["clustering"] == clustering) & (rows["foreground"] == fg)
    ]
    return {
        "SBD (ours)": mean_std(sel["sbd"]),
        "|DiC| (ours)": mean_std(sel["abs_dic"], 2),
        "seeds": str(len(sel)) if len(sel) else "–",
        "t [s] (ours)": mean_std(sel["seconds"].astype(float), 2) if len(sel) else "–",
    }


def _paper(row: pd.Series) -> dict[str, str]:
    def fmt(value: float, sd: float, digits: int) -> str:
        if pd.isna(value):
            return "–"
        return f"{value:.{digits}f}" + ("" if pd.isna(sd) else f" ± {sd:.{digits}f}")

    return {
        "SBD (paper)": fmt(row["sbd"], row["sbd_sd"], 3),
        "|DiC| (paper)": fmt(row["abs_dic"], row["abs_dic_sd"], 1),
        "t [s] (paper)": "–" if pd.isna(row["seconds"]) else f"{row['seconds']:g}",
    }


def build_table(
    rows: pd.DataFrame, published: pd.DataFrame, table: int, baseline: pd.DataFrame | None
) -> pd.DataFrame:
    """Paper rows of ``table`` with our numbers beside them (per dataset) and the baseline row."""
    out = []
    datasets = sorted(rows["dataset"].unique()) if len(rows) else []
    for dataset in datasets:
        sub = rows[rows["dataset"] == dataset]
        for _, prow in published[published["table"] == table].iterrows():
            ours = (
                _ours(sub, prow["mode"], prow["clustering"], prow["foreground"])
                if isinstance(prow["mode"], str)
                else {"SBD (ours)": "–", "|DiC| (ours)": "–", "seeds": "–", "t [s] (ours)": "–"}
            )
            out.append({"dataset": dataset, "method": prow["row"], **ours, **_paper(prow)})
        if baseline is not None:
            base = baseline[baseline["dataset"] == dataset]
            out.append(
                {
                    "dataset": dataset,
                    "method": "otsu_watershed (cellbench baseline)",
                    "SBD (ours)": mean_std(base["sbd"]),
                    "|DiC| (ours)": mean_std(base["abs_dic"], 2),
                    "seeds": "–",
                    "t [s] (ours)": "–",
                    "SBD (paper)": "–",
                    "|DiC| (paper)": "–",
                    "t [s] (paper)": "–",
                }
            )
    frame = pd.DataFrame(out)
    if table != 14 and len(frame):
        frame = frame.drop(columns=["t [s] (ours)", "t [s] (paper)"])
    return frame


def tables(
    summaries: Sequence[str | Path],
    predictions: Sequence[str | Path],
    baseline: Sequence[str | Path],
    published: str | Path,
    outputs: dict[str, str | Path],
) -> None:
    """Write Tables 1, 14 and 16 (CSV each) and all three in one Markdown file."""
    rows = spoco_rows(summaries, predictions)
    paper = pd.read_csv(published)
    base = load_summaries(baseline) if baseline else None
    # Where the clusterings were timed: the prediction jobs' devices.
    device = ", ".join(sorted(rows["device"].dropna().astype(str).unique())) or "unknown device"
    titles = {
        1: "spoco Table 1: SBD and |DiC| (HDBSCAN), scored on our seeded validation split "
        "(A1 test labels are not public)",
        14: f"spoco Tables 14/15: the four clusterings; t = clustering seconds per image on {device}",
        16: "spoco Table 16: sparse vs dense annotation at an equal object budget",
    }
    markdown = []
    for table, key in ((1, "table1"), (14, "table14"), (16, "table16")):
        frame = build_table(rows, paper, table, base if table == 1 else None)
        write_table(frame, [outputs[key]], titles[table])
        markdown.append(to_markdown(frame, titles[table]))
    with atomic_path(outputs["md"]) as tmp:
        tmp.write_text("\n".join(markdown))
