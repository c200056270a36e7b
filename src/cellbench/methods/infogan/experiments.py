"""Evaluation protocols of paper 002 Tables I–IV on held-out cells.

Not the authors' transductive protocol: every model (GAN, k-means, DEC, SVM, codebook) is fitted
on the cells of the dataset's training images only and scored on the cells of its test images
(Tables I–III). Table IV classifies whole images by their Q-cluster proportions with stratified
k-fold cross-validation (k-means centres and SVMs from the training folds only), averaged over
all folds, beside a majority-class predictor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from cellbench.errors import InputError
from cellbench.methods.infogan.dec import dec_predict, fit_dec
from cellbench.methods.infogan.features import ManualFeatures, hog_features
from cellbench.methods.infogan.networks import Critic
from cellbench.methods.infogan.train import block_features, q_assign
from cellbench.metrics.clustering import (
    classification_scores,
    cluster_f_score,
    cluster_size_entropy,
    conditional_entropy,
    purity,
)

log = logging.getLogger(__name__)


def labelled_split(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (train, test) of the cells with a category; an error if either is empty."""
    has = table["category"].astype(str) != ""
    train = has & (table["split"] != "test")
    test = has & (table["split"] == "test")
    if not train.any() or not test.any():
        raise InputError(
            None,
            f"cell categories needed on training and test cells (found {int(train.sum())} "
            f"and {int(test.sum())}); see docs/datasets.md (marrow-a cell labels)",
        )
    return train.to_numpy(), test.to_numpy()


def clustering_row(method: str, classes: np.ndarray, clusters: np.ndarray) -> dict:
    """Table III row: purity, the paper's printed entropy (of cluster sizes), H(class|cluster)."""
    return {
        "method": method,
        "purity": purity(classes, clusters),
        "entropy_sizes": cluster_size_entropy(clusters) + 0.0,  # + 0.0: no "-0.000"
        "entropy_class_given_cluster": conditional_entropy(classes, clusters) + 0.0,
        "f_score": cluster_f_score(classes, clusters),
        "cells": len(classes),
    }


def svm_scores(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y, seed: int):
    """L2-SVM (LinearSVC, squared hinge) on standardised features; weighted P/R/F."""
    scaler = StandardScaler().fit(train_x)
    svm = LinearSVC(C=1.0, random_state=seed, max_iter=5000).fit(scaler.transform(train_x), train_y)
    return classification_scores(test_y, svm.predict(scaler.transform(test_x)))


def kmeans_clusters(
    train_x: np.ndarray, test_x: np.ndarray, k: int, seed: int, *, standardise: bool = True
) -> np.ndarray:
    """k-means (k-means++, 10 inits, seeded) fitted on the training features, optionally
    standardised first (MF: histograms of unlike scales); the clusters of the test features
    (the feature + k-means rows of Table III)."""
    if standardise:
        scaler = StandardScaler().fit(train_x)
        train_x, test_x = scaler.transform(train_x), scaler.transform(test_x)
    km = KMeans(k, init="k-means++", n_init=10, random_state=seed).fit(train_x)
    return km.predict(test_x)


def feature_tables(
    features: np.ndarray, table: pd.DataFrame, name: str, k: int, seed: int
) -> dict[str, list[dict]]:
    """Table I row (``name`` + L2-SVM on standardised features) and Table III row
    (``name``+k-means on the raw features: pooled activations of one layer share one scale) of
    precomputed per-cell features (the DNN baseline), fitted on training cells, scored on test
    cells."""
    if len(features) != len(table):
        raise InputError(None, f"{len(features)} feature rows for {len(table)} cells")
    train, test = labelled_split(table)
    y = table["category"].astype(str).to_numpy()
    x_train, x_test = features[train], features[test]
    return {
        "table1": [{"method": name, **svm_scores(x_train, y[train], x_test, y[test], seed)}],
        "table3": [
            clustering_row(
                f"{name}+k-means",
                y[test],
                kmeans_clusters(x_train, x_test, k, seed, standardise=False),
            )
        ],
    }


def cell_tables(
    crops: np.ndarray, table: pd.DataFrame, critic: Critic, k: int, seed: int
) -> dict[str, list[dict]]:
    """Tables I (classification) and III (clustering) on held-out cells."""
    train, test = labelled_split(table)
    y = table["category"].astype(str).to_numpy()
    mf = ManualFeatures(seed).fit(crops[train])
    mf_train, mf_test = mf.transform(crops[train]), mf.transform(crops[test])
    ours_train, ours_test = (
        block_features(critic, crops[train]),
        block_features(critic, crops[test]),
    )
    table1 = [
        {"method": "MF", **svm_scores(mf_train, y[train], mf_test, y[test], seed)},
        {"method": "Our Method", **svm_scores(ours_train, y[train], ours_test, y[test], seed)},
    ]
    hog_train, hog_test = hog_features(crops[train]), hog_features(crops[test])
    dec = fit_dec(hog_train, k, seed)
    table3 = [
        clustering_row("MF+k-means", y[test], kmeans_clusters(mf_train, mf_test, k, seed)),
        clustering_row("HOG+DEC", y[test], dec_predict(dec, hog_test)),
        clustering_row("Our Method", y[test], q_assign(critic, crops[test])),
    ]
    return {"table1": table1, "table3": table3}


def q_clustering_row(crops: np.ndarray, table: pd.DataFrame, critic: Critic) -> dict:
    """Table II row: Q clustering of the held-out cells by one model."""
    _, test = labelled_split(table)
    y = table["category"].astype(str).to_numpy()
    return clustering_row("Our Method", y[test], q_assign(critic, crops[test]))


def proportions(table: pd.DataFrame, clusters: np.ndarray, k: int) -> pd.DataFrame:
    """Per image: cluster proportions P_1..P_k (Sec. III-B2) and its image label."""
    frame = table[["image_id", "image_label"]].assign(cluster=clusters)
    counts = pd.crosstab(frame["image_id"], frame["cluster"]).reindex(
        columns=range(k), fill_value=0
    )
    props = counts.div(counts.sum(axis=1), axis=0)
    props.columns = [f"P{i + 1}" for i in range(k)]
    labels = frame.groupby("image_id")["image_label"].first()
    return props.assign(image_label=labels.loc[props.index])


def two_image_classes(labels: Iterable[str]) -> bool:
    """Table IV needs a label on every image and at least two distinct ones."""
    found = set(labels)
    return "" not in found and len(found) >= 2


def image_table(props: pd.DataFrame, folds: int, seed: int) -> list[dict]:
    """Table IV: majority class, k-means (k = 2, training-fold centres), L2-SVM; fold means."""
    y = props["image_label"].astype(str).to_numpy()
    if not two_image_classes(y):
        raise InputError(None, "image-level labels (normal/abnormal) needed for Table IV")
    x = props.drop(columns="image_label").to_numpy()
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    scores: dict[str, list[dict]] = {"majority": [], "unsupervised": [], "svm": []}
    for train, test in splitter.split(x, y):
        labels, counts = np.unique(y[train], return_counts=True)
        scores["majority"].append(
            classification_scores(y[test], np.full(len(test), labels[counts.argmax()]))
        )
        km = KMeans(2, init="k-means++", n_init=10, random_state=seed).fit(x[train])
        centre_label = {}
        for c in range(2):
            members = y[train][km.labels_ == c]
            vals, cnt = np.unique(members, return_counts=True)
            centre_label[c] = vals[cnt.argmax()] if len(vals) else labels[counts.argmax()]
        pred = np.array([centre_label[c] for c in km.predict(x[test])])
        scores["unsupervised"].append(classification_scores(y[test], pred))
        svm = LinearSVC(random_state=seed, max_iter=5000).fit(x[train], y[train])
        scores["svm"].append(classification_scores(y[test], svm.predict(x[test])))
    names = {
        "majority": "Majority class",
        "unsupervised": "Our Method (unsupervised)",
        "svm": "Our Method (with SVM)",
    }
    return [
        {
            "method": names[key],
            **{
                m: float(np.mean([f[m] for f in folds_]))
                for m in ("precision", "recall", "f_score")
            },
            "folds": len(folds_),
        }
        for key, folds_ in scores.items()
    ]
