"""Rule `cellulus_table2`: Table 2 (scale sweep, F1/SEG vs scale factor) from evaluation summaries."""

from cellbench.tables.cellulus import table2
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    table2(snakemake.input.summaries, snakemake.input.published, snakemake.output)
