"""Rule `contrastive_curves`: Dice-per-epoch curves of all runs and the Fig. 4 style plot."""

from cellbench.plots.contrastive import dice_curves, fig4
from cellbench.workflow import script_logging

with script_logging(snakemake.log[0]):
    dice_curves(snakemake.input.models, snakemake.output[0])
    fig4(snakemake.input.models[0], snakemake.output[1])
