"""Online (pattern-by-pattern) k-means, kMC of paper 000, Section II-D.

kMC is the Neural Gas update of eqs. 1–5 with R0 = Rfin = 0.001: then h = exp(−r / 0.001) is
1 for the nearest centroid and exactly 0 (float64 underflow) for every other rank, so only the
winner moves (hard competitive learning), with the learning rate ε(t) of eq. 5.
"""

from __future__ import annotations

import numpy as np

from cellbench.cluster.ng import EPOCHS, EPS0, EPS_FIN, R_FIN, ClusterResult, neural_gas


def online_kmeans(
    data: np.ndarray,
    k: int,
    seed: int,
    *,
    epochs: int = EPOCHS,
    eps0: float = EPS0,
    eps_fin: float = EPS_FIN,
    radius: float = R_FIN,
    reference: bool = False,
    precision: str = "float64",
) -> ClusterResult:
    """kMC: :func:`~cellbench.cluster.ng.neural_gas` with R0 = Rfin = ``radius`` (0.001)."""
    return neural_gas(
        data,
        k,
        seed,
        epochs=epochs,
        eps0=eps0,
        eps_fin=eps_fin,
        r0=radius,
        r_fin=radius,
        reference=reference,
        precision=precision,
    )
