"""Snakemake script for rules dataset (labelled sessions) and cmose_import (public CMOSE release)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.cmose_import import import_cmose
    from engage.model.dataset import build_dataset
    from engage.runner import run_stage

    p = snakemake.params
    if snakemake.rule == "cmose_import":
        run_stage(
            snakemake,
            import_cmose,
            json_path=snakemake.input.json,
            openface=snakemake.input.openface,
            output=snakemake.output[0],
            name=p.name,
            face_patterns=p.face_columns,
            n_chunks=p.n_chunks,
            min_frames=p.min_frames,
            split_map={"train": "train", "unlabel": p.unlabel_split, "test": "test"},
        )
    else:
        run_stage(
            snakemake,
            build_dataset,
            sessions=p.sessions,
            session_dirs=p.session_dirs,
            label_files=list(snakemake.input.labels),
            output=snakemake.output[0],
            name=snakemake.wildcards.name,
            face_patterns=p.face_columns,
            n_chunks=p.n_chunks,
            min_frames=p.min_frames,
            seed=p.split_seed,
            test_fraction=p.test_fraction,
            val_fraction=p.val_fraction,
            unknown_clips=p.unknown_clips,
            interaction=p.interaction,
        )
