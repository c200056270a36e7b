"""contrastive (paper 003): CSL runs, the two baselines of Table 2, Table 2 and figures.

Runs of a dataset (models under results/models/contrastive/{dataset}/{run}): seed<N> (CSL),
cnn-seed<N> (supervised CNN baseline), threshold (intensity-threshold baseline).
"""

from cellbench.methods.contrastive import runs as contrastive_runs
from cellbench.methods.contract import PER_RUN_KEYS

CONTRASTIVE = method_config("contrastive")
# Table 2, the baselines and the figures: the datasets not listed as benchmark_only (on those,
# only the CSL runs, for the benchmark).
CONTRASTIVE_DATASETS = CONTRASTIVE.paper_datasets()
# CSL runs per dataset (a dataset's overrides may list its own seeds).
CONTRASTIVE_RUNS = {
    dataset: [
        contrastive_runs.csl_run(seed)
        for seed in dataset_config("contrastive", dataset).seeds
    ]
    for dataset in CONTRASTIVE.active_datasets()
}
CONTRASTIVE_CNN_RUN = contrastive_runs.cnn_run(CONTRASTIVE.cnn_seed)
# Keys a training job reads (CSL and CNN): post-processing radii are stored with the model.
CONTRASTIVE_TRAIN_KEYS = [
    key
    for key in type(CONTRASTIVE).model_fields
    if key not in (*PER_RUN_KEYS, "seeds", "threshold_grid", "table1")
]

# Table 1: one run file per dataset, (patches, patch size) cell and seed.
CONTRASTIVE_TABLE1 = CONTRASTIVE.table1
CONTRASTIVE_TABLE1_RUNS = [
    f"results/models/contrastive/{dataset}/table1/"
    f"{contrastive_runs.cell_name(patches, psize)}-seed{seed}.json"
    for dataset in (CONTRASTIVE_TABLE1.datasets if CONTRASTIVE.enabled else [])
    for patches, psize in contrastive_runs.sweep_cells(CONTRASTIVE)
    for seed in CONTRASTIVE_TABLE1.seeds
]


wildcard_constraints:
    cseed=r"\d+",
    patches=r"\d+",
    psize=r"\d+",


rule contrastive_train:
    input:
        "results/data/{dataset}",
    output:
        f"results/models/contrastive/{{dataset}}/{contrastive_runs.CSL_PATTERN}/model.pt",
    log:
        "results/logs/contrastive_train/{dataset}/seed{cseed}.log",
    benchmark:
        "results/benchmarks/contrastive_train/{dataset}/seed{cseed}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
    params:
        cfg=dataset_params("contrastive", *CONTRASTIVE_TRAIN_KEYS),
        device=config["device"],
    script:
        "../../scripts/contrastive_train.py"


rule contrastive_sweep:
    input:
        "results/data/{dataset}",
    output:
        f"results/models/contrastive/{{dataset}}/table1/{contrastive_runs.CELL_PATTERN}-seed{{cseed}}.json",
    log:
        f"results/logs/contrastive_sweep/{{dataset}}/{contrastive_runs.CELL_PATTERN}-seed{{cseed}}.log",
    benchmark:
        f"results/benchmarks/contrastive_sweep/{{dataset}}/{contrastive_runs.CELL_PATTERN}-seed{{cseed}}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
    params:
        cfg=dataset_params("contrastive", *CONTRASTIVE_TRAIN_KEYS),
        validation_fraction=CONTRASTIVE_TABLE1.validation_fraction,
        split_seed=CONTRASTIVE_TABLE1.split_seed,
        device=config["device"],
    script:
        "../../scripts/contrastive_sweep.py"


rule contrastive_table1:
    input:
        runs=CONTRASTIVE_TABLE1_RUNS,
        published="config/paper_results/contrastive_table1.csv",
    output:
        table=[
            report(
                "results/tables/contrastive_table1.csv",
                caption="../report/contrastive_table1.rst",
                category="contrastive",
            ),
            "results/tables/contrastive_table1.md",
            "results/tables/contrastive_table1.tex",
        ],
        split="results/tables/contrastive_table1_validation.csv",
    log:
        "results/logs/contrastive_table1.log",
    conda:
        "../../envs/core.yaml"
    params:
        patches=CONTRASTIVE.patches,
        patch_size=CONTRASTIVE.patch_size,
    script:
        "../../scripts/contrastive_table1.py"


rule contrastive_cnn_train:
    input:
        "results/data/{dataset}",
    output:
        f"results/models/contrastive/{{dataset}}/{contrastive_runs.CNN_PATTERN}/model.pt",
    log:
        "results/logs/contrastive_cnn_train/{dataset}/cnn-seed{cseed}.log",
    benchmark:
        "results/benchmarks/contrastive_cnn_train/{dataset}/cnn-seed{cseed}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
    params:
        cfg=dataset_params("contrastive", *CONTRASTIVE_TRAIN_KEYS),
        device=config["device"],
    script:
        "../../scripts/contrastive_cnn_train.py"


rule contrastive_threshold_fit:
    input:
        "results/data/{dataset}",
    output:
        f"results/models/contrastive/{{dataset}}/{contrastive_runs.THRESHOLD_RUN}/model.json",
    log:
        "results/logs/contrastive_threshold_fit/{dataset}.log",
    benchmark:
        "results/benchmarks/contrastive_threshold_fit/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    threads: 1
    params:
        cfg=dataset_params("contrastive", "scale", "epsilon", "threshold_grid"),
    script:
        "../../scripts/contrastive_threshold_fit.py"


rule contrastive_predict:
    input:
        model=lambda wildcards: (
            f"results/models/contrastive/{wildcards.dataset}/{wildcards.run}/"
            + contrastive_runs.model_file(wildcards.run)
        ),
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/contrastive/{dataset}/{run}"),
    log:
        "results/logs/contrastive_predict/{dataset}/{run}.log",
    benchmark:
        "results/benchmarks/contrastive_predict/{dataset}/{run}.tsv"
    wildcard_constraints:
        run=contrastive_runs.RUN_WILDCARD,
    conda:
        "../../envs/torch.yaml"
    threads: INFERENCE_THREADS
    resources:
        gpu=1,
    params:
        method="contrastive",
        seed=lambda wildcards: contrastive_runs.run_seed(wildcards.run),
        scale=dataset_scale("contrastive"),
        device=config["device"],
    script:
        "../../scripts/predict.py"


rule contrastive_table2:
    input:
        csl=[
            evaluation_summary("contrastive", dataset, run)
            for dataset in CONTRASTIVE_DATASETS
            for run in CONTRASTIVE_RUNS[dataset]
        ],
        models=[
            f"results/models/contrastive/{dataset}/{run}/model.pt"
            for dataset in CONTRASTIVE_DATASETS
            for run in CONTRASTIVE_RUNS[dataset]
        ],
        threshold=[
            evaluation_summary("contrastive", dataset, contrastive_runs.THRESHOLD_RUN)
            for dataset in CONTRASTIVE_DATASETS
        ],
        cnn=[
            evaluation_summary("contrastive", dataset, CONTRASTIVE_CNN_RUN)
            for dataset in CONTRASTIVE_DATASETS
        ],
        cnn_models=[
            f"results/models/contrastive/{dataset}/{CONTRASTIVE_CNN_RUN}/model.pt"
            for dataset in CONTRASTIVE_DATASETS
        ],
        otsu=[
            evaluation_summary("otsu_watershed", dataset, "default")
            for dataset in CONTRASTIVE_DATASETS
            if dataset in method_datasets("otsu_watershed")
        ],
        published="config/paper_results/contrastive_table2.csv",
    output:
        report(
            "results/tables/contrastive_table2.csv",
            caption="../report/contrastive_table2.rst",
            category="contrastive",
        ),
        "results/tables/contrastive_table2.md",
        "results/tables/contrastive_table2.tex",
    log:
        "results/logs/contrastive_table2.log",
    conda:
        "../../envs/torch.yaml"
    script:
        "../../scripts/contrastive_table2.py"


rule contrastive_curves:
    input:
        models=[
            f"results/models/contrastive/{dataset}/{run}/model.pt"
            for dataset in CONTRASTIVE_DATASETS
            for run in CONTRASTIVE_RUNS[dataset]
        ],
    output:
        "results/figures/contrastive_dice_curves.png",
        "results/figures/contrastive_fig4.png",
    log:
        "results/logs/contrastive_curves.log",
    conda:
        "../../envs/torch.yaml"
    script:
        "../../scripts/contrastive_curves.py"


rule contrastive_fig3:
    input:
        datasets=[f"results/data/{dataset}" for dataset in CONTRASTIVE_DATASETS],
        # Listed dataset by dataset, runs in the order of params.runs (the script relies on it).
        models=[
            f"results/models/contrastive/{dataset}/{run}/model.pt"
            for dataset in CONTRASTIVE_DATASETS
            for run in CONTRASTIVE_RUNS[dataset]
        ],
        predictions=[
            f"results/predictions/contrastive/{dataset}/{run}"
            for dataset in CONTRASTIVE_DATASETS
            for run in CONTRASTIVE_RUNS[dataset]
        ],
    output:
        png=report(
            "results/figures/contrastive_fig3.png",
            caption="../report/contrastive_fig3.rst",
            category="contrastive",
        ),
    log:
        "results/logs/contrastive_fig3.log",
    conda:
        "../../envs/torch.yaml"
    params:
        runs=[CONTRASTIVE_RUNS[dataset] for dataset in CONTRASTIVE_DATASETS],
    script:
        "../../scripts/contrastive_fig3.py"


for _dataset in CONTRASTIVE.active_datasets():
    if _dataset not in CONTRASTIVE_DATASETS:
        for _run in CONTRASTIVE_RUNS[_dataset]:
            evaluation_summary("contrastive", _dataset, _run)

if CONTRASTIVE_DATASETS:
    register_final_outputs(
        "results/tables/contrastive_table2.csv",
        "results/tables/contrastive_table2.md",
        "results/tables/contrastive_table2.tex",
        "results/figures/contrastive_dice_curves.png",
        "results/figures/contrastive_fig4.png",
        "results/figures/contrastive_fig3.png",
    )
if CONTRASTIVE_TABLE1_RUNS:
    register_final_outputs(
        "results/tables/contrastive_table1.csv",
        "results/tables/contrastive_table1.md",
        "results/tables/contrastive_table1.tex",
        "results/tables/contrastive_table1_validation.csv",
    )
