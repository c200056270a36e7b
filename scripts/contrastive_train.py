"""Rule `contrastive_train`: one CSL run (seed from the wildcard) on the train split."""

from cellbench.methods.contrastive.config import ContrastiveConfig
from cellbench.methods.contrastive.train import train
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    train(
        snakemake.input[0],
        snakemake.output[0],
        ContrastiveConfig.model_validate(snakemake.params.cfg),
        seed=int(snakemake.wildcards.cseed),
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
