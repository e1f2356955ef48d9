# tracks: per person and timeline frame, the face box inside the person's tile (docs/tracks.md).


rule tracks:
    input:
        video=session_video,
        media=res("{session}/media.json"),
        layout=res("{session}/layout.json"),
    output:
        tracks=res("{session}/tracks.parquet"),
    log:
        res("logs/tracks/{session}.log"),
    benchmark:
        res("benchmarks/tracks/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 2
    resources:
        mem_mb=2000,
    params:
        every=config["tracks"]["every"],
        model=config["tracks"]["model"],
        min_confidence=config["tracks"]["min_confidence"],
        max_side=config["tracks"]["max_side"],
        max_gap_s=config["tracks"]["max_gap_s"],
        smooth=config["tracks"]["smooth"],
    script:
        "../scripts/tracks.py"


PER_SESSION_TARGETS.append("tracks.parquet")
