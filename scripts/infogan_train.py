"""Rule `infogan_train`: WGAN-GP + InfoGAN on the training images' cells of one dataset."""

from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.pipeline import train_run
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    train_run(
        snakemake.input[0],
        snakemake.output[0],
        InfoganConfig.model_validate(snakemake.params.cfg),
        seed=int(snakemake.wildcards.seed),
        categories=int(snakemake.wildcards.k),
        config_digest=config_digest(snakemake.config),
        device=snakemake.params.device,
    )
