"""Rule `cellulus_fig5`: supported supervision (StarDist-style network, sparse vs sparse + pseudo)."""

from cellbench.methods.cellulus.supported import SupportedConfig, supported_supervision
from cellbench.plots.cellulus import fig5
from cellbench.workflow import script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    config = SupportedConfig.model_validate(snakemake.params.cfg)
    supported_supervision(
        snakemake.input.model,
        snakemake.input.dataset,
        snakemake.output.csv,
        config,
        seed=config.seed,
        device=snakemake.params.device,
    )
    fig5(snakemake.output.csv, snakemake.output.png, snakemake.output.pdf)
