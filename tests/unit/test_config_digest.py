"""The config digest of provenance: resolved once by the Snakefile, taken by the jobs whose own
config matches, resolved again by a job whose config does not."""

from __future__ import annotations

import pytest
import yaml

from cellbench import workflow
from cellbench.workflow import (
    CONFIG_DIGEST_VARIABLE,
    config_digest,
    export_config_digest,
    resolved_config_digest,
)
from tests.conftest import REPO


@pytest.fixture
def config(monkeypatch) -> dict:
    """The default config; the variable is restored (unset) after the test."""
    monkeypatch.setenv(CONFIG_DIGEST_VARIABLE, "")
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_a_job_takes_the_exported_digest_of_its_own_config(config, monkeypatch) -> None:
    expected = resolved_config_digest(config)
    export_config_digest(config)
    monkeypatch.setattr(workflow, "resolved_config_digest", pytest.fail)
    assert config_digest(config) == expected


def test_a_job_with_another_config_resolves_its_own(config) -> None:
    export_config_digest(config)
    other = {**config, "device": "cpu"}
    assert config_digest(other) == resolved_config_digest(other) != config_digest(config)


def test_without_an_export_the_digest_is_resolved(config) -> None:
    assert config_digest(config) == resolved_config_digest(config)
