# model: dataset assembly, CMOSE import, train/eval per configured run, comparison tables, predictions.
# See docs/model.md. Only labelled sessions contribute rows, with the labels of rule labels_merge (labels.smk:
# labels.csv, or the merged rater files); every session gets predictions when predict.run (or predict.model) is set.


rule dataset:
    input:
        unpack(dataset_inputs),
    output:
        res("dataset/{name}.parquet"),
    log:
        res("logs/dataset/{name}.log"),
    benchmark:
        res("benchmarks/dataset/{name}.tsv")
    wildcard_constraints:
        name=re.escape(DATASET["name"]),
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        sessions=LABELLED_SESSIONS,
        session_dirs=[res(s) for s in LABELLED_SESSIONS],
        face_columns=DATASET["face_columns"],
        n_chunks=DATASET["n_chunks"],
        min_frames=DATASET["min_frames"],
        split_seed=DATASET["split_seed"],
        test_fraction=DATASET["test_fraction"],
        val_fraction=DATASET["val_fraction"],
        unknown_clips=DATASET["unknown_clips"],
        interaction=DATASET["interaction"],
    script:
        "../scripts/dataset.py"


rule cmose_import:
    input:
        json=CMOSE["json"] or [],
        openface=CMOSE["openface"] or [],
    output:
        res(f"dataset/{CMOSE['name']}.parquet"),
    log:
        res(f"logs/dataset/{CMOSE['name']}.log"),
    benchmark:
        res(f"benchmarks/dataset/{CMOSE['name']}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=8000,
    params:
        name=CMOSE["name"],
        face_columns=DATASET["face_columns"],
        n_chunks=DATASET["n_chunks"],
        min_frames=DATASET["min_frames"],
        unlabel_split=CMOSE["unlabel_split"],
    script:
        "../scripts/dataset.py"


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


rule predict:
    input:
        model=PREDICT_MODEL or [],
        clips=res("{session}/clips.parquet"),
        face=res("{session}/features/face.parquet"),
        i3d=res("{session}/features/i3d.parquet"),
        speech=res("{session}/features/clip_speech.parquet"),
        acoustics=res("{session}/features/acoustics.parquet"),
        text=res("{session}/features/text.parquet"),
    output:
        parquet=res("predictions/{session}.parquet"),
        png=report(
            res("predictions/{session}_timeline.png"),
            category="Predictions",
            subcategory="{session}",
        ),
    log:
        res("logs/predict/{session}.log"),
    benchmark:
        res("benchmarks/predict/{session}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=4000,
        gpu=0 if PREDICT["device"] == "cpu" else 1,
    params:
        session_dir=lambda wc: res(wc.session),
        sha256=PREDICT["sha256"],
        device=PREDICT["device"],
        batch_size=PREDICT["batch_size"],
    script:
        "../scripts/predict.py"


if TRAINABLE_RUNS:
    GLOBAL_TARGETS.extend(
        [f"models/{r}/metrics.json" for r in TRAINABLE_RUNS]
        + ["tables/model_comparison.md"]
    )
if PREDICT_MODEL:
    GLOBAL_TARGETS.extend(f"predictions/{s}.parquet" for s in SESSIONS)
    GLOBAL_TARGETS.extend(f"predictions/{s}_timeline.png" for s in SESSIONS)
