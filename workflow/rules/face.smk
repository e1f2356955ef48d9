# face: per-clip face features -> <results>/<s>/features/face.parquet (docs/features/face.md).
# Two backends with one output schema. Only the chosen backend's rules are defined, so there is never
# an ambiguity between two rules for face.parquet:
#   face.backend: openface -> OpenFace 2.2 FeatureExtraction in the container face.openface.container
#   face.backend: builtin  -> MediaPipe face mesh on the host (offline, no container)
#   face.backend: auto     -> openface when Snakemake runs with containers (--use-singularity /
#                             --sdm apptainer), builtin otherwise.
# Both read layout.json and tracks.parquet: no face success on a camera-off tile or where tracks
# found no face (engage.face.evidence).


if FACE_BACKEND == "openface":

    rule face_openface_list:
        input:
            clips=res("{session}/clips.parquet"),
        output:
            args=temp(res("{session}/features/openface/args.txt")),
        log:
            res("logs/face/{session}.list.log"),
        benchmark:
            res("benchmarks/face/{session}.list.tsv")
        conda:
            "../../envs/core.yaml"
        threads: 1
        resources:
            mem_mb=500,
        script:
            "../scripts/face_openface_list.py"

    rule face_openface_run:
        input:
            args=res("{session}/features/openface/args.txt"),
        output:
            csv=temp(directory(res("{session}/features/openface/csv"))),
        log:
            res("logs/face/{session}.openface.log"),
        benchmark:
            res("benchmarks/face/{session}.openface.tsv")
        container:
            config["face"]["openface"]["container"]
        threads: 1
        resources:
            mem_mb=4000,
        params:
            binary=config["face"]["openface"]["binary"],
            flags="-2Dfp -3Dfp -pdmparams -pose -aus -gaze",
            per_call=2 * config["face"]["openface"]["batch_size"],
        shell:
            "mkdir -p {output.csv} && "
            "xargs -a {input.args} -d '\\n' -n {params.per_call} "
            "{params.binary} {params.flags} -out_dir {output.csv} > {log} 2>&1"

    rule face_openface:
        input:
            clips=res("{session}/clips.parquet"),
            tracks=res("{session}/tracks.parquet"),
            layout=res("{session}/layout.json"),
            csv=res("{session}/features/openface/csv"),
        output:
            res("{session}/features/face.parquet"),
        log:
            res("logs/face/{session}.log"),
        benchmark:
            res("benchmarks/face/{session}.tsv")
        conda:
            "../../envs/core.yaml"
        threads: 1
        resources:
            mem_mb=2000,
        params:
            container=config["face"]["openface"]["container"],
            binary=config["face"]["openface"]["binary"],
            batch_size=config["face"]["openface"]["batch_size"],
        script:
            "../scripts/face_openface.py"

else:

    rule face_builtin:
        input:
            clips=res("{session}/clips.parquet"),
            tracks=res("{session}/tracks.parquet"),
            layout=res("{session}/layout.json"),
        output:
            res("{session}/features/face.parquet"),
        log:
            res("logs/face/{session}.log"),
        benchmark:
            res("benchmarks/face/{session}.tsv")
        conda:
            "../../envs/core.yaml"
        threads: config["face"]["threads"]
        resources:
            mem_mb=lambda wildcards, threads: 1000 + 700 * threads,
        params:
            min_detection_confidence=config["face"]["builtin"][
                "min_detection_confidence"
            ],
            min_tracking_confidence=config["face"]["builtin"]["min_tracking_confidence"],
        script:
            "../scripts/face_builtin.py"


PER_SESSION_TARGETS.append("features/face.parquet")
