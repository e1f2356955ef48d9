"""68-point iBUG/OpenFace landmark indexing on top of MediaPipe's 478-point face mesh, and the 3D face model.

Table rows: ``(ibug_index, mediapipe_mesh_index, (X, Y, Z))``. The mesh index is the vertex of the
MediaPipe face mesh whose position matches the iBUG-68 point (the widely used correspondence, checked
against the canonical model: jaw 0-16 runs from the person's right ear (image left) over the chin
(8) to the left ear, eye corners 36/39 and 42/45, mouth corners 48/54, nose tip 30).

``(X, Y, Z)`` are the vertices of MediaPipe's *canonical face model*
(``mediapipe/modules/face_geometry/data/canonical_face_model.obj``, Apache-2.0, Google; copied from
the mirror jim-jiang-github/mediapipe @ d8b09925, file sha256 5ecc0627...63ee2a9): a metric,
neutral, frontal face in **centimetres**, X towards the image right, Y up, Z towards the camera.
:func:`model_points_mm` converts them to OpenFace's camera frame (millimetres, X right, Y down,
Z away from the camera) centred on the mean of the 68 points, like OpenFace's PDM mean shape.
"""

from __future__ import annotations

import numpy as np

IBUG68_FROM_MESH = (
    ( 0, 162, (-7.555811,  4.106811, -0.991917)),  # jaw
    ( 1, 234, (-7.664182,  0.673132, -2.435867)),  # jaw
    ( 2,  93, (-7.542244, -1.049282, -2.431321)),  # jaw
    ( 3,  58, (-6.719682, -4.788645, -1.745401)),  # jaw
    ( 4, 172, (-5.940524, -6.223629, -0.631468)),  # jaw
    ( 5, 136, (-5.085276, -7.178590,  0.714711)),  # jaw
    ( 6, 149, (-3.210651, -8.533278,  2.802001)),  # jaw
    ( 7, 148, (-1.292924, -9.295920,  4.094063)),  # jaw
    ( 8, 152, ( 0.000000, -9.403378,  4.264492)),  # jaw
    ( 9, 377, ( 1.292924, -9.295920,  4.094063)),  # jaw
    (10, 378, ( 3.210651, -8.533278,  2.802001)),  # jaw
    (11, 365, ( 5.085276, -7.178590,  0.714711)),  # jaw
    (12, 397, ( 5.940524, -6.223629, -0.631468)),  # jaw
    (13, 288, ( 6.719682, -4.788645, -1.745401)),  # jaw
    (14, 323, ( 7.542244, -1.049282, -2.431321)),  # jaw
    (15, 454, ( 7.664182,  0.673132, -2.435867)),  # jaw
    (16, 389, ( 7.555811,  4.106811, -0.991917)),  # jaw
    (17,  71, (-6.374393,  4.785590,  1.591691)),  # right brow
    (18,  63, (-4.985894,  4.802461,  3.751977)),  # right brow
    (19, 105, (-3.986562,  5.109487,  4.466315)),  # right brow
    (20,  66, (-2.760292,  5.100971,  5.015990)),  # right brow
    (21, 107, (-1.395634,  5.011963,  5.316032)),  # right brow
    (22, 336, ( 1.395634,  5.011963,  5.316032)),  # left brow
    (23, 296, ( 2.760292,  5.100971,  5.015990)),  # left brow
    (24, 334, ( 3.986562,  5.109487,  4.466315)),  # left brow
    (25, 293, ( 4.985894,  4.802461,  3.751977)),  # left brow
    (26, 301, ( 6.374393,  4.785590,  1.591691)),  # left brow
    (27, 168, ( 0.000000,  3.271027,  5.236015)),  # nose bridge
    (28, 197, ( 0.000000,  1.728369,  6.316750)),  # nose bridge
    (29,   5, ( 0.000000,  0.365669,  7.242870)),  # nose bridge
    (30,   4, ( 0.000000, -0.463170,  7.586580)),  # nose bridge
    (31,  75, (-1.043625, -1.464973,  5.662455)),  # nose base
    (32,  97, (-0.597442, -2.013686,  5.866456)),  # nose base
    (33,   2, ( 0.000000, -2.089024,  6.058267)),  # nose base
    (34, 326, ( 0.597442, -2.013686,  5.866456)),  # nose base
    (35, 305, ( 1.043625, -1.464973,  5.662455)),  # nose base
    (36,  33, (-4.445859,  2.663991,  3.173422)),  # right eye
    (37, 160, (-3.670075,  2.927714,  3.724325)),  # right eye
    (38, 158, (-2.724032,  2.961810,  3.871767)),  # right eye
    (39, 133, (-1.856432,  2.585245,  3.757904)),  # right eye
    (40, 153, (-2.724032,  2.315802,  3.777151)),  # right eye
    (41, 144, (-3.670075,  2.360153,  3.635230)),  # right eye
    (42, 362, ( 1.856432,  2.585245,  3.757904)),  # left eye
    (43, 385, ( 2.724032,  2.961810,  3.871767)),  # left eye
    (44, 387, ( 3.670075,  2.927714,  3.724325)),  # left eye
    (45, 263, ( 4.445859,  2.663991,  3.173422)),  # left eye
    (46, 373, ( 3.670075,  2.360153,  3.635230)),  # left eye
    (47, 380, ( 2.724032,  2.315802,  3.777151)),  # left eye
    (48,  61, (-2.456206, -4.342621,  4.283884)),  # outer lip
    (49,  39, (-1.431615, -3.500953,  5.496189)),  # outer lip
    (50,  37, (-0.711452, -3.329355,  5.877044)),  # outer lip
    (51,   0, ( 0.000000, -3.406404,  5.979507)),  # outer lip
    (52, 267, ( 0.711452, -3.329355,  5.877044)),  # outer lip
    (53, 269, ( 1.431615, -3.500953,  5.496189)),  # outer lip
    (54, 291, ( 2.456206, -4.342621,  4.283884)),  # outer lip
    (55, 405, ( 1.325085, -5.106507,  5.205010)),  # outer lip
    (56, 314, ( 0.699606, -5.291850,  5.448304)),  # outer lip
    (57,  17, ( 0.000000, -5.365123,  5.535441)),  # outer lip
    (58,  84, (-0.699606, -5.291850,  5.448304)),  # outer lip
    (59, 181, (-1.325085, -5.106507,  5.205010)),  # outer lip
    (60,  78, (-2.153084, -4.276322,  4.038093)),  # inner lip
    (61,  82, (-0.533422, -3.993222,  5.138202)),  # inner lip
    (62,  13, ( 0.000000, -3.994436,  5.219482)),  # inner lip
    (63, 312, ( 0.533422, -3.993222,  5.138202)),  # inner lip
    (64, 308, ( 2.153084, -4.276322,  4.038093)),  # inner lip
    (65, 317, ( 0.583218, -4.517982,  5.339869)),  # inner lip
    (66,  14, ( 0.000000, -4.542400,  5.404754)),  # inner lip
    (67,  87, (-0.583218, -4.517982,  5.339869)),  # inner lip
)

#: MediaPipe mesh index for iBUG point i (i = 0..67).
MESH_INDEX = np.array([m for _, m, _ in IBUG68_FROM_MESH], dtype=np.int64)
#: Iris centres of the refined mesh: eye 0 = the eye on the image left (iBUG 36-41), eye 1 = image right.
IRIS_CENTRE = (468, 473)
#: First iBUG index of the six points of eye 0 (36-41) and eye 1 (42-47).
EYE_POINTS = (36, 42)
#: iBUG points used for the rigid head-pose fit: upper face contour, brows, nose, eye corners
#: (mouth, chin and eyelids move while talking/blinking and are left out).
POSE_POINTS = np.array([0, 1, 2, 14, 15, 16, *range(17, 36), 36, 39, 42, 45], dtype=np.int64)


def model_points_mm() -> np.ndarray:
    """(68, 3) float64 model in OpenFace's camera frame and units (mm), centred on its mean."""
    cm = np.array([p for _, _, p in IBUG68_FROM_MESH], dtype=np.float64)
    mm = cm * np.array([10.0, -10.0, -10.0])
    return mm - mm.mean(axis=0)
