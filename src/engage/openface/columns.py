"""OpenFace 2.2 FeatureExtraction column layout (the face.parquet feature columns follow it).

The order follows OpenFace's ``RecorderCSV::Open`` (and the wiki page *Output-Format*) for a
sequence run with ``-2Dfp -3Dfp -pdmparams -pose -aus -gaze``: 714 columns, of which the first five
(frame, face_id, timestamp, confidence, success) are bookkeeping and 709 are numeric features.
"""

from __future__ import annotations

N_FACE_LANDMARKS = 68
N_EYE_LANDMARKS = 56  # 28 per eye
N_PDM_PARAMS = 34

AU_REGRESSION = ["AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12",
                 "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45"]
AU_CLASSIFICATION = ["AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12",
                     "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU28", "AU45"]


def _block(prefixes: list[str], n: int) -> list[str]:
    return [f"{p}{i}" for p in prefixes for i in range(n)]


GAZE_VECTOR = ["gaze_0_x", "gaze_0_y", "gaze_0_z", "gaze_1_x", "gaze_1_y", "gaze_1_z"]
GAZE_ANGLE = ["gaze_angle_x", "gaze_angle_y"]
EYE_LANDMARKS = _block(["eye_lmk_x_", "eye_lmk_y_", "eye_lmk_X_", "eye_lmk_Y_", "eye_lmk_Z_"], N_EYE_LANDMARKS)
POSE = ["pose_Tx", "pose_Ty", "pose_Tz", "pose_Rx", "pose_Ry", "pose_Rz"]
LANDMARKS_2D = _block(["x_", "y_"], N_FACE_LANDMARKS)
LANDMARKS_3D = _block(["X_", "Y_", "Z_"], N_FACE_LANDMARKS)
PDM_RIGID = ["p_scale", "p_rx", "p_ry", "p_rz", "p_tx", "p_ty"]
PDM_NONRIGID = [f"p_{i}" for i in range(N_PDM_PARAMS)]
AU_R = [f"{a}_r" for a in AU_REGRESSION]
AU_C = [f"{a}_c" for a in AU_CLASSIFICATION]

#: Bookkeeping columns of an OpenFace 2.2 sequence CSV.
OPENFACE_META = ["frame", "face_id", "timestamp", "confidence", "success"]
#: The 709 numeric feature columns of OpenFace 2.2, in file order (CMOSE's high-level features).
OPENFACE_FEATURES = (GAZE_VECTOR + GAZE_ANGLE + EYE_LANDMARKS + POSE + LANDMARKS_2D + LANDMARKS_3D
                     + PDM_RIGID + PDM_NONRIGID + AU_R + AU_C)
#: All 714 columns of an OpenFace 2.2 FeatureExtraction CSV, in file order.
OPENFACE_22_COLUMNS = OPENFACE_META + OPENFACE_FEATURES
#: Columns of the older (pre-2.0) layout, e.g. tests/data/openface/OpenFace_Test.csv (431 columns).
OPENFACE_LEGACY_COLUMNS = (["frame", "timestamp", "confidence", "success"] + GAZE_VECTOR + POSE + LANDMARKS_2D
                           + LANDMARKS_3D + PDM_RIGID + PDM_NONRIGID + AU_R + AU_C)

#: Derived columns computed from the 2D landmarks for both backends (not in OpenFace's CSV).
EXTRA_FEATURES = ["eye_openness_0", "eye_openness_1"]

#: Feature columns of face.parquet (both backends), in order; the schema is engage.contract.FACE.
FEATURE_COLUMNS = OPENFACE_FEATURES + EXTRA_FEATURES

assert len(OPENFACE_22_COLUMNS) == 714 and len(OPENFACE_FEATURES) == 709
assert len(OPENFACE_LEGACY_COLUMNS) == 431

