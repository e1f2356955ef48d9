# interaction: meeting chat, turn-taking, replies and sentiment per clip and person
# (docs/features/interaction.md), plus a per-session participation table and bar chart.


rule interaction:
    input:
        clips=res("{session}/clips.parquet"),
        utterances=res("{session}/utterances.parquet"),
        layout=res("{session}/layout.json"),
        chat=session_file("chat.txt"),
        participants=session_file("participants.csv"),
    output:
        features=res("{session}/features/interaction.parquet"),
        csv=report(
            res("{session}/participation.csv"),
            category="Participation",
            subcategory="{session}",
            labels={"session": "{session}", "figure": "participation table"},
        ),
        png=report(
            res("{session}/participation.png"),
            category="Participation",
            subcategory="{session}",
            labels={"session": "{session}", "figure": "participation chart"},
        ),
    log:
        res("logs/interaction/{session}.log"),
    benchmark:
        res("benchmarks/interaction/{session}.tsv")
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        chat_offset_s=config["interaction"]["chat_offset_s"],
        history_s=config["interaction"]["history_s"],
        reply_window_s=config["interaction"]["reply_window_s"],
        strict_chat=config["interaction"]["strict_chat"],
        unattributed_is_other=config["interaction"]["unattributed_is_other"],
    script:
        "../scripts/interaction.py"


PER_SESSION_TARGETS.extend(
    [
        "features/interaction.parquet",
        "participation.csv",
        "participation.png",
    ]
)
