# predict: per-person engagement timeline of every session, scored by predict.model or the model of
# predict.run (docs/model.md).


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
        model_sha256=PREDICT["sha256"],
        device=PREDICT["device"],
        batch_size=PREDICT["batch_size"],
    script:
        "../scripts/predict.py"


if PREDICT_MODEL:
    GLOBAL_TARGETS.extend(f"predictions/{s}.parquet" for s in SESSIONS)
    GLOBAL_TARGETS.extend(f"predictions/{s}_timeline.png" for s in SESSIONS)
