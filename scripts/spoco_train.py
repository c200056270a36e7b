"""Rule `spoco_train`: train one spoco network (mode and seed from the run name)."""

from cellbench.methods.spoco.config import SpocoConfig, parse_run
from cellbench.methods.spoco.train import train
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    mode, seed = parse_run(snakemake.wildcards.spoco_train)
    train(
        snakemake.input[0],
        snakemake.output.model,
        SpocoConfig.model_validate(snakemake.params.cfg),
        mode,
        seed,
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
