"""spoco (paper 004, Wolny et al. CVPR 2022): sparse object-level supervision of pixel embeddings.

Modules: config (pydantic), model (U-Net), losses (Eq. 1–7), sampling (training modes),
augment, train (f + EMA twin g), clustering (HDBSCAN, mean-shift, consistency, mutex
watershed), infer (embeddings, clustering of files, the contract's ``load``).
"""

from cellbench.methods.spoco.infer import load

__all__ = ["load"]
