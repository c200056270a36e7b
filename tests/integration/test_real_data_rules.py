"""The pipeline's real_data_prepare rule refuses an incomplete source unless the config accepts it."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import copy_workflow
from tests.unit.test_sources_prepare import CTC, ctc_tree

SNAKEMAKE = shutil.which("snakemake")
pytestmark = pytest.mark.skipif(SNAKEMAKE is None, reason="snakemake not installed")


def _prepare_ctc(workdir: Path, source: Path, allow: list[str]) -> subprocess.CompletedProcess:
    config = workdir / "incomplete.yaml"
    config.write_text(
        f"real_data:\n  sources: {{ctc-sim: {source}}}\n  allow_incomplete: {json.dumps(allow)}\n"
    )
    return subprocess.run(
        [SNAKEMAKE, "results/data/ctc-sim", "--cores", "1", "--configfile", str(config)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_incomplete_source_refused_then_accepted_by_config(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf")
    source = ctc_tree(tmp_path / "src")
    shutil.rmtree(source / CTC / "02_GT")

    refused = _prepare_ctc(workdir, source, [])
    assert refused.returncode != 0
    log = (workdir / "results/logs/real_data_prepare/ctc-sim.log").read_text()
    assert "02_GT/SEG" in log and "allow-incomplete" in log
    assert not (workdir / "results/data/ctc-sim").exists()

    accepted = _prepare_ctc(workdir, source, ["ctc-sim"])
    assert accepted.returncode == 0, accepted.stderr[-2000:]
    info = json.loads((workdir / "results/data/ctc-sim/dataset.json").read_text())
    assert any("02_GT/SEG" in part for part in info["extra"]["incomplete"])
