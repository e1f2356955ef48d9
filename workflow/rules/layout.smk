# layout: find the gallery grid (tile rectangles per time span) from sampled frames, or use
# sessions/<s>/layout.json when present.


rule layout:
    input:
        media=res("{session}/media.json"),
        video=session_video,
        override=session_file("layout.json"),
        recogniser=names_recogniser_input,
    output:
        res("{session}/layout.json"),
    log:
        res("logs/layout/{session}.log"),
    benchmark:
        res("benchmarks/layout/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        sample_s=config["layout"]["sample_s"],
        sampling=config["layout"]["sampling"],
        keyframe_max_gap_s=config["layout"]["keyframe_max_gap_s"],
        max_width=config["layout"]["max_width"],
        max_downscale=config["layout"]["max_downscale"],
        min_span_samples=config["layout"]["min_span_samples"],
        refine_changes=config["layout"]["refine_changes"],
        id_max_distance=config["layout"]["id_max_distance"],
        id_rejoin_max_distance=config["layout"]["id_rejoin_max_distance"],
        names=config["layout"]["names"],
        name_samples=config["layout"]["name_samples"],
        names_recogniser=names_recogniser_path(),
        names_recogniser_sha256=config["layout"]["names_recogniser_sha256"],
        min_tile_size=config["layout"]["min_tile_size"],
        fit=config["layout"]["fit"],
    script:
        "../scripts/layout.py"


PER_SESSION_TARGETS.append("layout.json")
