"""Rule `spoco_tables`: Tables 1, 14/15 and 16 from evaluation summaries and the paper's numbers."""

from cellbench.tables.spoco import tables
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    tables(
        snakemake.input.spoco,
        snakemake.input.predictions,
        snakemake.input.baseline,
        snakemake.input.published,
        dict(snakemake.output.items()),
    )
