"""Face features per clip: OpenFace 2.2 (container) or the built-in MediaPipe backend, one schema.

See docs/features/face.md. Entry points: :func:`face_session_builtin`, :func:`collect_openface`,
:func:`read_openface_csv`, :func:`chunk_statistics`.
"""

from engage.face.chunks import chunk_statistics
from engage.face.columns import FACE_COLUMNS, FEATURE_COLUMNS, OPENFACE_FEATURES, face_schema
from engage.face.openface_csv import read_openface_csv

__all__ = ["chunk_statistics", "read_openface_csv", "face_schema", "FACE_COLUMNS", "FEATURE_COLUMNS",
           "OPENFACE_FEATURES"]
