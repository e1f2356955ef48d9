# cues: the transcript's cue times and voice names without the text (cues.parquet), docs/robustness.md.
# The transcript is ancient(): its modification time triggers nothing; the digest of its times and
# names (a parameter) does, so a text-only edit reruns neither this nor clips/asd/speakers.


rule cues:
    input:
        transcript=session_transcript_ancient,
        media=res("{session}/media.json"),
    output:
        res("{session}/cues.parquet"),
    log:
        res("logs/cues/{session}.log"),
    benchmark:
        res("benchmarks/cues/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        times_digest=cue_times_digest,
    script:
        "../scripts/cues.py"


PER_SESSION_TARGETS.append("cues.parquet")
