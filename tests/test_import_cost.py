"""Each Snakemake job is a new Python process that imports its stage: heavy libraries it does not use
make every job start slower (pandas alone was 0.7 s a job; scipy.signal 1.2 s for asd), which adds up
over a course of sessions and on a cluster. These stages must not import them at start."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "scipy.signal", "torch", "transformers", "matplotlib", "mediapipe")
#: stage module -> heavy libraries it needs at import (the model it runs)
STAGES = {
    "engage.ingest": (),
    "engage.cues": (),
    "engage.layout": (),
    "engage.tracks": (),
    "engage.clips": (),
    "engage.speakers": (),
    "engage.utterances": (),
    "engage.acoustics": (),
    "engage.text": (),
    "engage.interaction": (),
    "engage.labels.merge": (),
    "engage.model.tables": (),
    "engage.asd.stage": ("torch",),
    "engage.asd.clip_speech": (),
}


def _loaded(module: str) -> list[str]:
    code = f"import sys, json, {module}; print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("module", sorted(STAGES))
def test_stage_imports_no_heavy_library_it_does_not_need(module):
    extra = sorted(set(_loaded(module)) - set(STAGES[module]))
    assert extra == [], f"importing {module} loads {extra}: import them where they are used"
