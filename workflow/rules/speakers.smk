# speakers: who spoke each cue, by the tile names and the active-speaker scores (docs/asd.md).


rule speakers:
    input:
        cues=res("{session}/cues.parquet"),
        scores=res("{session}/features/asd.parquet"),
        layout=res("{session}/layout.json"),
        media=res("{session}/media.json"),
    output:
        res("{session}/speakers.parquet"),
    log:
        res("logs/speakers/{session}.log"),
    benchmark:
        res("benchmarks/speakers/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        attribution=ASD["attribution"],
        threshold=ASD["threshold"],
        attribution_margin=ASD["attribution_margin"],
        attribution_min_coverage=ASD["attribution_min_coverage"],
    script:
        "../scripts/speakers.py"


PER_SESSION_TARGETS.append("speakers.parquet")
