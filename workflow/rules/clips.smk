# clips: utterance-aligned ~10 s windows and one tile-crop mp4 per person and window (docs/clips.md).
# The mp4 folder is a directory() output: Snakemake removes it before a rerun and after a failure,
# so no stale or half-written clips survive (--keep-going, changed windows).
# Cue times come from cues.parquet (rule cues), not the transcript: a text-only edit recuts nothing.
# participants.csv (optional) and the layout's tile names give each person's identity column
# (engage.identity, config identity.*).


rule clips:
    input:
        video=session_video,
        media=res("{session}/media.json"),
        audio=res("{session}/audio.wav"),
        layout=res("{session}/layout.json"),
        tracks=res("{session}/tracks.parquet"),
        cues=res("{session}/cues.parquet"),
        participants=session_file("participants.csv"),
    output:
        clips=res("{session}/clips.parquet"),
        clip_dir=directory(res("{session}/clips")),
    log:
        res("logs/clips/{session}.log"),
    benchmark:
        res("benchmarks/clips/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 2
    resources:
        mem_mb=2000,
    params:
        target_s=config["clips"]["target_s"],
        min_s=config["clips"]["min_s"],
        max_s=config["clips"]["max_s"],
        silence_s=config["clips"]["silence_s"],
        preset=config["clips"]["preset"],
        crf=config["clips"]["crf"],
        audio_bitrate=config["clips"]["audio_bitrate"],
        from_names=config["identity"]["from_names"],
        min_name_confidence=config["identity"]["min_name_confidence"],
        # libx264 threads per clip encoder: x264's output depends on it, so it is fixed (byte-identical
        # reruns on any machine), not the job's core count.
        x264_threads=2,
    script:
        "../scripts/clips.py"


PER_SESSION_TARGETS.append("clips.parquet")
