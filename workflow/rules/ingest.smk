# ingest: probe the recording, 25 fps CFR timeline facts, 16 kHz mono audio.


rule ingest:
    input:
        video=session_video,
    output:
        media=res("{session}/media.json"),
        audio=res("{session}/audio.wav"),
    log:
        res("logs/ingest/{session}.log"),
    benchmark:
        res("benchmarks/ingest/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 2
    resources:
        mem_mb=1000,
    params:
        audio_rate=config["ingest"]["audio_rate"],
        require_audio=config["ingest"]["require_audio"],
        decode_check=config["ingest"]["decode_check"],
        max_decode_errors=config["ingest"]["max_decode_errors"],
        min_source_fps=config["ingest"]["min_source_fps"],
    script:
        "../scripts/ingest.py"


PER_SESSION_TARGETS.extend(["media.json", "audio.wav"])
