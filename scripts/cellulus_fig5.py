"""Rule `cellulus_fig5`: supported supervision (StarDist-style network, sparse vs sparse + pseudo)."""

import torch

from cellbench.methods.cellulus.supported import SupportedConfig, supported_supervision
from cellbench.plots.cellulus import fig5
from cellbench.workflow import script_logging

torch.set_num_threads(max(1, snakemake.threads))

with script_logging(snakemake.log[0]):
    supported_supervision(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output.csv,
        SupportedConfig.from_mapping(snakemake.params.cfg),
        seed=snakemake.params.seed,
        device=snakemake.params.device,
    )
    fig5(snakemake.output.csv, snakemake.output.png, snakemake.output.pdf)
