"""Rule `spoco_embedding_figure`: PCA of the embeddings beside image, GT and each clustering."""

from cellbench.plots.spoco import embedding_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    embedding_figure(
        snakemake.input.dataset,
        snakemake.input.embeddings,
        snakemake.input.predictions,
        snakemake.output.png,
        snakemake.output.pdf,
    )
