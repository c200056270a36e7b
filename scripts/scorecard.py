"""Rule `scorecard`: every published number cellbench regenerates, ours beside it."""

from cellbench.benchmark.scorecard.card import write_scorecard
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    write_scorecard(
        snakemake.input.published,
        snakemake.input.tables,
        snakemake.input.spoco,
        snakemake.input.groups,
        snakemake.input.provenance,
        list(snakemake.output),
        preset=snakemake.params.preset,
        **snakemake.params.cfg,
    )
