"""Shared evaluation metrics on integer label images (background 0, any integer dtype).

Each name implements exactly one published definition, named in its docstring; edge-case
values are documented there and in ``docs/deviations.md`` (section Metrics).
"""

from cellbench.metrics.aji import aji
from cellbench.metrics.clustering import (
    classification_scores,
    cluster_f_score,
    cluster_size_entropy,
    conditional_entropy,
    purity,
)
from cellbench.metrics.ctc import ctc_seg
from cellbench.metrics.cvppp import dic, dice, sbd
from cellbench.metrics.dsb import DSB_THRESHOLDS, average_precision, dsb_ap, dsb_map
from cellbench.metrics.matching import matching, matching_dataset
from cellbench.metrics.rand import adapted_rand_error
from cellbench.metrics.summary import dataset_scores, image_scores, metric_parameters

__all__ = [
    "DSB_THRESHOLDS",
    "adapted_rand_error",
    "aji",
    "average_precision",
    "classification_scores",
    "cluster_f_score",
    "cluster_size_entropy",
    "conditional_entropy",
    "ctc_seg",
    "dataset_scores",
    "dic",
    "dice",
    "dsb_ap",
    "dsb_map",
    "image_scores",
    "matching",
    "matching_dataset",
    "metric_parameters",
    "purity",
    "sbd",
]
