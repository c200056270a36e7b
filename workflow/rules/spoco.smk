"""spoco (paper 004): training modes, embeddings, four clusterings, Tables 1, 14/15, 16."""

# Aliased: every rule file shares one namespace (cellulus.smk has its own run_name).
from cellbench.methods.spoco.rules import INFERENCE_KEYS as SPOCO_INFERENCE_KEYS
from cellbench.methods.spoco.rules import TRAIN_KEYS as SPOCO_TRAIN_KEYS
from cellbench.methods.spoco.rules import prediction_runs as spoco_prediction_runs
from cellbench.methods.spoco.rules import training_runs as spoco_training_runs

SPOCO = method_config("spoco")
# Tables and figures: the datasets not listed as benchmark_only.
SPOCO_DATASETS = SPOCO.paper_datasets()


wildcard_constraints:
    spoco_train=r"(full|discriminative|sparse[0-9.]+|dense_fraction[0-9.]+)_s\d+",
    clustering=r"hdbscan|meanshift|consistency|mws",
    fg=r"none|gt",


rule spoco_train:
    input:
        "results/data/{dataset}",
    output:
        model="results/models/spoco/{dataset}/{spoco_train}/model.pt",
        objects="results/models/spoco/{dataset}/{spoco_train}/objects.json",
    log:
        "results/logs/spoco_train/{dataset}/{spoco_train}.log",
    benchmark:
        "results/benchmarks/spoco_train/{dataset}/{spoco_train}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
    params:
        cfg=dataset_params("spoco", *SPOCO_TRAIN_KEYS),
        device=config["device"],
    script:
        "../../scripts/spoco_train.py"


rule spoco_embed:
    input:
        model="results/models/spoco/{dataset}/{spoco_train}/model.pt",
        dataset="results/data/{dataset}",
    output:
        directory("results/embeddings/spoco/{dataset}/{spoco_train}"),
    log:
        "results/logs/spoco_embed/{dataset}/{spoco_train}.log",
    benchmark:
        "results/benchmarks/spoco_embed/{dataset}/{spoco_train}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: INFERENCE_THREADS
    resources:
        gpu=1,
    params:
        device=config["device"],
    script:
        "../../scripts/spoco_embed.py"


rule spoco_predict:
    input:
        embeddings="results/embeddings/spoco/{dataset}/{spoco_train}",
        dataset="results/data/{dataset}",
    output:
        directory(
            "results/predictions/spoco/{dataset}/{spoco_train}-{clustering}-{fg}fg"
        ),
    log:
        "results/logs/spoco_predict/{dataset}/{spoco_train}-{clustering}-{fg}fg.log",
    benchmark:
        "results/benchmarks/spoco_predict/{dataset}/{spoco_train}-{clustering}-{fg}fg.tsv"
    conda:
        "../../envs/torch.yaml"
    # Clustering is single-threaded numpy/scikit-learn code.
    threads: 1
    params:
        cfg=dataset_params("spoco", *SPOCO_INFERENCE_KEYS),
    script:
        "../../scripts/spoco_predict.py"


rule spoco_tables:
    input:
        spoco=[
            evaluation_summary("spoco", dataset, run)
            for dataset in SPOCO_DATASETS
            for run in spoco_prediction_runs(dataset_config("spoco", dataset))
        ],
        predictions=[
            f"results/predictions/spoco/{dataset}/{run}"
            for dataset in SPOCO_DATASETS
            for run in spoco_prediction_runs(dataset_config("spoco", dataset))
        ],
        baseline=[
            evaluation_summary("otsu_watershed", dataset, "default")
            for dataset in SPOCO_DATASETS
        ],
        published="config/paper_results/spoco_tables.csv",
    output:
        table1=report(
            "results/tables/spoco_table1.csv",
            caption="../report/spoco_table1.rst",
            category="spoco",
        ),
        table14=report(
            "results/tables/spoco_table14.csv",
            caption="../report/spoco_table14.rst",
            category="spoco",
        ),
        table16=report(
            "results/tables/spoco_table16.csv",
            caption="../report/spoco_table16.rst",
            category="spoco",
        ),
        md="results/tables/spoco_tables.md",
    log:
        "results/logs/spoco_tables.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/spoco_tables.py"


rule spoco_embedding_figure:
    input:
        dataset="results/data/{dataset}",
        embeddings="results/embeddings/spoco/{dataset}/{spoco_train}",
        predictions=lambda wildcards: [
            f"results/predictions/spoco/{wildcards.dataset}/{wildcards.spoco_train}-{c}-{fg}fg"
            for c in dataset_config("spoco", wildcards.dataset).clusterings
            for fg in dataset_config("spoco", wildcards.dataset).foreground
        ],
    output:
        png=report(
            "results/figures/spoco_embeddings_{dataset}_{spoco_train}.png",
            caption="../report/spoco_embeddings.rst",
            category="spoco",
        ),
        pdf="results/figures/spoco_embeddings_{dataset}_{spoco_train}.pdf",
    log:
        "results/logs/spoco_embedding_figure/{dataset}/{spoco_train}.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/spoco_embedding_figure.py"


rule spoco_fraction_figure:
    input:
        rules.spoco_tables.output.table1,
    output:
        png=report(
            "results/figures/spoco_fraction.png",
            caption="../report/spoco_fraction.rst",
            category="spoco",
        ),
        pdf="results/figures/spoco_fraction.pdf",
    log:
        "results/logs/spoco_fraction_figure.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/spoco_fraction_figure.py"


# Every dataset's runs are scored, those of the benchmark_only datasets for the benchmark only.
for _dataset in SPOCO.active_datasets():
    for _run in spoco_prediction_runs(dataset_config("spoco", _dataset)):
        evaluation_summary("spoco", _dataset, _run)

if SPOCO_DATASETS:
    register_final_outputs(
        *rules.spoco_tables.output,
        *rules.spoco_fraction_figure.output,
        *(
            f"results/figures/spoco_embeddings_{dataset}_{run}.{ext}"
            for dataset in SPOCO_DATASETS
            for run in spoco_training_runs(dataset_config("spoco", dataset))
            if run.endswith(f"_s{dataset_config('spoco', dataset).seeds[0]}")
            for ext in ("png", "pdf")
        ),
    )
