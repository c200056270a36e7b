"""Rule `deepng_fig2`: t-SNE of the 32-D latent space by cell type and by cluster."""

from cellbench.plots.deepng import tsne_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    tsne_figure(
        snakemake.input.features,
        snakemake.input.assignments,
        snakemake.params.run,
        snakemake.output.png,
        snakemake.output.pdf,
        seed=snakemake.params.seed,
    )
