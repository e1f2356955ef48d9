# labels: labelling pages (`snakemake label_pages`, not part of `all`), one label per clip from the rater
# files sessions/<s>/labels/<rater>.csv (or labels.csv), and inter-rater agreement. See docs/labelling.md.

LABELS = config["labels"]


rule label_page:
    input:
        clips=res("{session}/clips.parquet"),
    output:
        res("label/sessions/{session}.html"),
    log:
        res("logs/label_page/{session}.log"),
    benchmark:
        res("benchmarks/label_page/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        guide=LABELS["guide"],
    script:
        "../scripts/label_page.py"


rule label_pages:
    input:
        clips=[res(f"{s}/clips.parquet") for s in SESSIONS],
        pages=[res(f"label/sessions/{s}.html") for s in SESSIONS],
    output:
        res("label/index.html"),
    log:
        res("logs/label_pages/label_pages.log"),
    benchmark:
        res("benchmarks/label_pages/label_pages.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sessions=SESSIONS,
    script:
        "../scripts/label_pages.py"


rule labels_merge:
    input:
        unpack(
            lambda wc: merge_rule_inputs(
                LABEL_SOURCES, wc.session, res(f"{wc.session}/clips.parquet")
            )
        ),
    output:
        merged=res("{session}/labels/merged.parquet"),
        ratings=res("{session}/labels/ratings.parquet"),
    log:
        res("logs/labels_merge/{session}.log"),
    benchmark:
        res("benchmarks/labels_merge/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        tie=LABELS["tie"],
        min_raters=LABELS["min_raters"],
        unknown_clips=config["dataset"]["unknown_clips"],
    script:
        "../scripts/labels_merge.py"


rule labels_agreement:
    input:
        ratings=[res(f"{s}/labels/ratings.parquet") for s in LABELLED_SESSIONS],
        merged=[res(f"{s}/labels/merged.parquet") for s in LABELLED_SESSIONS],
    output:
        json=res("labels/agreement.json"),
        html=report(
            res("labels/agreement.html"),
            caption="../report/labels_agreement.rst",
            category="Labels",
            labels={"figure": "agreement"},
        ),
        png=report(
            res("labels/confusion.png"),
            caption="../report/labels_confusion.rst",
            category="Labels",
            labels={"figure": "rater confusion matrices"},
        ),
    log:
        res("logs/labels_agreement/labels_agreement.log"),
    benchmark:
        res("benchmarks/labels_agreement/labels_agreement.tsv")
    conda:
        "../../envs/labels.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        sessions=LABELLED_SESSIONS,
        kappa_weights=LABELS["kappa_weights"],
    script:
        "../scripts/labels_agreement.py"


if any(LABEL_SOURCES[s].raters for s in LABELLED_SESSIONS):
    GLOBAL_TARGETS.append("labels/agreement.json")
