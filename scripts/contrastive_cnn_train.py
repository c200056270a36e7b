"""Rule `contrastive_cnn_train`: the supervised CNN baseline (same network, BCE)."""

from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.supervised import train
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    cfg = ContrastiveConfig.model_validate(snakemake.params.cfg)
    train(
        snakemake.input[0],
        snakemake.output[0],
        cfg.model_copy(update={"cnn_seed": int(snakemake.wildcards.cseed)}),
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
