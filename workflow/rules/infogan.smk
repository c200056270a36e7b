"""infogan (paper 002): nuclei segmentation, cell crops, WGAN-GP + InfoGAN, Tables I-IV, figures."""

# Rule files share one namespace: modules are imported under the method's name.
from cellbench.methods.infogan import config as infogan_config

INFOGAN = method_config("infogan")
INFOGAN_DATASETS = INFOGAN.cell_datasets()
INFOGAN_SEEDS = INFOGAN.seeds
# k of the main model and of Table II (each trained once).
INFOGAN_KS = INFOGAN.table2_ks()
# Optional DNN rows of Tables I and III (methods.infogan.dnn.enabled; envs/torchvision.yaml).
INFOGAN_DNN = INFOGAN.dnn
INFOGAN_DNN_DATASETS = INFOGAN.dnn_datasets()


rule infogan_fit:
    input:
        "results/data/{dataset}",
    output:
        "results/models/infogan/{dataset}/nuclei/model.json",
    log:
        "results/logs/infogan_fit/{dataset}.log",
    conda:
        "../../envs/core.yaml"
    threads: 1
    params:
        method="infogan",
        cfg=INFOGAN.job_params("segmentation"),
    script:
        "../../scripts/fit.py"


rule infogan_predict:
    input:
        model="results/models/infogan/{dataset}/nuclei/model.json",
        dataset="results/data/{dataset}",
    output:
        directory("results/predictions/infogan/{dataset}/nuclei"),
    log:
        "results/logs/infogan_predict/{dataset}.log",
    benchmark:
        "results/benchmarks/infogan_predict/{dataset}.tsv"
    conda:
        "../../envs/core.yaml"
    # Single-threaded numpy/scikit-image code: more threads would only serialise the jobs.
    threads: 1
    params:
        method="infogan",
        seed=None,
        scale=INFOGAN.scale,
        device="cpu",
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
    priority: 10  # infogan_train's input
    conda:
        "../../envs/core.yaml"
    threads: 1
    params:
        cfg=INFOGAN.job_params(*infogan_config.CELL_KEYS),
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
    # Started as soon as its cells exist, beside the other single-threaded jobs of the run's
    # start: scheduled later, it ran alone on a 2-core run (79 s with one core idle).
    priority: 10
    conda:
        "../../envs/torch.yaml"
    # One thread: at the CPU widths two threads cost 10x the CPU time on a busy machine
    # (10 iterations: 6.6 s with 1 thread, 65 s with 2); the k x seed jobs run side by side.
    threads: 1
    resources:
        gpu=1,
    params:
        cfg=INFOGAN.job_params(*infogan_config.TRAIN_KEYS),
        device=config["device"],
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
    threads: 1
    params:
        ks=INFOGAN_KS,
        cfg=INFOGAN.job_params("categories", "cv_folds"),
    script:
        "../../scripts/infogan_evaluate.py"


# With weights `imagenet`/`imagenet-v2` the job downloads torchvision's ResNet-50 weights into
# $TORCH_HOME/hub/checkpoints (default ~/.cache/torch) unless they are there already; on compute
# nodes without internet put the file there beforehand or set the weights to a local .pth.
rule infogan_dnn_features:
    input:
        cells="results/models/infogan/{dataset}/cells",
        weights=[INFOGAN_DNN.weights_file()] if INFOGAN_DNN.weights_file() else [],
    output:
        "results/models/infogan/{dataset}/dnn/features.npz",
    log:
        "results/logs/infogan_dnn_features/{dataset}.log",
    benchmark:
        "results/benchmarks/infogan_dnn_features/{dataset}.tsv"
    conda:
        "../../envs/torchvision.yaml"
    threads: JOB_THREADS
    resources:
        gpu=1,
    params:
        cfg=INFOGAN_DNN.to_dict(),
        seed=config["seed"],
        device=config["device"],
    script:
        "../../scripts/infogan_dnn_features.py"


rule infogan_dnn:
    input:
        cells="results/models/infogan/{dataset}/cells",
        features="results/models/infogan/{dataset}/dnn/features.npz",
    output:
        "results/evaluation/infogan/{dataset}/seed{seed}/dnn.json",
    log:
        "results/logs/infogan_dnn/{dataset}/seed{seed}.log",
    benchmark:
        "results/benchmarks/infogan_dnn/{dataset}/seed{seed}.tsv"
    conda:
        "../../envs/core.yaml"
    threads: 1
    params:
        categories=INFOGAN.categories,
    script:
        "../../scripts/infogan_dnn.py"


rule infogan_tables:
    input:
        evaluations=expand(
            "results/evaluation/infogan/{dataset}/seed{seed}/tables.json",
            dataset=INFOGAN_DATASETS,
            seed=INFOGAN_SEEDS,
        ),
        dnn=expand(
            "results/evaluation/infogan/{dataset}/seed{seed}/dnn.json",
            dataset=INFOGAN_DNN_DATASETS,
            seed=INFOGAN_SEEDS,
        ),
        paper="config/paper_results/infogan.csv",
    output:
        expand(
            "results/tables/infogan_table{n}.{ext}", n=[1, 2, 3, 4], ext=["csv", "md"]
        ),
    log:
        "results/logs/infogan_tables/tables.log",
    benchmark:
        "results/benchmarks/infogan_tables/tables.tsv"
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
        model=f"results/models/infogan/{{dataset}}/k{INFOGAN.categories}_seed{{seed}}/model.pt",
        cells="results/models/infogan/{dataset}/cells",
    output:
        expand(
            "results/figures/infogan_fig{n}_{{dataset}}_seed{{seed}}.png",
            n=[5, 8, 9, 10],
        ),
    log:
        "results/logs/infogan_figures/{dataset}/seed{seed}.log",
    benchmark:
        "results/benchmarks/infogan_figures/{dataset}/seed{seed}.tsv"
    conda:
        "../../envs/torch.yaml"
    params:
        seed=config["seed"],
    script:
        "../../scripts/infogan_figures.py"


for _dataset in INFOGAN.nuclei_datasets():
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
