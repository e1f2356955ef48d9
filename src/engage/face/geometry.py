"""Camera, head-pose, gaze and eye-openness geometry with OpenFace's conventions.

Camera frame (OpenFace/OpenCV): X to the image right, Y down, Z away from the camera, millimetres.
Rotations use OpenFace's ``R = Rx * Ry * Rz`` Euler convention (``Utilities::RotationMatrix2Euler``),
so pose_Rx is pitch, pose_Ry yaw and pose_Rz roll in radians. Gaze follows the geometry of
``GazeAnalysis::EstimateGaze``: a ray from the camera through the pupil meets a 12 mm eyeball sphere and
the gaze vector points from the sphere centre to that point; ``gaze_angle_x = atan2(gx, -gz)``,
``gaze_angle_y = atan2(gy, -gz)`` of the mean of both eyes' vectors (positive x: looking towards the
image right, i.e. the person's left; positive y: looking down). The sphere centre is placed 12 mm
behind the centre of the observed eye opening along the head's forward axis (see :func:`eyeball_centre`).
"""

from __future__ import annotations

import cv2
import numpy as np

EYEBALL_RADIUS_MM = 12.0


def default_intrinsics(width: int, height: int) -> tuple[float, float, float, float]:
    """OpenFace's guess when the camera is unknown: f = mean(500 w/640, 500 h/480), centre = image centre."""
    f = (500.0 * width / 640.0 + 500.0 * height / 480.0) / 2.0
    return f, f, width / 2.0, height / 2.0


def camera_matrix(fx: float, fy: float, cx: float, cy: float) -> np.ndarray:
    return np.array([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]])


def rotation_to_euler(R: np.ndarray) -> tuple[float, float, float]:
    """(pitch, yaw, roll) of ``R`` with OpenFace's quaternion formulas (R = Rx Ry Rz)."""
    q0 = np.sqrt(max(1.0 + R[0, 0] + R[1, 1] + R[2, 2], 1e-12)) / 2.0
    q1 = (R[2, 1] - R[1, 2]) / (4.0 * q0)
    q2 = (R[0, 2] - R[2, 0]) / (4.0 * q0)
    q3 = (R[1, 0] - R[0, 1]) / (4.0 * q0)
    yaw = np.arcsin(np.clip(2.0 * (q0 * q2 + q1 * q3), -1.0, 1.0))
    pitch = np.arctan2(2.0 * (q0 * q1 - q2 * q3), q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3)
    roll = np.arctan2(2.0 * (q0 * q3 - q1 * q2), q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3)
    return float(pitch), float(yaw), float(roll)


def solve_head_pose(model_mm: np.ndarray, image_px: np.ndarray, K: np.ndarray,
                    guess: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Rigid fit of ``model_mm`` (N,3) to ``image_px`` (N,2): returns (R, t_mm, rms reprojection px) or None.

    ``guess`` (rvec, tvec) from the previous frame speeds up and stabilises the iterative solver.
    A solution that puts the face behind the camera is rejected (None).
    """
    obj = np.ascontiguousarray(model_mm, dtype=np.float64)
    img = np.ascontiguousarray(image_px, dtype=np.float64)
    if guess is not None:
        ok, rvec, tvec = cv2.solvePnP(obj, img, K, None, guess[0].copy(), guess[1].copy(), True, cv2.SOLVEPNP_ITERATIVE)
    else:
        ok, rvec, tvec = cv2.solvePnP(obj, img, K, None, flags=cv2.SOLVEPNP_SQPNP)
        if ok:
            ok, rvec, tvec = cv2.solvePnP(obj, img, K, None, rvec, tvec, True, cv2.SOLVEPNP_ITERATIVE)
    if not ok or tvec[2, 0] <= 0:
        return None
    proj, _ = cv2.projectPoints(obj, rvec, tvec, K, None)
    rms = float(np.sqrt(np.mean(np.sum((proj[:, 0, :] - img) ** 2, axis=1))))
    R, _ = cv2.Rodrigues(rvec)
    return R, tvec[:, 0], rms


def eyeball_centre(eye_px: np.ndarray, depth_mm: float, R: np.ndarray, K: np.ndarray,
                   radius: float = EYEBALL_RADIUS_MM) -> np.ndarray:
    """Eyeball centre: the eye-opening centre ``eye_px`` (mean of the six eye landmarks, pixels),
    back-projected to ``depth_mm`` (depth of the posed face model's eye), moved ``radius`` mm back
    along the head's forward axis.

    So a pupil in the middle of the eye opening means gaze = head direction, and the gaze angle is
    the head pose combined with the iris offset inside the eye. (OpenFace instead adds a fixed
    (0, -3.5, 7) mm offset to its own PDM eye corners; MediaPipe's corner points sit elsewhere on the
    lid contour, so anchoring on the observed eye opening avoids a constant vertical bias.)
    """
    front = np.array([(eye_px[0] - K[0, 2]) * depth_mm / K[0, 0], (eye_px[1] - K[1, 2]) * depth_mm / K[1, 1], depth_mm])
    return front + R @ np.array([0.0, 0.0, radius])


def gaze_vector(pupil_px: np.ndarray, centre_cam: np.ndarray, K: np.ndarray, radius: float = EYEBALL_RADIUS_MM) -> np.ndarray:
    """Unit gaze vector: camera ray through ``pupil_px`` meets the eyeball sphere (near side).

    When the ray misses the sphere (landmark noise), the ray point closest to the centre is used,
    which keeps the direction continuous instead of OpenFace's fallback to straight ahead.
    """
    d = np.array([(pupil_px[0] - K[0, 2]) / K[0, 0], (pupil_px[1] - K[1, 2]) / K[1, 1], 1.0])
    d /= np.linalg.norm(d)
    b = float(d @ centre_cam)
    disc = b * b - float(centre_cam @ centre_cam) + radius * radius
    t = b - np.sqrt(disc) if disc >= 0 else b
    v = t * d - centre_cam
    n = np.linalg.norm(v)
    return v / n if n > 0 else np.array([0.0, 0.0, -1.0])


def gaze_angles(g0: np.ndarray, g1: np.ndarray) -> tuple[float, float]:
    """OpenFace ``GetGazeAngle``: angles of the mean gaze vector (radians)."""
    g = (np.asarray(g0, dtype=np.float64) + np.asarray(g1, dtype=np.float64)) / 2.0
    return float(np.arctan2(g[..., 0], -g[..., 2])), float(np.arctan2(g[..., 1], -g[..., 2]))


def eye_openness(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eye aspect ratio of eye 0 (iBUG 36-41) and eye 1 (42-47) from 68-point 2D landmarks.

    ``(|p1-p5| + |p2-p4|) / (2 |p0-p3|)`` with p0..p5 the six points of the eye (Soukupova & Cech 2016):
    about 0.25-0.35 open, below ~0.15 closed; scale-free, so comparable across tile sizes.
    ``x``/``y`` are (..., 68) arrays; NaN where landmarks are missing.
    """
    out = []
    for s in (36, 42):
        p = [np.stack([x[..., s + k], y[..., s + k]], axis=-1) for k in range(6)]
        v = np.linalg.norm(p[1] - p[5], axis=-1) + np.linalg.norm(p[2] - p[4], axis=-1)
        h = np.linalg.norm(p[0] - p[3], axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(h > 0, v / (2.0 * h), np.nan))
    return out[0], out[1]
