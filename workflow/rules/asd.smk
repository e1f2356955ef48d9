# asd: active-speaker scores per person and frame (Light-ASD / TalkNet), docs/asd.md. Who said what is
# rule speakers (speakers.smk), on these scores.


rule asd:
    input:
        video=session_video,
        media=res("{session}/media.json"),
        audio=res("{session}/audio.wav"),
        tracks=res("{session}/tracks.parquet"),
        weights=asd_weights_input,
    output:
        scores=res("{session}/features/asd.parquet"),
    log:
        res("logs/asd/{session}.log"),
    benchmark:
        res("benchmarks/asd/{session}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: ASD["threads"]
    resources:
        mem_mb=4000,
        gpu=1,
    params:
        model=ASD["model"],
        weights=weights_path(ASD["weights"]),
        sha256=ASD["sha256"],
        device=ASD["device"],
        threshold=ASD["threshold"],
        exclusive_margin=ASD["exclusive_margin"],
        vad=ASD["vad"],
        crop_scale=ASD["crop_scale"],
        durations=ASD["durations"],
        shared_encoders=ASD["shared_encoders"],
        smooth_frames=ASD["smooth_frames"],
        min_segment_frames=ASD["min_segment_frames"],
        batch_frames=ASD["batch_frames"],
        max_piece_seconds=ASD["max_piece_seconds"],
    script:
        "../scripts/asd.py"


PER_SESSION_TARGETS.append("features/asd.parquet")
