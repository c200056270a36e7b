"""Rule `overview_figure`: bar chart of the overview table."""

from cellbench.plots.overview import overview_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    overview_figure(snakemake.input[0], snakemake.output.png, snakemake.output.pdf)
