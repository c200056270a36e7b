import subprocess
import sys
from pathlib import Path

import pytest

from cellbench.cli import SUBCOMMANDS, main


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_of_every_subcommand(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert len(capsys.readouterr().out) > 200


def test_evaluate_ground_truth_folder_against_itself(blob_dataset: Path, tmp_path: Path) -> None:
    labels = blob_dataset / "labels"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cellbench.cli",
            "evaluate",
            str(labels),
            str(labels),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "f1: 1.0000" in result.stdout and "seg: 1.0000" in result.stdout
    assert (tmp_path / "summary.json").is_file()


def test_evaluate_missing_predictions_exits_2(blob_dataset: Path, tmp_path: Path, capsys) -> None:
    assert main(["evaluate", str(blob_dataset), str(tmp_path)]) == 2
    assert "prediction file(s) missing" in capsys.readouterr().err


def test_segment_with_fitted_baseline(blob_dataset: Path, tmp_path: Path) -> None:
    from cellbench.methods.otsu_watershed import fit

    model = fit(blob_dataset, tmp_path / "model.json")
    images = sorted((blob_dataset / "images").glob("*.tif"))[:2]
    assert (
        main(
            [
                "segment",
                "otsu_watershed",
                str(model),
                *map(str, images),
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [p.name for p in images]


def test_info_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 0
    assert "torch" in capsys.readouterr().out
