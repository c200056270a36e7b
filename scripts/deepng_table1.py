"""Rule `deepng_table1`: Table I of paper 000 (MAP known / unknown / all) and the per-run table."""

from cellbench.tables.deepng import deepng_table1
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    deepng_table1(
        snakemake.input.summaries,
        snakemake.input.entropies,
        snakemake.input.otsu[0] if snakemake.input.otsu else None,
        snakemake.input.paper,
        [snakemake.output.csv, snakemake.output.md, snakemake.output.tex],
        snakemake.output.runs,
        known_groups=snakemake.params.known_groups,
    )
