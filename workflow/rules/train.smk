# train / eval: MocoRank and the baselines, one train + eval job per configured run, and the comparison
# tables of all runs (docs/model.md).


rule train:
    input:
        dataset=lambda wc: res(f"dataset/{run_dataset(wc.run)}.parquet"),
    output:
        model=res("models/{run}/model.pt"),
        train_log=res("models/{run}/train_log.csv"),
    log:
        res("logs/train/{run}.log"),
    benchmark:
        res("benchmarks/train/{run}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: TRAIN["threads"]
    resources:
        mem_mb=8000,
        gpu=0 if TRAIN["device"] == "cpu" else 1,
    params:
        run=lambda wc: run_spec(wc.run),
        train=lambda wc: run_train_settings(wc.run),
    script:
        "../scripts/train.py"


rule eval:
    input:
        dataset=lambda wc: res(f"dataset/{run_dataset(wc.run)}.parquet"),
        model=res("models/{run}/model.pt"),
    output:
        metrics=res("models/{run}/metrics.json"),
        confusion=res("models/{run}/confusion.csv"),
    log:
        res("logs/eval/{run}.log"),
    benchmark:
        res("benchmarks/eval/{run}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        split=TRAIN["eval_split"],
    script:
        "../scripts/eval.py"


rule tables:
    input:
        metrics=[res(f"models/{r}/metrics.json") for r in TRAINABLE_RUNS],
        logs=[res(f"models/{r}/train_log.csv") for r in TRAINABLE_RUNS],
    output:
        md=res("tables/model_comparison.md"),
        csv=report(res("tables/model_comparison.csv"), category="Model"),
        recall=report(res("tables/recall_per_class.png"), category="Model"),
        curves=report(res("tables/training_curves.png"), category="Model"),
    log:
        res("logs/tables/tables.log"),
    benchmark:
        res("benchmarks/tables/tables.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        run_names=TRAINABLE_RUNS,
        runs={r: run_spec(r) for r in TRAINABLE_RUNS},
    script:
        "../scripts/tables.py"


if TRAINABLE_RUNS:
    GLOBAL_TARGETS.extend(
        [f"models/{r}/metrics.json" for r in TRAINABLE_RUNS]
        + ["tables/model_comparison.md"]
    )
