# acoustics: Praat pitch and intensity (CMOSE X_aud + contours) of each person's attributed speech per clip
# (docs/features/acoustics.md). Who speaks when comes from utterances.parquet (cross-checked against
# clip_speech.parquet), the clip windows from clips.parquet.


rule acoustics:
    input:
        clips=res("{session}/clips.parquet"),
        speakers=res("{session}/speakers.parquet"),
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
        # Longest stretch of speech analysed in one Praat call (bounds memory; not a config key).
        max_piece_s=60.0,
    script:
        "../scripts/acoustics.py"


PER_SESSION_TARGETS.append("features/acoustics.parquet")
