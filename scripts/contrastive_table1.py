"""Rule `contrastive_table1`: Table 1 and its hold-out from the sweep's run files."""

from cellbench.tables.contrastive import table1
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    table1(
        snakemake.input.runs,
        snakemake.params.patches,
        snakemake.params.patch_size,
        snakemake.input.published,
        snakemake.output.table,
        snakemake.output.split,
    )
