"""Online vector quantisation of latent features (paper 000, Section II-D).

* :func:`~cellbench.cluster.kmc.online_kmeans` — pattern-by-pattern k-means (kMC),
* :func:`~cellbench.cluster.ng.neural_gas` — Neural Gas (NG), eqs. 1–5,
* :func:`~cellbench.cluster.gng.growing_neural_gas` — Growing Neural Gas (GNG), eqs. 6–7,
* :func:`~cellbench.cluster.entropy.normalized_entropy` — entropy of the cluster sizes (Fig. 8).

Every algorithm is seeded: the seed fixes the initial centroids and the data order of each epoch.
"""

from cellbench.cluster.entropy import cluster_sizes, normalized_entropy
from cellbench.cluster.gng import GNGResult, growing_neural_gas
from cellbench.cluster.kmc import online_kmeans
from cellbench.cluster.ng import ClusterResult, assign, neural_gas

__all__ = [
    "ClusterResult",
    "GNGResult",
    "assign",
    "cluster_sizes",
    "growing_neural_gas",
    "neural_gas",
    "normalized_entropy",
    "online_kmeans",
]
