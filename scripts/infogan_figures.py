"""Rule `infogan_figures`: paper 002 Figs. 5, 8, 9, 10 of one dataset and seed."""

from pathlib import Path

from cellbench.methods.infogan.report import build_figures
from cellbench.workflow import script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    build_figures(
        Path(snakemake.input.evaluation),
        Path(snakemake.input.model),
        Path(snakemake.input.cells),
        list(snakemake.output),
        snakemake.params.seed,
    )
