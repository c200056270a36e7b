"""Rule `real_data_dsb_partition_figure`: example images of each DSB cell type CT1..CT7."""

from cellbench.data.sources.partition import draw_partition_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    draw_partition_figure(snakemake.input[0], snakemake.output.png, snakemake.output.pdf)
