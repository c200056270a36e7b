"""infogan's optional DNN baseline (paper 002 Tables I and III): ResNet-50 features, the
feature + k-means / L2-SVM rows, their place in the tables, and the config keys."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from pydantic import ValidationError

from cellbench.errors import InputError
from cellbench.methods.infogan.config import DnnConfig, InfoganConfig
from cellbench.methods.infogan.dnn import IMAGENET_MEAN, IMAGENET_STD, check_crops, preprocess
from cellbench.methods.infogan.experiments import feature_tables, kmeans_clusters
from cellbench.methods.infogan.pipeline import dnn_evaluate_run
from cellbench.methods.infogan.report import build_tables

try:  # PyPI's torchvision cannot import with a CPU-only (+cpu) torch: RuntimeError, not ImportError
    import torchvision  # noqa: F401

    HAS_TORCHVISION = True
except (ImportError, RuntimeError):
    HAS_TORCHVISION = False
needs_torchvision = pytest.mark.skipif(
    not HAS_TORCHVISION, reason="torchvision (extra `dnn`) not installed or not importable"
)

PAPER = Path(__file__).resolve().parents[2] / "config" / "paper_results" / "infogan.csv"


def random_crops(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def blobs(seed: int = 0) -> tuple[np.ndarray, pd.DataFrame]:
    """Three well-separated 2-D blobs of 10 cells (classes a, b, c), half of each in test."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [20, 0], [0, 20]], float)
    x = np.concatenate([c + rng.normal(0, 0.5, (10, 2)) for c in centres])
    table = pd.DataFrame(
        {
            "category": np.repeat(["a", "b", "c"], 10),
            "split": np.tile(["train", "test"], 15),
            "image_id": "im",
            "image_label": "",
        }
    )
    return x, table


# --- features ----------------------------------------------------------------------------------


def test_preprocess_resizes_and_normalises_hand_values() -> None:
    crops = np.zeros((2, 32, 32, 3), np.uint8)
    crops[1] = (255, 0, 51)
    x = preprocess(crops, 64)
    assert x.shape == (2, 3, 64, 64) and x.dtype == torch.float32
    for channel, value in enumerate((1.0, 0.0, 0.2)):
        expected = (value - IMAGENET_MEAN[channel]) / IMAGENET_STD[channel]
        assert torch.allclose(x[1, channel], torch.tensor(expected), atol=1e-6)
        assert torch.allclose(
            x[0, channel], torch.tensor(-IMAGENET_MEAN[channel] / IMAGENET_STD[channel])
        )


def test_crops_must_be_uint8_rgb() -> None:
    with pytest.raises(ValueError, match="uint8"):
        check_crops(np.zeros((2, 32, 32, 3), np.float32))
    with pytest.raises(ValueError, match="uint8"):
        check_crops(np.zeros((2, 32, 32), np.uint8))


@needs_torchvision
@pytest.mark.parametrize(("layer", "dim"), [("layer4", 2048), ("layer3", 1024)])
def test_features_shape_deterministic_and_batch_invariant(layer: str, dim: int) -> None:
    from cellbench.methods.infogan.dnn import build_resnet50, resnet_features

    torch.set_num_threads(1)
    crops = random_crops(5)
    options = {"layer": layer, "input_size": 64}
    a = resnet_features(build_resnet50("none", seed=3), crops, batch_size=2, **options)
    b = resnet_features(build_resnet50("none", seed=3), crops, batch_size=5, **options)
    c = resnet_features(build_resnet50("none", seed=4), crops, batch_size=5, **options)
    assert a.shape == (5, dim) and a.dtype == np.float32 and np.isfinite(a).all()
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)  # same seed, other batches
    assert not np.allclose(a, c)  # another initialisation
    assert not np.allclose(a[0], a[1])  # crops are told apart


@needs_torchvision
def test_local_state_dict_round_trip_and_bad_files(tmp_path: Path) -> None:
    from cellbench.methods.infogan.dnn import build_resnet50, resnet_features

    torch.set_num_threads(1)
    model = build_resnet50("none", seed=1)
    torch.save(model.state_dict(), tmp_path / "resnet50.pth")
    crops = random_crops(2)
    loaded = build_resnet50(str(tmp_path / "resnet50.pth"), seed=99)  # seed unused
    np.testing.assert_array_equal(
        resnet_features(model, crops, input_size=32), resnet_features(loaded, crops, input_size=32)
    )
    with pytest.raises(InputError, match="not found") as missing:
        build_resnet50(str(tmp_path / "absent.pth"))
    assert "absent.pth" in str(missing.value)
    torch.save({"fc.weight": torch.zeros(3)}, tmp_path / "other.pth")
    with pytest.raises(InputError, match="not a torchvision ResNet-50 state dict"):
        build_resnet50(str(tmp_path / "other.pth"))


# --- feature + k-means / L2-SVM rows --------------------------------------------------------


def test_kmeans_clusters_recovers_separated_blobs() -> None:
    x, table = blobs()
    train = (table["split"] == "train").to_numpy()
    clusters = kmeans_clusters(x[train], x[~train], 3, seed=0)
    classes = table["category"].to_numpy()[~train]
    # one cluster per class: the partition equals the classes up to renaming
    assert len(set(clusters)) == 3
    assert {tuple(sorted(set(classes[clusters == c]))) for c in range(3)} == {
        ("a",),
        ("b",),
        ("c",),
    }
    np.testing.assert_array_equal(clusters, kmeans_clusters(x[train], x[~train], 3, seed=0))


def test_feature_tables_rows_on_toy_features() -> None:
    x, table = blobs()
    rows = feature_tables(x, table, "DNN", k=3, seed=0)
    (row1,) = rows["table1"]
    (row3,) = rows["table3"]
    assert row1["method"] == "DNN" and row1["f_score"] == pytest.approx(1.0)
    assert row3["method"] == "DNN+k-means" and row3["cells"] == 15
    assert row3["purity"] == pytest.approx(1.0) and row3["f_score"] == pytest.approx(1.0)
    assert row3["entropy_class_given_cluster"] == 0.0
    assert row3["entropy_sizes"] == pytest.approx(np.log(3))  # three clusters of 5 (eq. 14)
    with pytest.raises(InputError, match="29 feature rows for 30 cells"):
        feature_tables(x[:-1], table, "DNN", k=3, seed=0)


def write_cells_dir(folder: Path, table: pd.DataFrame) -> Path:
    folder.mkdir()
    np.save(folder / "crops.npy", random_crops(len(table)))
    table.to_csv(folder / "cells.tsv", sep="\t", index=False)
    return folder


def write_features(path: Path, features: np.ndarray) -> Path:
    record = {"weights": "none", "layer": "layer3", "dim": features.shape[1]}
    with path.open("wb") as fh:
        np.savez(fh, features=features.astype(np.float32), record=np.array(json.dumps(record)))
    return path


def test_dnn_evaluate_run_writes_rows_and_checks_alignment(tmp_path: Path) -> None:
    x, table = blobs()
    cells = write_cells_dir(tmp_path / "cells", table)
    out = dnn_evaluate_run(
        cells, write_features(tmp_path / "f.npz", x), tmp_path / "dnn.json", seed=0, categories=3
    )
    result = json.loads(out.read_text())
    assert result["table3"][0]["purity"] == pytest.approx(1.0)
    assert result["features"]["layer"] == "layer3" and result["provenance"]["seed"] == 0
    with pytest.raises(InputError, match="29 feature rows") as error:
        dnn_evaluate_run(
            cells,
            write_features(tmp_path / "g.npz", x[:-1]),
            tmp_path / "x.json",
            seed=0,
            categories=3,
        )
    assert "g.npz" in str(error.value)
    (tmp_path / "bad.npz").write_text("not numpy")
    with pytest.raises(InputError, match="not a DNN features file"):
        dnn_evaluate_run(cells, tmp_path / "bad.npz", tmp_path / "y.json", seed=0, categories=3)


def test_dnn_rows_skipped_without_categories(tmp_path: Path, caplog) -> None:
    x, table = blobs()
    cells = write_cells_dir(tmp_path / "cells", table.assign(category=""))
    out = dnn_evaluate_run(
        cells, write_features(tmp_path / "f.npz", x), tmp_path / "dnn.json", seed=0, categories=3
    )
    assert "table1" not in json.loads(out.read_text())
    assert "DNN rows of Tables I and III skipped" in caplog.text


# --- tables ---------------------------------------------------------------------------------

PROVENANCE = {"config_hash": "h", "git_commit": "c"}


def fake_evaluation(path: Path) -> Path:
    row = {"purity": 0.5, "entropy_sizes": 1.0, "entropy_class_given_cluster": 1.0, "f_score": 0.5}
    scores = {"precision": 0.5, "recall": 0.5, "f_score": 0.5}
    record = {
        "table1": [{"method": "MF", **scores}, {"method": "Our Method", **scores}],
        "table2": [{"k": 5, "method": "Our Method", **row}],
        "table3": [{"method": m, **row} for m in ("MF+k-means", "HOG+DEC", "Our Method")],
        "provenance": PROVENANCE,
    }
    path.write_text(json.dumps(record))
    return path


def fake_dnn(path: Path) -> Path:
    record = {
        "table1": [{"method": "DNN", "precision": 0.7, "recall": 0.7, "f_score": 0.7}],
        "table3": [
            {
                "method": "DNN+k-means",
                "purity": 0.7,
                "entropy_sizes": 0.9,
                "entropy_class_given_cluster": 0.8,
                "f_score": 0.7,
            }
        ],
        "provenance": {"config_hash": "h", "git_commit": "dnn-commit"},
    }
    path.write_text(json.dumps(record))
    return path


def outputs(folder: Path) -> list[str]:
    return [str(folder / f"infogan_table{n}.{e}") for n in (1, 2, 3, 4) for e in ("csv", "md")]


def measured(folder: Path, n: int) -> pd.DataFrame:
    frame = pd.read_csv(folder / f"infogan_table{n}.csv")
    return frame[frame["source"] == "cellbench"]


def test_dnn_rows_join_tables_i_and_iii_in_paper_order(tmp_path: Path) -> None:
    evaluation = fake_evaluation(tmp_path / "tables.json")
    plain, with_dnn = tmp_path / "plain", tmp_path / "dnn"
    build_tables([evaluation], PAPER, ["synth-marrow"], [0], outputs(plain))
    build_tables(
        [evaluation],
        PAPER,
        ["synth-marrow"],
        [0],
        outputs(with_dnn),
        dnn=[fake_dnn(tmp_path / "d.json")],
    )
    assert list(measured(plain, 1)["method"]) == ["MF", "Our Method"]
    assert list(measured(with_dnn, 1)["method"]) == ["MF", "DNN", "Our Method"]
    table3 = measured(with_dnn, 3)
    assert list(table3["method"]) == ["MF+k-means", "DNN+k-means", "HOG+DEC", "Our Method"]
    assert table3.set_index("method").loc["DNN+k-means", "purity"] == 0.7
    commits = table3.set_index("method")["git_commit"]  # each row keeps its own provenance
    assert commits["DNN+k-means"] == "dnn-commit" and commits["HOG+DEC"] == "c"
    assert list(measured(plain, 3)["method"]) == ["MF+k-means", "HOG+DEC", "Our Method"]
    for n in (2, 4):  # tables without a DNN row are unchanged
        assert (plain / f"infogan_table{n}.md").read_text() == (
            with_dnn / f"infogan_table{n}.md"
        ).read_text()


# --- config ---------------------------------------------------------------------------------


def test_dnn_config_defaults_and_validation() -> None:
    config = InfoganConfig(datasets=["synth-marrow"])
    assert config.dnn.enabled is False and config.dnn_datasets() == []
    assert config.dnn.weights == "imagenet" and config.dnn.layer == "layer3"
    on = InfoganConfig(datasets=["synth-marrow"], dnn={"enabled": True})
    assert on.dnn_datasets() == ["synth-marrow"]
    assert (
        InfoganConfig(
            enabled=False, datasets=["synth-marrow"], dnn={"enabled": True}
        ).dnn_datasets()
        == []
    )
    assert DnnConfig(weights="imagenet-v2").weights_file() is None
    assert DnnConfig(weights="weights/resnet50.pth").weights_file() == "weights/resnet50.pth"
    for bad in (
        {"weights": "imagenet1k"},
        {"weights": ""},
        {"layer": "fc"},
        {"input_size": 8},
        {"batch_size": 0},
        {"enable": True},
    ):
        with pytest.raises(ValidationError):
            DnnConfig(**bad)
