# report: per-session figures and summary for `snakemake --report report.html`.


rule session_report:
    input:
        video=session_video,
        media=res("{session}/media.json"),
        layout=res("{session}/layout.json"),
        asd=res("{session}/features/asd.parquet"),
        cues=res("{session}/cues.parquet"),
        utterances=res("{session}/utterances.parquet"),
        clips=res("{session}/clips.parquet"),
        face=res("{session}/features/face.parquet"),
        clip_speech=res("{session}/features/clip_speech.parquet"),
        i3d=res("{session}/features/i3d.parquet"),
        text=res("{session}/features/text.parquet"),
    output:
        layout=report(
            res("{session}/report/layout.png"),
            caption="../report/layout.rst",
            category="Sessions",
            subcategory="{session}",
            labels={"session": "{session}", "figure": "layout"},
        ),
        speaking=report(
            res("{session}/report/speaking.png"),
            caption="../report/speaking.rst",
            category="Sessions",
            subcategory="{session}",
            labels={"session": "{session}", "figure": "speaking timeline"},
        ),
        coverage=report(
            res("{session}/report/coverage.png"),
            caption="../report/coverage.rst",
            category="Sessions",
            subcategory="{session}",
            labels={"session": "{session}", "figure": "feature coverage"},
        ),
        summary=report(
            res("{session}/report/summary.html"),
            caption="../report/summary.rst",
            category="Sessions",
            subcategory="{session}",
            labels={"session": "{session}", "figure": "summary"},
        ),
    log:
        res("logs/session_report/{session}.log"),
    benchmark:
        res("benchmarks/session_report/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        asd_threshold=config["asd"].get("threshold", 0.0),
    script:
        "../scripts/session_report.py"


PER_SESSION_TARGETS.extend(
    [
        "report/layout.png",
        "report/speaking.png",
        "report/coverage.png",
        "report/summary.html",
    ]
)
