"""Config validation, wildcard constraints and small helpers shared by all rule files."""

import functools
from pathlib import Path

from snakemake.exceptions import WorkflowError

from cellbench.config import validate_config
from cellbench.workflow import export_config_digest

# The validated config of every method package (cellbench.methods.<name>); a method absent from
# the config gets its defaults, i.e. no datasets: off.
METHOD_CONFIGS = validate_config(
    config, Path(workflow.current_basedir).parent / "schemas"
)
# Every job records the digest of the resolved config; resolved here once for all of them.
export_config_digest(config)
FINAL_OUTPUTS: list[str] = []
# Threads of a multi-threaded job (training, inference): every core of a local run (--cores N).
# Without --cores (a remote executor such as SLURM, where each job asks for its own CPUs, or a
# command that runs no job: --unlock, --report) workflow.cores is undefined: the config's
# remote_job_threads.
try:
    JOB_THREADS = workflow.cores
except WorkflowError:
    JOB_THREADS = config["remote_job_threads"]
# Capped by the config's job_threads (0: no cap), on which torch's CPU results depend.
if config["job_threads"]:
    JOB_THREADS = min(JOB_THREADS, config["job_threads"])
# Threads of a short inference job (a few seconds, much of it imports): half of JOB_THREADS, so
# that two run side by side instead of one after the other.
INFERENCE_THREADS = max(1, JOB_THREADS // 2)
EVALUATIONS: list[str] = []
# Real datasets annotated with one dot per nucleus only (docs/datasets.md): their summaries hold
# dot-detection scores, not the mask metrics, so they are final outputs of their own rather than
# rows of the overview and benchmark tables.
POINT_DATASETS = {"marrow-a"}


wildcard_constraints:
    dataset=r"[a-z0-9][a-z0-9-]*",
    method=r"[a-z][a-z0-9_]*",
    run=r"[A-Za-z0-9][A-Za-z0-9_.=-]*",


def register_final_outputs(*paths):
    """Add outputs that `rule all` builds (tables, figures)."""
    FINAL_OUTPUTS.extend(str(path) for path in paths)


def evaluation_summary(method, dataset, run, overview=True):
    """Path of one evaluation summary; with ``overview`` the overview table collects it
    (a points-annotated dataset's summary is a final output instead)."""
    path = f"results/evaluation/{method}/{dataset}/{run}/summary.json"
    if dataset in POINT_DATASETS:
        if path not in FINAL_OUTPUTS:
            register_final_outputs(path)
    elif overview and path not in EVALUATIONS:
        EVALUATIONS.append(path)
    return path


def paper_evaluations():
    """The registered evaluation summaries of the papers' datasets: those of the benchmark_only
    datasets are scored for the benchmark and never compared with a paper."""

    def of_a_paper_dataset(path):
        method, dataset = Path(path).parts[2:4]
        return (
            method not in METHOD_CONFIGS
            or dataset not in METHOD_CONFIGS[method].benchmark_only
        )

    return [path for path in EVALUATIONS if of_a_paper_dataset(path)]


def method_config(method):
    """The validated config (``cellbench.methods.<method>.config``) of a method."""
    return METHOD_CONFIGS[method]


@functools.cache
def dataset_config(method, dataset):
    """The config of a method on one dataset: its ``overrides`` for that dataset applied
    (validated once per method and dataset, however many jobs and params ask)."""
    return METHOD_CONFIGS[method].for_dataset(dataset)


def dataset_params(method, *keys):
    """Rule params: the values of ``keys`` of ``method`` on the job's dataset (its overrides
    applied; only these keys, so that a change elsewhere never reruns the job)."""
    return lambda wildcards: dataset_config(method, wildcards.dataset).job_params(*keys)


def dataset_scale(method):
    """Rule param: the ``scale`` of ``method`` on the job's dataset (its overrides applied)."""
    return lambda wildcards: dataset_config(method, wildcards.dataset).scale


def method_datasets(method):
    """Datasets a method runs on: none when it is disabled."""
    return METHOD_CONFIGS[method].active_datasets()


def configured_datasets():
    """Every dataset that some enabled method runs on."""
    return sorted({d for m in METHOD_CONFIGS for d in method_datasets(m)})


def get_final_output(wildcards):
    return FINAL_OUTPUTS
