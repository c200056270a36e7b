"""cellulus (Wolf, Lalit et al.): OCE training, bandwidth/shrink selection, prediction, Tables 1–2, figures."""

# Rule files share one namespace: modules are imported under the method's name.
from cellbench.methods.cellulus import config as cellulus_config
from cellbench.methods.cellulus import runs as cellulus_runs

CELLULUS = method_config("cellulus")
CELLULUS_DATASETS = CELLULUS.active_datasets()
# Table 1, the figures and the pretrained rows: the datasets not listed as benchmark_only.
CELLULUS_PAPER_DATASETS = CELLULUS.paper_datasets()
# Seeds per dataset (a dataset's overrides may list its own).
CELLULUS_SEEDS = {
    dataset: dataset_config("cellulus", dataset).seeds for dataset in CELLULUS_DATASETS
}
CELLULUS_SWEEP = CELLULUS.scale_sweep
CELLULUS_SWEEP_DATASETS = CELLULUS_SWEEP.datasets if CELLULUS_DATASETS else []
# Factor 1.0 of the sweep is the seed run itself (same network, same scale).
CELLULUS_SWEEP_RUNS = [
    cellulus_runs.run_name(CELLULUS_SWEEP.seed, None if scale == 1 else scale)
    for scale in CELLULUS_SWEEP.scales
]
CELLULUS_FIG5 = CELLULUS.fig5
# Its job holds only the threads its networks use (fig5.threads; 0 = the job's).
CELLULUS_FIG5_THREADS = min(JOB_THREADS, CELLULUS_FIG5.threads or JOB_THREADS)
# Optional pretrained baselines of Table 1 (rules in pretrained.smk).
PRETRAINED = CELLULUS.pretrained
PRETRAINED_TOOLS = PRETRAINED.tools if CELLULUS_PAPER_DATASETS else []
PRETRAINED_MODELS = {
    "stardist": PRETRAINED.stardist_model,
    "cellpose": PRETRAINED.cellpose_model,
}
# The otsu_watershed rows of Table 1, where the baseline runs on the dataset.
CELLULUS_BASELINE_DATASETS = [
    d for d in CELLULUS_PAPER_DATASETS if d in method_datasets("otsu_watershed")
]
# Scale of a run on its dataset: the dataset's ``scale`` × the run's sweep factor.
CELLULUS_RUN_SCALE = lambda wildcards: cellulus_runs.run_scale(
    wildcards.run, dataset_config("cellulus", wildcards.dataset).scale
)


rule cellulus_train:
    input:
        "results/data/{dataset}",
    output:
        "results/models/cellulus/{dataset}/{run}/trained.pt",
    log:
        "results/logs/cellulus_train/{dataset}/{run}.log",
    benchmark:
        "results/benchmarks/cellulus_train/{dataset}/{run}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=lambda wildcards, attempt: 720 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        cfg=dataset_params("cellulus", *cellulus_config.TRAIN_KEYS),
        scale=CELLULUS_RUN_SCALE,
        seed=lambda wildcards: cellulus_runs.parse_run(wildcards.run)[0],
        device=config["device"],
        mixed_precision=config.get("mixed_precision", False),
    script:
        "../../scripts/cellulus_train.py"


rule cellulus_select:
    input:
        trained=lambda wildcards: cellulus_runs.trained_checkpoint(
            wildcards.dataset, wildcards.run, CELLULUS_SWEEP.retrain
        ),
        dataset="results/data/{dataset}",
    output:
        model="results/models/cellulus/{dataset}/{run}/model.pt",
        scores="results/models/cellulus/{dataset}/{run}/selection.csv",
    log:
        "results/logs/cellulus_select/{dataset}/{run}.log",
    benchmark:
        "results/benchmarks/cellulus_select/{dataset}/{run}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: INFERENCE_THREADS
    resources:
        gpu=1,
        runtime=lambda wildcards, attempt: 240 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        inference=dataset_params("cellulus", *cellulus_config.INFERENCE_KEYS),
        select=dataset_params("cellulus", *cellulus_config.SELECT_KEYS),
        scale=CELLULUS_RUN_SCALE,
        device=config["device"],
    script:
        "../../scripts/cellulus_select.py"


rule cellulus_predict:
    input:
        model="results/models/cellulus/{dataset}/{run}/model.pt",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/cellulus/{dataset}/{run}"),
    log:
        "results/logs/cellulus_predict/{dataset}/{run}.log",
    benchmark:
        "results/benchmarks/cellulus_predict/{dataset}/{run}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: INFERENCE_THREADS
    resources:
        gpu=1,
        runtime=lambda wildcards, attempt: 120 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        method="cellulus",
        seed=lambda wildcards: cellulus_runs.parse_run(wildcards.run)[0],
        scale=CELLULUS_RUN_SCALE,
        device=config["device"],
    script:
        "../../scripts/predict.py"


rule cellulus_table1:
    input:
        cellulus=[
            evaluation_summary("cellulus", dataset, cellulus_runs.run_name(seed))
            for dataset in CELLULUS_PAPER_DATASETS
            for seed in CELLULUS_SEEDS[dataset]
        ],
        baseline=[
            evaluation_summary("otsu_watershed", dataset, "default")
            for dataset in CELLULUS_BASELINE_DATASETS
        ],
        pretrained=[
            evaluation_summary(tool, dataset, "pretrained")
            for tool in PRETRAINED_TOOLS
            for dataset in CELLULUS_PAPER_DATASETS
        ],
        published="config/paper_results/cellulus_table1.csv",
    output:
        report(
            "results/tables/cellulus_table1.csv",
            caption="../report/cellulus_table1.rst",
            category="cellulus",
        ),
        "results/tables/cellulus_table1.md",
        "results/tables/cellulus_table1.tex",
    log:
        "results/logs/cellulus_table1.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/cellulus_table1.py"


rule cellulus_table2:
    input:
        summaries=[
            evaluation_summary(
                "cellulus", dataset, run, overview=not run.startswith("scale")
            )
            for dataset in CELLULUS_SWEEP_DATASETS
            for run in CELLULUS_SWEEP_RUNS
        ],
        published="config/paper_results/cellulus_table2.csv",
    output:
        report(
            "results/tables/cellulus_table2.csv",
            caption="../report/cellulus_table2.rst",
            category="cellulus",
        ),
        "results/tables/cellulus_table2.md",
        "results/tables/cellulus_table2.tex",
    log:
        "results/logs/cellulus_table2.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/cellulus_table2.py"


rule cellulus_embedding_figure:
    input:
        model="results/models/cellulus/{dataset}/{run}/model.pt",
        dataset="results/data/{dataset}",
    output:
        png=report(
            "results/figures/cellulus_embeddings_{dataset}_{run}.png",
            caption="../report/cellulus_embeddings.rst",
            category="cellulus",
        ),
        pdf="results/figures/cellulus_embeddings_{dataset}_{run}.pdf",
    log:
        "results/logs/cellulus_embedding_figure/{dataset}/{run}.log",
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    params:
        n_images=3,
        device=config["device"],
    script:
        "../../scripts/cellulus_embedding_figure.py"


# The benchmark-only datasets: their runs are scored (for the benchmark), in no paper table.
for _dataset in CELLULUS_DATASETS:
    if _dataset not in CELLULUS_PAPER_DATASETS:
        for _seed in CELLULUS_SEEDS[_dataset]:
            evaluation_summary("cellulus", _dataset, cellulus_runs.run_name(_seed))

if CELLULUS_PAPER_DATASETS:
    register_final_outputs(
        *rules.cellulus_table1.output,
        *(
            f"results/figures/cellulus_embeddings_{dataset}_{cellulus_runs.run_name(CELLULUS_SEEDS[dataset][0])}.{ext}"
            for dataset in CELLULUS_PAPER_DATASETS
            for ext in ("png", "pdf")
        ),
    )
if CELLULUS_SWEEP_DATASETS and CELLULUS_SWEEP_RUNS:
    register_final_outputs(*rules.cellulus_table2.output)


rule cellulus_fig5:
    input:
        model=lambda wildcards: (
            f"results/models/cellulus/{CELLULUS_FIG5.dataset}/"
            f"{cellulus_runs.run_name(CELLULUS_FIG5.seed)}/model.pt"
        ),
        dataset=lambda wildcards: f"results/data/{CELLULUS_FIG5.dataset}",
    output:
        csv="results/tables/cellulus_fig5.csv",
        png=report(
            "results/figures/cellulus_fig5.png",
            caption="../report/cellulus_fig5.rst",
            category="cellulus",
        ),
        pdf="results/figures/cellulus_fig5.pdf",
    log:
        "results/logs/cellulus_fig5.log",
    benchmark:
        "results/benchmarks/cellulus_fig5.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: CELLULUS_FIG5_THREADS
    resources:
        gpu=1,
    params:
        cfg=CELLULUS_FIG5.to_dict(),
        device=config["device"],
    script:
        "../../scripts/cellulus_fig5.py"


if CELLULUS_DATASETS and CELLULUS_FIG5.dataset:
    register_final_outputs(*rules.cellulus_fig5.output)
