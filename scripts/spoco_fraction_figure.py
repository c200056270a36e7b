"""Rule `spoco_fraction_figure`: SBD against the annotated fraction, ours beside the paper's."""

from cellbench.plots.spoco import fraction_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    fraction_figure(snakemake.input[0], snakemake.output.png, snakemake.output.pdf)
