"""Rule `infogan_evaluate`: Tables I-IV numbers of one seed (held-out cells, k-fold images)."""

from cellbench.methods.infogan.config import InfoganConfig
from cellbench.methods.infogan.pipeline import evaluate_run
from cellbench.workflow import config_digest, script_logging, set_threads

set_threads(snakemake.threads)

with script_logging(snakemake.log[0]):
    cfg = InfoganConfig.model_validate(snakemake.params.cfg)
    evaluate_run(
        snakemake.input.cells,
        dict(zip(snakemake.params.ks, snakemake.input.models, strict=True)),
        snakemake.output[0],
        seed=int(snakemake.wildcards.seed),
        categories=cfg.categories,
        folds=cfg.cv_folds,
        config_digest=config_digest(snakemake.config),
    )
