"""Rule `cellulus_table1`: Table 1 (F1@0.5, SEG per dataset) from evaluation summaries."""

from cellbench.tables.cellulus import table1
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    table1(
        snakemake.input.cellulus,
        snakemake.input.baseline,
        snakemake.input.pretrained,
        snakemake.input.published,
        snakemake.output,
    )
