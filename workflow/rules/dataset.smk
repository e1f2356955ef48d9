# dataset: one row per labelled clip with every model input, its label and a person-level split (docs/model.md).
# Only labelled sessions contribute, with the labels of rule labels_merge (labels.smk: labels.csv, or the merged
# rater files labels/<rater>.csv); cmose_import writes the public CMOSE release in the same schema.


rule dataset:
    input:
        unpack(dataset_inputs),
    output:
        res("dataset/{name}.parquet"),
    log:
        res("logs/dataset/{name}.log"),
    benchmark:
        res("benchmarks/dataset/{name}.tsv")
    wildcard_constraints:
        name=re.escape(DATASET["name"]),
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        sessions=LABELLED_SESSIONS,
        session_dirs=[res(s) for s in LABELLED_SESSIONS],
        face_patterns=DATASET["face_columns"],
        n_chunks=DATASET["n_chunks"],
        min_frames=DATASET["min_frames"],
        seed=DATASET["split_seed"],
        test_fraction=DATASET["test_fraction"],
        val_fraction=DATASET["val_fraction"],
        unknown_clips=DATASET["unknown_clips"],
        interaction=DATASET["interaction"],
    script:
        "../scripts/dataset.py"


rule cmose_import:
    input:
        json=CMOSE["json"] or [],
        openface=CMOSE["openface"] or [],
    output:
        res(f"dataset/{CMOSE['name']}.parquet"),
    log:
        res(f"logs/dataset/{CMOSE['name']}.log"),
    benchmark:
        res(f"benchmarks/dataset/{CMOSE['name']}.tsv")
    conda:
        "../../envs/torch.yaml"
    threads: 1
    resources:
        mem_mb=8000,
    params:
        name=CMOSE["name"],
        face_patterns=DATASET["face_columns"],
        n_chunks=DATASET["n_chunks"],
        min_frames=DATASET["min_frames"],
        split_map={"train": "train", "unlabel": CMOSE["unlabel_split"], "test": "test"},
    script:
        "../scripts/cmose_import.py"
