"""Rule `infogan_dnn_features`: ResNet-50 features of every cell (optional DNN baseline)."""

from cellbench.methods.infogan.config import DnnConfig
from cellbench.methods.infogan.pipeline import dnn_features_run
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    dnn_features_run(
        snakemake.input.cells,
        snakemake.output[0],
        DnnConfig.model_validate(snakemake.params.cfg),
        seed=snakemake.params.seed,
        device=snakemake.params.device,
        config_digest=config_digest(snakemake.config),
    )
