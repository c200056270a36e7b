"""Rule `infogan_tables`: paper 002 Tables I-IV from the evaluation files + published numbers."""

from pathlib import Path

from cellbench.methods.infogan.report import build_tables
from cellbench.workflow import script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    build_tables(
        [Path(p) for p in snakemake.input.evaluations],
        Path(snakemake.input.paper),
        list(snakemake.params.datasets),
        list(snakemake.params.seeds),
        list(snakemake.output),
        dnn=[Path(p) for p in snakemake.input.dnn],
    )
