"""Snakemake script for rule cmose_import: calls engage.model.cmose_import.import_cmose (the public CMOSE release)."""

import sys
from pathlib import Path

if __name__ == "__main__":  # guard: worker processes (spawn) re-import this file
    sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))  # the engage library
    from engage.model.cmose_import import import_cmose
    from engage.runner import run_stage

    # Every params: entry of the rule reaches import_cmose under its own name (engage.runner.run_stage).
    run_stage(
        snakemake,
        import_cmose,
        json_path=snakemake.input.json,
        openface=snakemake.input.openface,
        output=snakemake.output[0],
    )
