"""Rule `contrastive_table2`: Table 2 from evaluation summaries and model files."""

from cellbench.tables.contrastive import table2
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    table2(
        snakemake.input.csl,
        snakemake.input.models,
        snakemake.input.threshold,
        snakemake.input.cnn,
        snakemake.input.cnn_models,
        snakemake.input.otsu,
        snakemake.input.published,
        snakemake.output,
    )
