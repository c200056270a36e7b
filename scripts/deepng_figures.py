"""Rule `deepng_fig_map`: Fig. 6 (MAP vs k, known), Fig. 7 (unknown), Fig. 8 (entropy std)."""

from cellbench.plots.deepng import entropy_figure, map_figure
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    figure = snakemake.wildcards.figure
    if figure == "fig8":
        entropy_figure(snakemake.input[0], snakemake.output.png, snakemake.output.pdf)
    else:
        subset = "known" if figure == "fig6" else "unknown"
        map_figure(snakemake.input[0], subset, snakemake.output.png, snakemake.output.pdf)
