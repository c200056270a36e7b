"""deepng: U-Net segmentation with neural-gas deep clustering (paper 000).

Steps (one function each, in the submodules): ``train_segmentation.train_segmentation`` (baseline
on CT1), ``features.extract_features`` (5000 augmented draws from CT2–CT7 → GAP → PCA-32),
``clustering.cluster_features`` (kMC / NG / GNG) and ``pseudolabel.retrain_encoder``
(pseudo-label classification, decoder reused); :func:`load` gives a :class:`Segmenter`
(network + watershed post-processing).
"""

from __future__ import annotations

from cellbench.lazy import lazy_getattr

# Heavy modules (torch) are imported on first use (cellbench.lazy).
_EXPORTS = {
    "DeepNGConfig": "config",
    "Segmenter": "segmenter",
    "load": "segmenter",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
