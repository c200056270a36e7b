"""cellbench: one DAG from data to tables, figures and the HTML report.

Default: the embedded synthetic suite on a CPU (config/config.yaml).
Paper scale on the real datasets: snakemake --configfile config/paper.yaml
"""

import os

from cellbench.config import check_config_files
from cellbench.methods.contract import discover_methods
from cellbench.workflow import MALLOC_TUNING

# A YAML syntax error or a key given twice names its file and line (Snakemake's own loader keeps
# the last of two keys; a syntax error in a --configfile is reported by Snakemake before this).
check_config_files(["config/config.yaml", *workflow.overwrite_configfiles])

# Jobs record this checkout's commit beside their working directory's (cellbench.provenance).
# Set, not read: update() keeps the envvars lint (about required inputs) quiet.
os.environ.update(CELLBENCH_WORKFLOW_DIR=workflow.basedir)
# glibc malloc settings of the jobs (cellbench.workflow.MALLOC_TUNING; other C libraries ignore
# them); values already in the environment win.
for _name, _value in MALLOC_TUNING.items():
    os.environ.setdefault(_name, _value)


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/real_data.smk"


# Discovery by convention: every method package cellbench/methods/<name>/ (one with a config.py)
# brings its rule file workflow/rules/<name>.smk; nothing else lists the methods.
for _method in discover_methods():

    include: f"workflow/rules/{_method}.smk"


include: "workflow/rules/pretrained.smk"
include: "workflow/rules/evaluate.smk"
# After every method: the benchmark collects the evaluation summaries they register.
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/scorecard.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        get_final_output,
