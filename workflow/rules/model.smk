# model: dataset assembly, CMOSE import, train/eval per configured run, comparison tables, predictions.
# See docs/model.md. Only sessions with labels.csv contribute labelled rows; every session gets predictions
# when predict.run (or predict.model) is set.

DATASET = config["dataset"]
TRAIN = config["train"]
RUNS = config["runs"]
PREDICT = config["predict"]
CMOSE = DATASET["cmose_release"]

LABELLED_SESSIONS = [
    s for s in SESSIONS if (Path(SESSIONS_DIR) / s / "labels.csv").exists()
]
AVAILABLE_DATASETS = []
if LABELLED_SESSIONS:
    AVAILABLE_DATASETS.append(DATASET["name"])
if CMOSE["json"]:
    if CMOSE["name"] == DATASET["name"]:
        raise ValueError("dataset.cmose_release.name must differ from dataset.name")
    AVAILABLE_DATASETS.append(CMOSE["name"])


def run_dataset(run):
    return RUNS[run].get("dataset") or DATASET["name"]


_unknown_runs = [r for r in TRAIN["only_runs"] if r not in RUNS]
if _unknown_runs:
    raise ValueError(f"train.only_runs names runs not in runs: {_unknown_runs}")
TRAINABLE_RUNS = [
    r
    for r in RUNS
    if run_dataset(r) in AVAILABLE_DATASETS
    and (not TRAIN["only_runs"] or r in TRAIN["only_runs"])
]
if RUNS and not TRAINABLE_RUNS:
    print(
        "model: no session has labels.csv and no CMOSE import is configured: "
        "train/eval/tables are not part of `all`",
        file=sys.stderr,
    )


def run_spec(run):
    """The run as passed to training: loss, variant, audio, groups, dataset and model sizes."""
    r = RUNS[run]
    spec = {
        "loss": r["loss"],
        "variant": r.get("variant", "concat_attention"),
        "audio": bool(r.get("audio", False)),
        "dataset": run_dataset(run),
        "groups": list(r.get("groups", [])),
    }
    spec.update({**TRAIN["model"], **r.get("model", {})})
    return spec


def run_train_settings(run):
    t = {
        k: v
        for k, v in TRAIN.items()
        if k not in ("model", "threads", "eval_split", "only_runs")
    }
    t.update(RUNS[run].get("train", {}))
    return t


def dataset_inputs(wildcards):
    """Feature files and labels of every labelled session."""
    files = {
        "labels": [
            str(Path(SESSIONS_DIR) / s / "labels.csv") for s in LABELLED_SESSIONS
        ]
    }
    for key, rel in (
        ("clips", "clips.parquet"),
        ("face", "features/face.parquet"),
        ("i3d", "features/i3d.parquet"),
        ("speech", "features/clip_speech.parquet"),
        ("acoustics", "features/acoustics.parquet"),
        ("text", "features/text.parquet"),
    ):
        files[key] = [res(f"{s}/{rel}") for s in LABELLED_SESSIONS]
    if DATASET["interaction"]:
        files["interaction"] = [
            res(f"{s}/features/interaction.parquet") for s in LABELLED_SESSIONS
        ]
    return files


wildcard_constraints:
    run="|".join(re.escape(r) for r in RUNS) or "(?!x)x",


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


if PREDICT["model"]:
    PREDICT_MODEL = PREDICT["model"]
elif PREDICT["run"] and PREDICT["run"] not in RUNS:
    raise ValueError(f"predict.run {PREDICT['run']!r} is not a key of runs:")
elif PREDICT["run"] and run_dataset(PREDICT["run"]) in AVAILABLE_DATASETS:
    PREDICT_MODEL = res(f"models/{PREDICT['run']}/model.pt")
else:
    PREDICT_MODEL = None
    if PREDICT["run"]:
        print(
            f"model: predict.run {PREDICT['run']!r} cannot be trained (no labelled sessions for its dataset): "
            "no predictions",
            file=sys.stderr,
        )


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
