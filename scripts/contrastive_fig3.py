"""Rule `contrastive_fig3`: Fig. 3 style TP/FN/FP overlays of the CSL run with the highest
training selection Dice of every dataset."""

from itertools import accumulate

from cellbench.plots.contrastive import fig3
from cellbench.workflow import script_logging

# The rule lists models and predictions dataset by dataset, each dataset's runs in the order of
# its list in params.runs.
models, predictions = snakemake.input.models, snakemake.input.predictions
ends = list(accumulate(len(runs) for runs in snakemake.params.runs))
per_dataset = [
    (
        root,
        list(
            zip(
                runs, models[end - len(runs) : end], predictions[end - len(runs) : end], strict=True
            )
        ),
    )
    for root, runs, end in zip(snakemake.input.datasets, snakemake.params.runs, ends, strict=True)
]

with script_logging(snakemake.log[0]):
    fig3(per_dataset, snakemake.output.png)
