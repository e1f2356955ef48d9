"""Test-only helper: a tracks table (docs/data-contract.md layout) built from a gallery's truth
tile rectangles plus a MediaPipe face box per frame, for testing the asd stage independently
of the tracks stage. Detection runs every ``every`` frames; boxes between two detections of the
same tile are linearly interpolated (so has_face is true there, score null). Detections below
``min_confidence`` (0.7) are dropped, as a tracks stage would drop weak ones."""

from __future__ import annotations

import pyarrow as pa

from engage import TIMELINE_FPS
from engage.contract import TRACKS
from engage.media.decode import FrameReader


def truth_tracks(video, truth: dict, session: str = "test", every: int = 5, min_confidence: float = 0.7) -> pa.Table:
    import cv2
    import mediapipe as mp

    tiles = truth["tiles"]
    n = int(truth["video"]["frames"])
    dets = {i: {} for i in range(len(tiles))}  # tile -> frame -> (x, y, w, h, score)
    with mp.solutions.face_detection.FaceDetection(model_selection=0, min_detection_confidence=min_confidence) as short, \
            mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=min_confidence) as full:
        for f, frame in FrameReader(video, every=every):
            for i, t in enumerate(tiles):
                tile = frame[t["y"] : t["y"] + t["h"], t["x"] : t["x"] + t["w"]]
                rgb = cv2.cvtColor(tile, cv2.COLOR_BGR2RGB)
                res = short.process(rgb)
                if not res.detections:
                    res = full.process(rgb)
                if not res.detections:
                    continue
                d = max(res.detections, key=lambda d: d.score[0])
                bb = d.location_data.relative_bounding_box
                dets[i][f] = (t["x"] + bb.xmin * t["w"], t["y"] + bb.ymin * t["h"], bb.width * t["w"], bb.height * t["h"], d.score[0])
    cols = {k: [] for k in ("session", "person", "frame", "time", "tile_x", "tile_y", "tile_w", "tile_h", "face_x", "face_y",
                            "face_w", "face_h", "score", "detected", "has_face")}
    for i, t in enumerate(tiles):
        known = sorted(dets[i])
        for f in range(n):
            box, score = None, None
            if f in dets[i]:
                *box, score = dets[i][f]
            else:
                prev = max((k for k in known if k < f), default=None)
                nxt = min((k for k in known if k > f), default=None)
                if prev is not None and nxt is not None and nxt - prev <= every:
                    w = (f - prev) / (nxt - prev)
                    box = [(1 - w) * a + w * b for a, b in zip(dets[i][prev][:4], dets[i][nxt][:4])]
            cols["session"].append(session)
            cols["person"].append(f"p{i:02d}")
            cols["frame"].append(f)
            cols["time"].append(f / TIMELINE_FPS)
            for k, v in zip(("tile_x", "tile_y", "tile_w", "tile_h"), (t["x"], t["y"], t["w"], t["h"])):
                cols[k].append(v)
            for k, v in zip(("face_x", "face_y", "face_w", "face_h"), box or [None] * 4):
                cols[k].append(v)
            cols["score"].append(score)
            cols["detected"].append(f % every == 0)
            cols["has_face"].append(box is not None)
    return pa.Table.from_pydict(cols, schema=TRACKS.schema())


def person_rects(tracks: pa.Table) -> dict[str, tuple]:
    out = {}
    for row in tracks.group_by("person").aggregate([(c, "min") for c in ("tile_x", "tile_y", "tile_w", "tile_h")]).to_pylist():
        out[row["person"]] = (row["tile_x_min"], row["tile_y_min"], row["tile_w_min"], row["tile_h_min"])
    return out


def who_said_what(tmp, session: str, scores, transcript, media, *, names: dict[str, str] | None = None,
                  out=None, **kw) -> dict:
    """The pipeline's who-said-what chain after rule asd: cues -> speakers -> utterances, on a one-span
    layout.json of the tracks' tiles (``names``: person -> display name on the tile, default none).
    ``kw``: settings of the speakers stage. Returns the paths written."""
    import pyarrow.parquet as pq

    from contract_fixtures import write_layout
    from engage.contract import ASD, read_media
    from engage.cues import write_cues_session
    from engage.speakers import attribute_speakers_session
    from engage.utterances import join_text_session

    out = out or tmp
    rows = ASD.read(scores, session=session, columns=["person"]).column("person").unique().to_pylist()
    duration = read_media(media, session=session).duration
    tiles = [{"id": p, "x": 0, "y": 0, "w": 2, "h": 2, **({"name": names[p]} if names and p in names else {})}
             for p in sorted(rows)]
    paths = {k: out / f"{session}_{k}" for k in ("layout.json", "cues.parquet", "speakers.parquet", "utterances.parquet")}
    write_layout(paths["layout.json"], [(0.0, duration, tiles)])
    write_cues_session(session=session, transcript=transcript, media_json=media, output=paths["cues.parquet"])
    attribute_speakers_session(session=session, asd=scores, cues=paths["cues.parquet"], layout_json=paths["layout.json"],
                               media_json=media, output=paths["speakers.parquet"], **kw)
    join_text_session(session=session, speakers=paths["speakers.parquet"], transcript=transcript,
                      output=paths["utterances.parquet"])
    return paths | {"utterances": pq.read_table(paths["utterances.parquet"])}
