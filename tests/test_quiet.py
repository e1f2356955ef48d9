"""Native library chatter (TFLite, MediaPipe/absl, protobuf) stays off the terminal of a stage job.

A job run through engage.runner.run_stage builds real MediaPipe graphs (the face detector of the
tracks stage, the face mesh of the face stage), warns once and fails with one SessionError: its
stderr must hold exactly the warning and the ERROR line; the native lines go to the job's log.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

from conftest import REPO

#: Lines the native libraries print (absl/TFLite C++ and protobuf's Python deprecation warning).
NOISE = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog|XNNPACK delegate|inference_feedback_manager|"
                   r"SymbolDatabase\.GetPrototype|warnings\.warn\(")

JOB = textwrap.dedent("""
    import logging, sys, types
    sys.path.insert(0, {src!r})
    from engage.errors import SessionError
    from engage.runner import run_stage

    def stage(*, session):
        import numpy as np
        from engage.face.builtin import FaceMeshBackend
        from engage.tracks.detector import TileFaceDetector
        with TileFaceDetector() as det:
            det.detect(np.zeros((120, 160, 3), np.uint8))
        with FaceMeshBackend()._new_mesh() as mesh:
            mesh.process(np.zeros((120, 160, 3), np.uint8))
        logging.getLogger("engage.demo").warning("session %r: a warning the user must see", session)
        raise SessionError(session, "gallery.mp4", "a problem the user must see")

    smk = types.SimpleNamespace(params={{}}, log=[{log!r}], rule="demo", threads=1,
                                wildcards={{"session": "s1"}})
    run_stage(smk, stage, session="s1")
""")


def test_stage_stderr_has_no_native_library_lines(tmp_path):
    log = tmp_path / "logs" / "demo.log"
    proc = subprocess.run([sys.executable, "-c", JOB.format(src=str(REPO / "src"), log=str(log))],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert [ln for ln in lines if NOISE.search(ln)] == [], proc.stderr[-3000:]
    assert lines == ["WARNING engage.demo: session 's1': a warning the user must see",
                     "ERROR [demo] session 's1' (gallery.mp4): a problem the user must see"], lines
    text = log.read_text()
    assert "XNNPACK" in text or "inference_feedback_manager" in text  # produced, and kept in the log
    assert "a warning the user must see" in text and "ERROR [demo]" in text
