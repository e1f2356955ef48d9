# utterances: speakers.parquet with each cue's text (utterances.parquet): the one per-cue rule that
# reruns after a text-only transcript edit, with text, interaction and the report.


rule utterances:
    input:
        speakers=res("{session}/speakers.parquet"),
        transcript=session_transcript,
    output:
        res("{session}/utterances.parquet"),
    log:
        res("logs/utterances/{session}.log"),
    benchmark:
        res("benchmarks/utterances/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    script:
        "../scripts/utterances.py"


PER_SESSION_TARGETS.append("utterances.parquet")
