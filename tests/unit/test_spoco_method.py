"""spoco end to end on tiny synthetic rosettes: training modes, embeddings, clustering, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from cellbench.data.layout import PreparedDataset
from cellbench.data.synth import generate
from cellbench.errors import InputError
from cellbench.io import read_labels
from cellbench.methods.registry import load_segmenter
from cellbench.methods.spoco.config import SpocoConfig
from cellbench.methods.spoco.infer import embed_dataset
from cellbench.methods.spoco.labels import cluster_dataset
from cellbench.methods.spoco.train import image_loss, train

TINY = {"depth": 2, "width": 4, "crop_size": 32, "batch_size": 2, "iterations": 3, "check_every": 2}


@pytest.fixture(scope="module")
def leaves(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate("leaves", tmp_path_factory.mktemp("data") / "synth-leaves", seed=0, size="tiny")


def test_zero_objects_trains_on_consistency_alone() -> None:
    f = torch.randn(4, 8, 8, requires_grad=True)
    g = torch.randn(4, 8, 8)
    target = torch.full((8, 8), -1)  # an image whose annotated fraction kept no object
    terms = image_loss(f, g, target, "sparse", SpocoConfig(), torch.Generator().manual_seed(0))
    assert set(terms) == {"dl", "con"} and float(terms["dl"].detach()) == 0.0
    sum(terms.values()).backward()
    assert f.grad is not None and torch.isfinite(f.grad).all()


@pytest.mark.parametrize("mode", ["full", "sparse@0.1", "discriminative", "dense_fraction@0.5"])
def test_train_embed_cluster(leaves: Path, tmp_path: Path, mode: str) -> None:
    torch.set_num_threads(1)
    cfg = SpocoConfig(**TINY)
    result = train(leaves, tmp_path / "model.pt", cfg, mode, seed=0, device="cpu")
    assert result["iterations"] == 3 and len(result["history"]) == 2
    objects = json.loads((tmp_path / "objects.json").read_text())
    assert objects["mode"] == mode and objects["seed"] == 0
    again = train(leaves, tmp_path / "again.pt", cfg, mode, seed=0, device="cpu")
    assert again["history"] == result["history"]  # same seed → same numbers on a CPU
    embed_dataset(tmp_path / "model.pt", leaves, tmp_path / "emb", device="cpu")
    data = PreparedDataset(leaves)
    out = cluster_dataset(
        tmp_path / "emb", leaves, tmp_path / "pred", "mws", "none", {"min_size": 5}
    )
    for path in out:
        labels = read_labels(path)
        assert labels.shape == data.labels(path.stem).shape
    segmenter = load_segmenter("spoco", tmp_path / "model.pt", device="cpu")
    image = data.image(data.image_ids("test")[0])
    assert segmenter.segment(image).shape == image.shape[:2]


def test_wrong_embedding_shape_names_file(leaves: Path, tmp_path: Path) -> None:
    cfg = SpocoConfig(**TINY)
    train(leaves, tmp_path / "model.pt", cfg, "full", seed=0, device="cpu")
    embed_dataset(tmp_path / "model.pt", leaves, tmp_path / "emb", device="cpu")
    bad = sorted((tmp_path / "emb").glob("*.npz"))[0]
    np.savez(bad, f=np.zeros((16, 5, 5), np.float16), g=np.zeros((16, 5, 5), np.float16))
    with pytest.raises(InputError, match=bad.name):
        cluster_dataset(tmp_path / "emb", leaves, tmp_path / "pred", "hdbscan", "none")
    assert not (tmp_path / "pred").exists()
