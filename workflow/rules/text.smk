# text: BERT-family embedding of each person's attributed transcript text per clip (docs/features/text.md).


# A GPU is requested unless text.device is cpu (like i3d/asd/train); with `auto` on a machine
# without a GPU the rule still runs on the CPU (the local profile offers gpu=1 either way).
rule text:
    input:
        clips=res("{session}/clips.parquet"),
        utterances=res("{session}/utterances.parquet"),
        clip_speech=res("{session}/features/clip_speech.parquet"),
    output:
        res("{session}/features/text.parquet"),
    log:
        res("logs/text/{session}.log"),
    benchmark:
        res("benchmarks/text/{session}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 2
    resources:
        mem_mb=4000,
        gpu=0 if config["text"]["device"] == "cpu" else 1,
    params:
        model=config["text"]["model"],
        sha256=config["text"]["sha256"],
        pooling=config["text"]["pooling"],
        batch_size=config["text"]["batch_size"],
        max_length=config["text"]["max_length"],
        device=config["text"]["device"],
        allow_download=config["text"]["allow_download"],
        on_missing_model=config["text"]["on_missing_model"],
    script:
        "../scripts/text.py"


PER_SESSION_TARGETS.append("features/text.parquet")
