"""Rule `contrastive_fig3`: Fig. 3 style TP/FN/FP overlays of the CSL run with the highest
training selection Dice of every dataset."""

from cellbench.plots.contrastive import fig3
from cellbench.workflow import script_logging

runs = snakemake.params.runs
models, predictions = snakemake.input.models, snakemake.input.predictions
# The rule lists models and predictions dataset by dataset, runs in the order of params.runs.
per_dataset = [
    (
        root,
        list(
            zip(
                runs,
                models[i * len(runs) : (i + 1) * len(runs)],
                predictions[i * len(runs) : (i + 1) * len(runs)],
                strict=True,
            )
        ),
    )
    for i, root in enumerate(snakemake.input.datasets)
]

with script_logging(snakemake.log[0]):
    fig3(per_dataset, snakemake.output.png)
