"""Write a table as CSV (full precision + provenance), Markdown and LaTeX (formatted)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cellbench.io import atomic_path
from cellbench.provenance import git_commit, package_versions


def format_value(value: object, digits: int = 3) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}f}"
    return "–" if value is None else str(value)


def mean_std(values: pd.Series, digits: int = 3) -> str:
    """``mean ± std`` over seeds (sample std); just the mean for a single value."""
    values = values.dropna()
    if values.empty:
        return "–"
    if len(values) == 1:
        return f"{values.iloc[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def provenance_note() -> str:
    versions = package_versions()
    return (
        f"cellbench {versions['cellbench']} (commit {git_commit()}), torch {versions['torch']}, "
        f"numpy {versions['numpy']}, scikit-image {versions['scikit-image']}"
    )


def incomplete_note(data: pd.DataFrame) -> str:
    """A warning naming datasets prepared from an incomplete source (``--allow-incomplete``)."""
    if not {"dataset", "dataset_incomplete"} <= set(data.columns):
        return ""
    rows = data.dropna(subset=["dataset_incomplete"]).drop_duplicates("dataset")
    return "".join(
        f"INCOMPLETE DATASET {row.dataset} (prepared with --allow-incomplete): "
        f"{row.dataset_incomplete}. "
        for row in rows.itertuples()
    ).strip()


def to_markdown(
    table: pd.DataFrame, title: str, digits: int = 3, note: str = "", legend: Sequence[str] = ()
) -> str:
    """Title, table, the bold ``note`` (a warning), one line per ``legend`` entry, provenance."""

    def cell(text: str) -> str:  # a "|" inside a cell (|DiC|) would end it
        return text.replace("|", r"\|")

    header = "| " + " | ".join(cell(str(c)) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = [
        "| " + " | ".join(cell(format_value(v, digits)) for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    notes = [f"**{note}**", ""] if note else []
    legend_lines = [*(f"- {line}" for line in legend), ""] if legend else []
    return "\n".join(
        [
            f"**{title}**",
            "",
            header,
            rule,
            *body,
            "",
            *notes,
            *legend_lines,
            f"_{provenance_note()}_",
            "",
        ]
    )


def latex_escape(text: str) -> str:
    for char, escaped in (
        ("\\", r"\textbackslash{}"),
        ("&", r"\&"),
        ("%", r"\%"),
        ("_", r"\_"),
        ("#", r"\#"),
    ):
        text = text.replace(char, escaped)
    return text.replace("±", r"$\pm$")


def to_latex(
    table: pd.DataFrame, title: str, digits: int = 3, note: str = "", legend: Sequence[str] = ()
) -> str:
    lines = [
        r"\begin{table}[ht]",
        r"\centering",
        rf"\caption{{{latex_escape(title)}}}",
        r"\begin{tabular}{" + "l" * len(table.columns) + "}",
        r"\toprule",
        " & ".join(latex_escape(str(c)) for c in table.columns) + r" \\",
        r"\midrule",
        *(
            " & ".join(latex_escape(format_value(v, digits)) for v in row) + r" \\"
            for row in table.itertuples(index=False)
        ),
        r"\bottomrule",
        r"\end{tabular}",
        *([rf"\par\textbf{{{latex_escape(note)}}}"] if note else []),
        *(rf"\par\footnotesize {latex_escape(line)}" for line in legend),
        rf"\par\footnotesize {latex_escape(provenance_note())}",
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)


def write_table(
    data: pd.DataFrame,
    outputs: Sequence[str | Path],
    title: str,
    display: pd.DataFrame | None = None,
    digits: int = 3,
    runs: pd.DataFrame | None = None,
    legend: Sequence[str] = (),
) -> None:
    """Write ``data`` to the ``.csv`` output and ``display`` (default ``data``) to ``.md``/``.tex``.

    The CSV keeps full precision and the provenance columns; Markdown and LaTeX are for reading,
    with a warning under the table when a dataset was prepared from an incomplete source
    (column ``dataset_incomplete`` of ``runs``, default ``data``: see :func:`incomplete_note`)
    and the ``legend`` lines (e.g. what each column means) below it.
    """
    display = data if display is None else display
    note = incomplete_note(data if runs is None else runs)
    writers = {
        ".csv": lambda path: data.to_csv(path, index=False),
        ".md": lambda path: Path(path).write_text(
            to_markdown(display, title, digits, note, legend)
        ),
        ".tex": lambda path: Path(path).write_text(to_latex(display, title, digits, note, legend)),
    }
    for output in outputs:
        suffix = Path(output).suffix
        if suffix not in writers:
            raise ValueError(f"unsupported table format {suffix!r} for {output}")
        with atomic_path(output) as tmp:
            writers[suffix](tmp)
