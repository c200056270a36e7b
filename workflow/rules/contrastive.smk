"""contrastive (paper 003): CSL runs, the two baselines of Table 2, Table 2 and figures."""

from cellbench.methods.contrastive.config import config_from_mapping
from cellbench.methods.contrastive.rules import (
    predict_params,
    threshold_params,
    train_params,
)

CONTRASTIVE = config_from_mapping(config["methods"].get("contrastive"))
CONTRASTIVE_RUNS = [f"seed{seed}" for seed in CONTRASTIVE.seeds]


wildcard_constraints:
    cseed=r"\d+",


rule contrastive_train:
    input:
        "results/data/{dataset}",
    output:
        "results/models/contrastive/{dataset}/seed{cseed}/model.pt",
    log:
        "results/logs/contrastive_train/{dataset}/seed{cseed}.log",
    benchmark:
        "results/benchmarks/contrastive_train/{dataset}/seed{cseed}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        cfg=train_params(CONTRASTIVE),
        device=config["device"],
    script:
        "../../scripts/contrastive_train.py"


rule contrastive_cnn_train:
    input:
        "results/data/{dataset}",
    output:
        "results/models/contrastive_cnn/{dataset}/seed{cseed}/model.pt",
    log:
        "results/logs/contrastive_cnn_train/{dataset}/seed{cseed}.log",
    benchmark:
        "results/benchmarks/contrastive_cnn_train/{dataset}/seed{cseed}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        cfg=train_params(CONTRASTIVE),
        device=config["device"],
    script:
        "../../scripts/contrastive_cnn_train.py"


rule contrastive_threshold_fit:
    input:
        "results/data/{dataset}",
    output:
        "results/models/contrastive_threshold/{dataset}/default/model.json",
    log:
        "results/logs/contrastive_threshold_fit/{dataset}.log",
    benchmark:
        "results/benchmarks/contrastive_threshold_fit/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        cfg=threshold_params(CONTRASTIVE),
    script:
        "../../scripts/contrastive_threshold_fit.py"


rule contrastive_predict:
    input:
        model="results/models/{cmethod}/{dataset}/{run}/model.pt",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/{cmethod}/{dataset}/{run}"),
    log:
        "results/logs/{cmethod}_predict/{dataset}/{run}.log",
    benchmark:
        "results/benchmarks/{cmethod}_predict/{dataset}/{run}.tsv"
    wildcard_constraints:
        cmethod="contrastive|contrastive_cnn",
    conda:
        "../../envs/torch.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        cfg=predict_params(CONTRASTIVE),
        device=config["device"],
    script:
        "../../scripts/contrastive_predict.py"


rule contrastive_threshold_predict:
    input:
        model="results/models/contrastive_threshold/{dataset}/default/model.json",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/contrastive_threshold/{dataset}/default"),
    log:
        "results/logs/contrastive_threshold_predict/{dataset}.log",
    benchmark:
        "results/benchmarks/contrastive_threshold_predict/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        cfg=predict_params(CONTRASTIVE),
        device="cpu",
    script:
        "../../scripts/contrastive_predict.py"


rule contrastive_table2:
    input:
        csl=[
            evaluation_summary("contrastive", dataset, run)
            for dataset in CONTRASTIVE.datasets
            for run in CONTRASTIVE_RUNS
        ],
        models=[
            f"results/models/contrastive/{dataset}/{run}/model.pt"
            for dataset in CONTRASTIVE.datasets
            for run in CONTRASTIVE_RUNS
        ],
        threshold=[
            evaluation_summary("contrastive_threshold", dataset, "default")
            for dataset in CONTRASTIVE.datasets
        ],
        cnn=[
            evaluation_summary(
                "contrastive_cnn", dataset, f"seed{CONTRASTIVE.cnn_seed}"
            )
            for dataset in CONTRASTIVE.datasets
        ],
        cnn_models=[
            f"results/models/contrastive_cnn/{dataset}/seed{CONTRASTIVE.cnn_seed}/model.pt"
            for dataset in CONTRASTIVE.datasets
        ],
        otsu=[
            evaluation_summary("otsu_watershed", dataset, "default")
            for dataset in CONTRASTIVE.datasets
        ],
        published="config/paper_results/contrastive_table2.csv",
    output:
        "results/tables/contrastive_table2.csv",
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
            for dataset in CONTRASTIVE.datasets
            for run in CONTRASTIVE_RUNS
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


if CONTRASTIVE.datasets:
    register_final_outputs(
        "results/tables/contrastive_table2.csv",
        "results/figures/contrastive_dice_curves.png",
    )
