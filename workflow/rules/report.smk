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


# The course view: per identity (one student across sessions, engage.identity) the sessions attended,
# speaking time, chat messages and, when a model was trained, the engagement over the sessions.
rule course_report:
    input:
        interaction=expand(
            res("{session}/features/interaction.parquet"), session=SESSIONS
        ),
        predictions=(
            expand(res("predictions/{session}.parquet"), session=SESSIONS)
            if PREDICT_MODEL
            else []
        ),
    output:
        csv=report(
            res("report/course.csv"),
            caption="../report/course.rst",
            category="Course",
            labels={"figure": "course table (csv)"},
        ),
        html=report(
            res("report/course.html"),
            caption="../report/course.rst",
            category="Course",
            labels={"figure": "course table"},
        ),
    log:
        res("logs/course_report/course.log"),
    benchmark:
        res("benchmarks/course_report/course.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        sessions=SESSIONS,
    script:
        "../scripts/course_report.py"


rule course_engagement:
    input:
        predictions=expand(res("predictions/{session}.parquet"), session=SESSIONS),
    output:
        png=report(
            res("report/course_engagement.png"),
            caption="../report/course.rst",
            category="Course",
            labels={"figure": "engagement across sessions"},
        ),
    log:
        res("logs/course_engagement/course.log"),
    benchmark:
        res("benchmarks/course_engagement/course.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        sessions=SESSIONS,
    script:
        "../scripts/course_engagement.py"


if SESSIONS:
    GLOBAL_TARGETS.extend(["report/course.csv", "report/course.html"])
if SESSIONS and PREDICT_MODEL:
    GLOBAL_TARGETS.append("report/course_engagement.png")
