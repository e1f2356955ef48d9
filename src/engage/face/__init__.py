"""Face features per clip: OpenFace 2.2 (container) or the built-in MediaPipe backend, one schema.

See docs/features/face.md. Entry points: :func:`engage.face.stage.face_session_builtin` and
:func:`engage.face.openface_run.collect_openface`; the OpenFace CSV layout and reader live in
:mod:`engage.openface`, the face.parquet schema in :mod:`engage.contract`.
"""
