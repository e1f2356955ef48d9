# i3d: CMOSE-compatible I3D clip embeddings per session (docs/features/i3d.md), GPU-batched.
# download_i3d_weights: opt-in checkpoint download, run only when asked for by name.

I3D = config["i3d"]


def i3d_weights_input(wildcards):
    """The checkpoint as an input when it exists (reruns on change); never triggers a download."""
    w = I3D["weights"]
    return [w] if w != "random" and Path(w).is_file() else []


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
        weights=I3D["weights"],
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


def i3d_download_target():
    w = I3D["weights"]
    if w != "random":
        return w
    name = Path(I3D["weights_url"].split("?")[0]).name or "i3d_checkpoint.pt"
    return f"models/i3d/{name}"


localrules:
    download_i3d_weights,


rule download_i3d_weights:
    output:
        i3d_download_target(),
    log:
        res("logs/download_i3d_weights.log"),
    conda:
        "../../envs/core.yaml"
    params:
        url=I3D["weights_url"],
        sha256=I3D["sha256"],
    script:
        "../scripts/download_i3d_weights.py"


def _i3d_inputs_have_rules():
    """True once a rule producing clips.parquet exists (else `rule all` could not be planned)."""
    made = {
        re.sub(r"\{(\w+),[^}]*\}", r"{\1}", str(f))
        for r in workflow.rules
        if r.name != "i3d"
        for f in r.output
    }
    return res("{session}/clips.parquet") in made


if _i3d_inputs_have_rules():
    PER_SESSION_TARGETS.append("features/i3d.parquet")
