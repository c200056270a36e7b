"""Rule `cellulus_embedding_figure`: predicted embeddings, foreground and segmentation of test images."""

from cellbench.plots.cellulus import embedding_figure
from cellbench.workflow import script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    embedding_figure(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output.png,
        snakemake.output.pdf,
        n_images=snakemake.params.n_images,
        device=snakemake.params.device,
    )
