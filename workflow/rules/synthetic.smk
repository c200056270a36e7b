"""Embedded synthetic dataset suite (cellbench.data.synth): one rule per domain + gallery."""

SYNTH_DOMAINS = ["dsb", "ctc", "tissuenet", "histo", "marrow", "leaves"]


# Optional generator overrides from the config (synthetic.dsb_total).
SYNTH_OVERRIDES = {
    "dsb": (
        {"total": config["synthetic"]["dsb_total"]}
        if "dsb_total" in config["synthetic"]
        else {}
    ),
}


for _domain in SYNTH_DOMAINS:

    rule:
        name:
            f"synth_{_domain}"
        output:
            directory(f"results/data/synth-{_domain}"),
        log:
            f"results/logs/synth/{_domain}.log",
        conda:
            "../../envs/core.yaml"
        params:
            domain=_domain,
            seed=config["synthetic"]["seed"],
            size=config["synthetic"]["size"],
            overrides=SYNTH_OVERRIDES.get(_domain, {}),
        script:
            "../../scripts/synth_generate.py"


rule synth_gallery:
    input:
        expand("results/data/synth-{domain}", domain=SYNTH_DOMAINS),
    output:
        png=report(
            "results/figures/synthetic_gallery.png",
            caption="../report/synthetic_gallery.rst",
            category="Data",
        ),
        pdf="results/figures/synthetic_gallery.pdf",
    log:
        "results/logs/synth/gallery.log",
    conda:
        "../../envs/core.yaml"
    script:
        "../../scripts/synth_gallery.py"


if any(dataset.startswith("synth-") for dataset in configured_datasets()):

    register_final_outputs(
        rules.synth_gallery.output.png, rules.synth_gallery.output.pdf
    )
