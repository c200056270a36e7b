"""Rule `spoco_predict`: one clustering of the embeddings → label TIFFs for the shared evaluation."""

from cellbench.methods.spoco.labels import cluster_dataset
from cellbench.workflow import config_digest, script_logging

with script_logging(snakemake.log[0]):
    cluster_dataset(
        snakemake.input.embeddings,
        snakemake.input.dataset,
        snakemake.output[0],
        snakemake.wildcards.clustering,
        snakemake.wildcards.fg,
        snakemake.params.cfg,
        config_digest=config_digest(snakemake.config),
    )
