"""Rules `<method>_fit`: fit a method whose training is one function on a prepared dataset.

Calls ``cellbench.methods.<params.method>.fit(dataset, model, config, config_digest=...)`` with
the method's config rebuilt from the keys the rule passes (``params.cfg``). The methods fitted
this way (otsu_watershed, infogan's nuclei segmentation) are classical: no torch threads to set.
"""

import importlib

from cellbench.methods.contract import config_class
from cellbench.workflow import config_digest, script_logging

with script_logging(snakemake.log[0]):
    method = snakemake.params.method
    importlib.import_module(f"cellbench.methods.{method}").fit(
        snakemake.input[0],
        snakemake.output[0],
        config_class(method).model_validate(snakemake.params.cfg),
        config_digest=config_digest(snakemake.config),
    )
