"""Rule `deepng_cluster`: kMC / NG / GNG on the latent features, with the size entropy."""

from cellbench.methods.deepng.clustering import cluster_features
from cellbench.methods.deepng.config import DeepNGConfig
from cellbench.workflow import config_digest, script_logging

# NumPy/numba only: no torch threads to set (torch's import would cost ~2 s).

with script_logging(snakemake.log[0]):
    cluster_features(
        snakemake.input[0],
        snakemake.output.assignments,
        snakemake.output.entropy,
        snakemake.params.algo,
        snakemake.params.k,
        snakemake.params.seed,
        DeepNGConfig.from_dict(snakemake.params.cfg),
        config_digest=config_digest(snakemake.config),
    )
