"""Rule `infogan_dnn`: DNN rows of Tables I (L2-SVM) and III (k-means) of one seed."""

from cellbench.methods.infogan.pipeline import dnn_evaluate_run
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    dnn_evaluate_run(
        snakemake.input.cells,
        snakemake.input.features,
        snakemake.output[0],
        seed=int(snakemake.wildcards.seed),
        categories=snakemake.params.categories,
        config_digest=config_digest(snakemake.config),
    )
