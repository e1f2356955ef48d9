# clip_speech: speech seconds and attributed utterances per clip and person, from the asd outputs.


rule clip_speech:
    input:
        clips=res("{session}/clips.parquet"),
        scores=res("{session}/features/asd.parquet"),
        speakers=res("{session}/speakers.parquet"),
    output:
        res("{session}/features/clip_speech.parquet"),
    log:
        res("logs/clip_speech/{session}.log"),
    benchmark:
        res("benchmarks/clip_speech/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        min_speech_seconds=ASD["clip_min_speech_seconds"],
    script:
        "../scripts/clip_speech.py"


PER_SESSION_TARGETS.append("features/clip_speech.parquet")
