"""Rule `cellulus_train`: self-supervised OCE training on the train split of one dataset."""

from cellbench.methods.cellulus.config import CellulusConfig
from cellbench.methods.cellulus.train import train
from cellbench.methods.predict import working_scale
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    train(
        snakemake.input[0],
        snakemake.output[0],
        CellulusConfig.model_validate(snakemake.params.cfg),
        seed=snakemake.params.seed,
        scale=working_scale(snakemake.input[0], snakemake.params.scale),
        device=snakemake.params.device,
        mixed_precision=snakemake.params.mixed_precision,
        config_digest=config_digest(snakemake.config),
    )
