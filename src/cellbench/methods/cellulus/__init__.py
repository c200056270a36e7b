"""cellulus (paper 001): object-centric embeddings for unsupervised cell instance segmentation.

Modules: ``config`` (hyper-parameters), ``model`` (mini U-Net), ``loss`` (eq. 5 + pairs),
``data`` (normalisation, crops), ``train``, ``infer`` (noisy passes, mean-shift, shrink),
``select`` (bandwidth/shrink line search on the training split), ``segmenter`` (``load``),
``stardist`` (the supervised network of Fig. 5) and ``supported`` (Fig. 5 experiment).
"""

from __future__ import annotations

from cellbench.lazy import lazy_getattr

# Heavy modules (torch) are imported on first use (cellbench.lazy).
_EXPORTS = {
    "CellulusConfig": "config",
    "CellulusSegmenter": "segmenter",
    "load": "segmenter",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_getattr(__name__, _EXPORTS)
