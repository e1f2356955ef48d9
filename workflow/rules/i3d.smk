# i3d: CMOSE-compatible I3D clip embeddings per session (docs/features/i3d.md), GPU-batched.
# download_i3d_weights: opt-in checkpoint download, run only when asked for by name.


rule i3d:
    input:
        clips=res("{session}/clips.parquet"),
        weights=i3d_weights_input,
    output:
        res("{session}/features/i3d.parquet"),
    log:
        res("logs/i3d/{session}.log"),
    benchmark:
        res("benchmarks/i3d/{session}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 8
    resources:
        mem_mb=8000,
        gpu=1,
    params:
        model=I3D["model"],
        weights=weights_path(I3D["weights"]),
        sha256=I3D["sha256"],
        window=I3D["window"],
        stride=I3D["stride"],
        max_windows_per_clip=I3D["max_windows_per_clip"],
        batch_size=I3D["batch_size"],
        device=I3D["device"],
        precision=I3D["precision"],
        channels_last=I3D["channels_last"],
        decode_workers=I3D["decode_workers"],
        seed=I3D["seed"],
    script:
        "../scripts/i3d.py"


localrules:
    download_i3d_weights,


rule download_i3d_weights:
    output:
        workflow_support.i3d_download_target(
            I3D["weights"], I3D["weights_url"], workflow.basedir
        ),
    log:
        res("logs/download_i3d_weights.log"),
    conda:
        "../../envs/core.yaml"
    params:
        url=I3D["weights_url"],
        sha256=I3D["sha256"],
        timeout=60.0,  # seconds without data before the download gives up
    script:
        "../scripts/download_i3d_weights.py"


PER_SESSION_TARGETS.append("features/i3d.parquet")
