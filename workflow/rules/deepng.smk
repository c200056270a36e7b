"""deepng (Grüning & Madany Mamlouk): baseline U-Net on CT1, deep clustering of CT2-CT7,
encoder retraining."""

# Rule files share one namespace: modules are imported under the method's name.
from cellbench.methods.deepng import config as deepng_config
from cellbench.methods.deepng import runs as deepng_runs

DEEPNG = method_config("deepng")
DEEPNG_DATASETS = DEEPNG.active_datasets()
DEEPNG_DATASET = DEEPNG_DATASETS[0] if DEEPNG_DATASETS else "none"
DEEPNG_BASELINE = deepng_runs.baseline_run(DEEPNG)
DEEPNG_RUNS = deepng_runs.retrained_runs(DEEPNG)


rule deepng_train_segmentation:
    input:
        "results/data/{dataset}",
    output:
        f"results/models/deepng/{{dataset}}/{deepng_runs.BASELINE_PATTERN}/model.pt",
    log:
        "results/logs/deepng_train_segmentation/{dataset}/seed{seed}.log",
    benchmark:
        "results/benchmarks/deepng_train_segmentation/{dataset}/seed{seed}.tsv"
    wildcard_constraints:
        seed=r"\d+",
    # Head of the longest chain (training, features, clustering, retraining, prediction): started
    # late, that chain ended a 2-core default run with one core idle (~80 s).
    priority: 10
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=lambda wildcards, attempt: 720 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        cfg=DEEPNG.job_params(*deepng_config.JOB_KEYS["train_segmentation"]),
        seed=lambda wildcards: int(wildcards.seed),
        device=config["device"],
        mixed_precision=config.get("mixed_precision", False),
    script:
        "../../scripts/deepng_train_segmentation.py"


rule deepng_features:
    input:
        model=f"results/models/deepng/{{dataset}}/{DEEPNG_BASELINE}/model.pt",
        dataset="results/data/{dataset}",
    output:
        "results/models/deepng/{dataset}/features/features.npz",
    log:
        "results/logs/deepng_features/{dataset}.log",
    benchmark:
        "results/benchmarks/deepng_features/{dataset}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: INFERENCE_THREADS
    resources:
        gpu=1,
        runtime=lambda wildcards, attempt: 120 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        cfg=DEEPNG.job_params(*deepng_config.JOB_KEYS["features"]),
        seed=DEEPNG.baseline_seed,
        device=config["device"],
    script:
        "../../scripts/deepng_features.py"


rule deepng_cluster:
    input:
        "results/models/deepng/{dataset}/features/features.npz",
    output:
        assignments=f"results/models/deepng/{{dataset}}/clusters/{deepng_runs.CLUSTER_PATTERN}.npz",
        entropy=f"results/models/deepng/{{dataset}}/clusters/{deepng_runs.CLUSTER_PATTERN}.json",
    log:
        f"results/logs/deepng_cluster/{{dataset}}/{deepng_runs.CLUSTER_PATTERN}.log",
    wildcard_constraints:
        **deepng_runs.CLUSTER_WILDCARDS,
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        runtime=lambda wildcards, attempt: 240 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        cfg=DEEPNG.job_params(*deepng_config.JOB_KEYS["cluster"]),
        algo=lambda wildcards: wildcards.algo,
        k=lambda wildcards: int(wildcards.k),
        seed=lambda wildcards: int(wildcards.seed),
    script:
        "../../scripts/deepng_cluster.py"


rule deepng_retrain:
    input:
        model=f"results/models/deepng/{{dataset}}/{DEEPNG_BASELINE}/model.pt",
        dataset="results/data/{dataset}",
        features="results/models/deepng/{dataset}/features/features.npz",
        assignments=f"results/models/deepng/{{dataset}}/clusters/{deepng_runs.CLUSTER_PATTERN}.npz",
    output:
        f"results/models/deepng/{{dataset}}/{deepng_runs.CLUSTER_PATTERN}/model.pt",
    log:
        f"results/logs/deepng_retrain/{{dataset}}/{deepng_runs.CLUSTER_PATTERN}.log",
    benchmark:
        f"results/benchmarks/deepng_retrain/{{dataset}}/{deepng_runs.CLUSTER_PATTERN}.tsv"
    wildcard_constraints:
        **deepng_runs.CLUSTER_WILDCARDS,
    conda:
        "../../envs/torch.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
        runtime=lambda wildcards, attempt: 240 * attempt,
        mem_mb=lambda wildcards, attempt: 16000 * attempt,
    params:
        cfg=DEEPNG.job_params(*deepng_config.JOB_KEYS["retrain"]),
        run=lambda wildcards: deepng_runs.cluster_run(
            wildcards.algo, int(wildcards.k), int(wildcards.seed)
        ),
        seed=lambda wildcards: int(wildcards.seed),
        device=config["device"],
        mixed_precision=config.get("mixed_precision", False),
    script:
        "../../scripts/deepng_retrain.py"


rule deepng_predict:
    input:
        model="results/models/deepng/{dataset}/{run}/model.pt",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/deepng/{dataset}/{run}"),
    log:
        "results/logs/deepng_predict/{dataset}/{run}.log",
    benchmark:
        "results/benchmarks/deepng_predict/{dataset}/{run}.tsv"
    conda:
        "../../envs/torch.yaml"
    threads: INFERENCE_THREADS
    resources:
        gpu=1,
    params:
        method="deepng",
        seed=lambda wildcards: deepng_runs.parse_run(wildcards.run).seed,
        # Segmented at the training scale: the dataset's scale × methods.deepng.scale.
        scale=DEEPNG.scale,
        device=config["device"],
    script:
        "../../scripts/predict.py"


rule deepng_table1:
    input:
        summaries=lambda wildcards: [
            evaluation_summary("deepng", DEEPNG_DATASET, run)
            for run in [DEEPNG_BASELINE, *DEEPNG_RUNS]
        ],
        entropies=lambda wildcards: [
            f"results/models/deepng/{DEEPNG_DATASET}/clusters/{run}.json"
            for run in DEEPNG_RUNS
        ],
        otsu=lambda wildcards: (
            [evaluation_summary("otsu_watershed", DEEPNG_DATASET, "default")]
            if DEEPNG_DATASET in method_datasets("otsu_watershed")
            else []
        ),
        paper="config/paper_results/deepng_table1.csv",
    output:
        csv=report(
            "results/tables/deepng_table1.csv",
            caption="../report/deepng_table1.rst",
            category="deepng (paper 000)",
            labels={"table": "Table I"},
        ),
        md="results/tables/deepng_table1.md",
        tex="results/tables/deepng_table1.tex",
        runs="results/tables/deepng_runs.csv",
    log:
        "results/logs/deepng_table1.log",
    conda:
        "../../envs/core.yaml"
    params:
        known_groups=DEEPNG.known_groups,
    script:
        "../../scripts/deepng_table1.py"


rule deepng_fig_map:
    input:
        "results/tables/deepng_runs.csv",
    output:
        png=report(
            "results/figures/deepng_{figure}.png",
            caption="../report/deepng_figures.rst",
            category="deepng (paper 000)",
            labels={"figure": "{figure}"},
        ),
        pdf="results/figures/deepng_{figure}.pdf",
    log:
        "results/logs/deepng_fig_map/{figure}.log",
    wildcard_constraints:
        figure="fig6|fig7|fig8",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/deepng_figures.py"


rule deepng_fig2:
    input:
        features=lambda wildcards: f"results/models/deepng/{DEEPNG_DATASET}/features/features.npz",
        assignments=lambda wildcards: f"results/models/deepng/{DEEPNG_DATASET}/clusters/{deepng_runs.fig2_run(DEEPNG)}.npz",
    output:
        png=report(
            "results/figures/deepng_fig2.png",
            caption="../report/deepng_fig2.rst",
            category="deepng (paper 000)",
            labels={"figure": "fig2"},
        ),
        pdf="results/figures/deepng_fig2.pdf",
    log:
        "results/logs/deepng_fig2.log",
    conda:
        "../../envs/core.yaml"
    params:
        run=lambda wildcards: deepng_runs.fig2_run(DEEPNG),
        seed=config["seed"],
    script:
        "../../scripts/deepng_fig2.py"


if DEEPNG_DATASETS:
    register_final_outputs(
        *[f"results/tables/deepng_table1.{ext}" for ext in ("csv", "md", "tex")],
        "results/tables/deepng_runs.csv",
        *[
            f"results/figures/deepng_{fig}.{ext}"
            for fig in ("fig2", "fig6", "fig7", "fig8")
            for ext in ("png", "pdf")
        ],
    )
    for _dataset in DEEPNG_DATASETS:
        for _run in [DEEPNG_BASELINE, *DEEPNG_RUNS]:
            evaluation_summary("deepng", _dataset, _run)
