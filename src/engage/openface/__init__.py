"""OpenFace 2.2 FeatureExtraction: its CSV column layout and a reader for its CSV files.

Neutral ground shared by the face stage (OpenFace backend, and the built-in backend that writes the
same columns) and the dataset stage (the CMOSE release ships OpenFace CSVs).
"""

__all__ = ["read_openface_csv"]


def __getattr__(name: str):
    """The reader (and pandas) load on first use: every stage imports the column layout through the
    contract, and pandas alone added 0.7 s to each job's start."""
    if name == "read_openface_csv":
        from engage.openface.reader import read_openface_csv

        return read_openface_csv
    raise AttributeError(f"module 'engage.openface' has no attribute {name!r}")
