"""Rule `benchmark_figures`: heatmap of the benchmark matrix and critical-difference diagram."""

from cellbench.plots.benchmark import cd_figure, heatmap_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    heatmap_figure(
        snakemake.input.table, snakemake.output.heatmap_png, snakemake.output.heatmap_pdf
    )
    cd_figure(snakemake.input.ranks, snakemake.output.cd_png, snakemake.output.cd_pdf)
