# speech: Praat acoustics (CMOSE X_aud + contours) and text embeddings of each person's attributed speech.
# Both read who speaks when from the asd stage (utterances.parquet, clip_speech.parquet) and the
# clip windows from clips.parquet; docs/features/acoustics.md and docs/features/text.md.


rule acoustics:
    input:
        clips=res("{session}/clips.parquet"),
        utterances=res("{session}/utterances.parquet"),
        clip_speech=res("{session}/features/clip_speech.parquet"),
        audio=res("{session}/audio.wav"),
    output:
        res("{session}/features/acoustics.parquet"),
    log:
        res("logs/acoustics/{session}.log"),
    benchmark:
        res("benchmarks/acoustics/{session}.tsv")
    conda:
        "../../envs/audio.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        pitch_floor=config["acoustics"]["pitch_floor"],
        pitch_ceiling=config["acoustics"]["pitch_ceiling"],
        floor_factor=config["acoustics"]["floor_factor"],
        ceiling_factor=config["acoustics"]["ceiling_factor"],
        time_step=config["acoustics"]["time_step"],
        voice_quality=config["acoustics"]["voice_quality"],
    script:
        "../scripts/acoustics.py"


# A GPU is requested unless text.device is cpu (like i3d/asd/train); with `auto` on a machine
# without a GPU the rule still runs on the CPU (the local profile offers gpu=1 either way).
rule text:
    input:
        clips=res("{session}/clips.parquet"),
        utterances=res("{session}/utterances.parquet"),
        clip_speech=res("{session}/features/clip_speech.parquet"),
    output:
        res("{session}/features/text.parquet"),
    log:
        res("logs/text/{session}.log"),
    benchmark:
        res("benchmarks/text/{session}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=4000,
        gpu=0 if config["text"]["device"] == "cpu" else 1,
    params:
        model=config["text"]["model"],
        pooling=config["text"]["pooling"],
        batch_size=config["text"]["batch_size"],
        max_length=config["text"]["max_length"],
        device=config["text"]["device"],
        allow_download=config["text"]["allow_download"],
        on_missing_model=config["text"]["on_missing_model"],
    script:
        "../scripts/text.py"


PER_SESSION_TARGETS.extend(["features/acoustics.parquet", "features/text.parquet"])
