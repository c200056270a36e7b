"""Rule `overview_table`: every method on every dataset, mean ± std over runs."""

from cellbench.tables.overview import overview_table
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    overview_table(snakemake.input, snakemake.output)
