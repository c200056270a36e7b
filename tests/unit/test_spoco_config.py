"""spoco configuration, run names, the supervision of the training modes, rule params."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from cellbench.methods.spoco import sampling
from cellbench.methods.spoco.config import SpocoConfig, parse_mode, parse_run, run_name
from cellbench.methods.spoco.rules import INFERENCE_KEYS, RUN_KEYS, TRAIN_KEYS


def test_paper_defaults_and_validation() -> None:
    cfg = SpocoConfig()
    assert (cfg.depth, cfg.width, cfg.embedding_dim, cfg.delta_v, cfg.delta_d) == (
        6,
        16,
        16,
        0.5,
        2.0,
    )
    assert (cfg.momentum, cfg.learning_rate, cfg.crop_size, cfg.batch_size) == (0.999, 2e-4, 448, 4)
    with pytest.raises(ValidationError):
        SpocoConfig(unknown=1)
    with pytest.raises(ValidationError, match="mode"):
        SpocoConfig(modes=["sparse@2"])
    with pytest.raises(ValidationError, match="divisible"):
        SpocoConfig(crop_size=100, depth=6)


def test_modes_and_run_names() -> None:
    assert parse_mode("sparse@0.1") == ("sparse", 0.1)
    assert parse_mode("full") == ("full", 1.0)
    for mode in ("full", "discriminative", "sparse@0.4", "dense_fraction@0.01"):
        assert parse_run(run_name(mode, 3)) == (mode, 3)


def test_kept_counts_round_half_to_even() -> None:
    assert [sampling.kept_count(n, 0.1) for n in (4, 5, 15, 25, 26)] == [0, 0, 2, 2, 3]


def test_sparse_targets_never_keep_background() -> None:
    labels = [np.array([[0, 1, 1], [2, 3, 4]]), np.zeros((2, 3), int)]
    rng = np.random.default_rng(0)
    chosen, targets, record = sampling.build_targets(labels, "sparse@0.5", rng)
    assert chosen == [0, 1] and len(record["kept_objects"][0]) == 2
    assert record["kept_objects"][1] == []  # no objects: everything unlabeled
    assert (targets[1] == sampling.UNLABELED).all()
    assert targets[0][0, 0] == sampling.UNLABELED  # background never kept
    again = sampling.build_targets(labels, "sparse@0.5", np.random.default_rng(0))[2]
    assert again == record  # seeded once per run


def test_dense_fraction_and_full() -> None:
    labels = [np.full((2, 2), i) for i in range(10)]
    chosen, targets, _ = sampling.build_targets(
        labels, "dense_fraction@0.2", np.random.default_rng(1)
    )
    assert len(chosen) == 2 and all(
        (t == labels[i]).all() for i, t in zip(chosen, targets, strict=True)
    )
    assert (
        len(sampling.build_targets(labels, "dense_fraction@0.01", np.random.default_rng(1))[0]) == 1
    )
    assert sampling.build_targets(labels, "full", np.random.default_rng(1))[0] == list(range(10))


def test_job_keys_split_training_and_inference() -> None:
    cfg = SpocoConfig(datasets=["x"])
    train, infer = cfg.job_params(*TRAIN_KEYS), cfg.job_params(*INFERENCE_KEYS)
    assert "min_cluster_size" in infer and "min_cluster_size" not in train
    assert "learning_rate" in train and "scale" in train and not set(train) & set(infer)
    assert "datasets" not in train
    assert set(TRAIN_KEYS) | set(INFERENCE_KEYS) | set(RUN_KEYS) == set(SpocoConfig.model_fields)
