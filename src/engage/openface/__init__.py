"""OpenFace 2.2 FeatureExtraction: its CSV column layout and a reader for its CSV files.

Neutral ground shared by the face stage (OpenFace backend, and the built-in backend that writes the
same columns) and the dataset stage (the CMOSE release ships OpenFace CSVs).
"""

from engage.openface.reader import read_openface_csv

__all__ = ["read_openface_csv"]
