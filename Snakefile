# Engagement analytics for gallery-view recordings: see README.md and docs/.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


rule all:
    default_target: True
    input:
        all_targets,


include: "workflow/rules/ingest.smk"
include: "workflow/rules/layout.smk"
include: "workflow/rules/tracks.smk"
include: "workflow/rules/clips.smk"
include: "workflow/rules/face.smk"
include: "workflow/rules/i3d.smk"
include: "workflow/rules/asd.smk"
include: "workflow/rules/speech.smk"
include: "workflow/rules/interaction.smk"
include: "workflow/rules/model.smk"
include: "workflow/rules/report.smk"
