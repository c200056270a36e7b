"""The pipeline's rules download marrow-a (GitHub archive layout, served from a file: URL) and
prepare it: real_data_download, then real_data_prepare, as `snakemake results/data/marrow-a`."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import copy_workflow
from tests.unit.test_marrow_archive import NAME, check_prepared, file_url_catalog, github_archive

SNAKEMAKE = shutil.which("snakemake")
pytestmark = pytest.mark.skipif(SNAKEMAKE is None, reason="snakemake not installed")


def test_rules_download_and_prepare_marrow_a(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf")
    archive = tmp_path / "served.zip"
    images = github_archive(archive)
    catalog = file_url_catalog(tmp_path, archive)
    config = workdir / "marrow.yaml"
    config.write_text(f"real_data:\n  catalog: {catalog}\n")
    result = subprocess.run(
        [SNAKEMAKE, "results/data/marrow-a", "--cores", "1", "--configfile", str(config)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / "results" / "downloads" / "marrow-a" / NAME).is_file()
    check_prepared(workdir / "results" / "data" / "marrow-a", images)
    log = (workdir / "results/logs/real_data_prepare/marrow-a.log").read_text()
    assert "2 images, 5 nucleus dots" in log
