from pathlib import Path

import pandas as pd

from cellbench.tables.write import latex_escape, mean_std, to_markdown, write_table


def test_mean_std_formats() -> None:
    assert mean_std(pd.Series([0.5])) == "0.500"
    assert mean_std(pd.Series([0.4, 0.6])) == "0.500 ± 0.141"
    assert mean_std(pd.Series([float("nan")])) == "–"


def test_markdown_has_header_rows_and_provenance() -> None:
    text = to_markdown(pd.DataFrame({"method": ["a"], "f1": [0.12345]}), "T")
    assert "| method | f1 |" in text and "| a | 0.123 |" in text and "commit" in text


def test_latex_escapes() -> None:
    assert latex_escape("otsu_watershed 50% ±") == r"otsu\_watershed 50\% $\pm$"


def test_write_table_all_formats(tmp_path: Path) -> None:
    data = pd.DataFrame({"method": ["a", "b"], "f1": [0.1, 0.2]})
    outputs = [tmp_path / "t.csv", tmp_path / "t.md", tmp_path / "t.tex"]
    write_table(data, outputs, "Title")
    assert pd.read_csv(outputs[0]).equals(data)
    assert r"\begin{tabular}{ll}" in outputs[2].read_text()
