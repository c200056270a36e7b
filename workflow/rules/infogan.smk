"""infogan (paper 002): nuclei segmentation, cell crops, WGAN-GP + InfoGAN, Tables I-IV, figures."""

INFOGAN = config["methods"].get("infogan", {})
INFOGAN_DATASETS = INFOGAN.get("datasets", [])
INFOGAN_SEG_DATASETS = INFOGAN.get("segmentation_datasets", [])
INFOGAN_SEEDS = INFOGAN.get("seeds", [])
# k of the main model and of Table II; keys left out take the paper's values (InfoganConfig).
INFOGAN_K = INFOGAN.get("categories", 5)
INFOGAN_KS = sorted({INFOGAN_K, *INFOGAN.get("table2_k", [4, 5, 6])})
INFOGAN_CELL_KEYS = ("cells", "crop_size", "segmentation")
INFOGAN_TRAIN_KEYS = (
    "crop_size",
    "noise_dim",
    "width",
    "batch_size",
    "iterations",
    "epochs",
    "critic_steps",
    "learning_rate",
    "betas",
    "lambda_gp",
    "lambda_info",
    "augmentation",
    "log_every",
)


# Only the configured keys a job reads (a change elsewhere does not rerun it).
INFOGAN_CELL_CFG = {key: INFOGAN[key] for key in INFOGAN_CELL_KEYS if key in INFOGAN}
INFOGAN_TRAIN_CFG = {key: INFOGAN[key] for key in INFOGAN_TRAIN_KEYS if key in INFOGAN}


rule infogan_nuclei:
    output:
        "results/models/infogan/nuclei/model.json",
    log:
        "results/logs/infogan_nuclei/model.log",
    conda:
        "../../envs/core.yaml"
    params:
        segmentation=INFOGAN.get("segmentation", {}),
        config_hash=CONFIG_HASH,
    script:
        "../../scripts/infogan_nuclei.py"


rule infogan_predict:
    input:
        model="results/models/infogan/nuclei/model.json",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/infogan/{dataset}/nuclei"),
    log:
        "results/logs/infogan_predict/{dataset}.log",
    benchmark:
        "results/benchmarks/infogan_predict/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    threads: workflow.cores
    params:
        method="infogan",
        seed=None,
        scale=None,
        device="cpu",
        config_hash=CONFIG_HASH,
    script:
        "../../scripts/predict.py"


rule infogan_cells:
    input:
        "results/data/{dataset}",
    output:
        directory("results/models/infogan/{dataset}/cells"),
    log:
        "results/logs/infogan_cells/{dataset}.log",
    benchmark:
        "results/benchmarks/infogan_cells/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    params:
        cfg=INFOGAN_CELL_CFG,
    script:
        "../../scripts/infogan_cells.py"


rule infogan_train:
    input:
        "results/models/infogan/{dataset}/cells",
    output:
        "results/models/infogan/{dataset}/k{k}_seed{seed}/model.pt",
    log:
        "results/logs/infogan_train/{dataset}/k{k}_seed{seed}.log",
    benchmark:
        "results/benchmarks/infogan_train/{dataset}/k{k}_seed{seed}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: workflow.cores
    resources:
        gpu=1,
    params:
        cfg=INFOGAN_TRAIN_CFG,
        config_hash=CONFIG_HASH,
    script:
        "../../scripts/infogan_train.py"


rule infogan_evaluate:
    input:
        cells="results/models/infogan/{dataset}/cells",
        models=expand(
            "results/models/infogan/{{dataset}}/k{k}_seed{{seed}}/model.pt",
            k=INFOGAN_KS,
        ),
    output:
        "results/evaluation/infogan/{dataset}/seed{seed}/tables.json",
    log:
        "results/logs/infogan_evaluate/{dataset}/seed{seed}.log",
    benchmark:
        "results/benchmarks/infogan_evaluate/{dataset}/seed{seed}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: workflow.cores
    params:
        ks=INFOGAN_KS,
        categories=INFOGAN_K,
        folds=INFOGAN.get("cv_folds", 4),
        config_hash=CONFIG_HASH,
    script:
        "../../scripts/infogan_evaluate.py"


rule infogan_tables:
    input:
        evaluations=expand(
            "results/evaluation/infogan/{dataset}/seed{seed}/tables.json",
            dataset=INFOGAN_DATASETS,
            seed=INFOGAN_SEEDS,
        ),
        paper="config/paper_results/infogan.csv",
    output:
        expand(
            "results/tables/infogan_table{n}.{ext}", n=[1, 2, 3, 4], ext=["csv", "md"]
        ),
    log:
        "results/logs/infogan_tables/tables.log",
    conda:
        "../../envs/core.yaml"
    params:
        datasets=INFOGAN_DATASETS,
        seeds=INFOGAN_SEEDS,
    script:
        "../../scripts/infogan_tables.py"


rule infogan_figures:
    input:
        evaluation="results/evaluation/infogan/{dataset}/seed{seed}/tables.json",
        model=f"results/models/infogan/{{dataset}}/k{INFOGAN_K}_seed{{seed}}/model.pt",
        cells="results/models/infogan/{dataset}/cells",
    output:
        expand(
            "results/figures/infogan_fig{n}_{{dataset}}_seed{{seed}}.png",
            n=[5, 8, 9, 10],
        ),
    log:
        "results/logs/infogan_figures/{dataset}/seed{seed}.log",
    conda:
        "../../envs/torch.yaml"
    params:
        seed=config["seed"],
    script:
        "../../scripts/infogan_figures.py"


for _dataset in INFOGAN_SEG_DATASETS:
    evaluation_summary("infogan", _dataset, "nuclei")
if INFOGAN_DATASETS:
    register_final_outputs(
        *expand(
            "results/tables/infogan_table{n}.{ext}", n=[1, 2, 3, 4], ext=["csv", "md"]
        ),
        *expand(
            "results/figures/infogan_fig{n}_{dataset}_seed{seed}.png",
            n=[5, 8, 9, 10],
            dataset=INFOGAN_DATASETS,
            seed=INFOGAN_SEEDS[:1],
        ),
    )
