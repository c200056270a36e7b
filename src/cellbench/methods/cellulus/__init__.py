"""cellulus (paper 001): object-centric embeddings for unsupervised cell instance segmentation.

Modules: ``config`` (hyper-parameters), ``model`` (mini U-Net), ``loss`` (eq. 5 + pairs),
``data`` (normalisation, crops), ``train``, ``infer`` (noisy passes, mean-shift, shrink),
``select`` (bandwidth/shrink line search on the training split), ``segmenter`` (``load``),
``stardist`` (the supervised network of Fig. 5) and ``supported`` (Fig. 5 experiment).
"""

from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.segmenter import CellulusSegmenter, load

__all__ = ["CellulusConfig", "CellulusSegmenter", "load"]
