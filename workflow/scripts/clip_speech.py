"""Snakemake script for rule clip_speech: calls engage.asd.clip_speech.clip_speech_session."""

from engage.asd.clip_speech import clip_speech_session
from engage.runner import run_stage

run_stage(
    snakemake,
    clip_speech_session,
    session=snakemake.wildcards.session,
    clips=snakemake.input.clips,
    scores=snakemake.input.scores,
    utterances=snakemake.input.utterances,
    output=snakemake.output[0],
    min_speech_seconds=snakemake.params.min_speech_seconds,
)
