# Engagement analytics for gallery-view recordings: see README.md and docs/.
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")


# Defaults ship beside this Snakefile; --configfile / --config override them.
configfile: str(Path(workflow.basedir) / "config.yaml")


# With --use-singularity only face_openface runs in a container (OpenFace's image) and every other rule
# runs on the host (the venv, or --sdm conda). The project image is opt-in: set container_image to one
# built from envs/Dockerfile or envs/engage.def (README, "Containers") and every rule runs in it.
container: config.get("container_image") or None


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


rule all:
    default_target: True
    input:
        all_targets,


include: "workflow/rules/ingest.smk"
include: "workflow/rules/layout.smk"
include: "workflow/rules/tracks.smk"
include: "workflow/rules/cues.smk"
include: "workflow/rules/clips.smk"
include: "workflow/rules/face.smk"
include: "workflow/rules/i3d.smk"
include: "workflow/rules/asd.smk"
include: "workflow/rules/speakers.smk"
include: "workflow/rules/utterances.smk"
include: "workflow/rules/clip_speech.smk"
include: "workflow/rules/acoustics.smk"
include: "workflow/rules/text.smk"
include: "workflow/rules/interaction.smk"
include: "workflow/rules/labels.smk"
include: "workflow/rules/dataset.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/predict.smk"
include: "workflow/rules/report.smk"


# A session may not share its name with a results folder the rules above write for all sessions.
check_result_names()
