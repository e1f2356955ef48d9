"""A hand-made sessions/<s>/layout.json replaces detection, after validation."""

from __future__ import annotations

import json

import pytest

from contract_fixtures import write_media
from engage.errors import SessionError
from engage.layout import layout_session

GOOD = {
    "spans": [
        {"start": 0.0, "end": 10.0, "tiles": [{"id": "p00", "x": 0, "y": 0, "w": 640, "h": 480, "camera_on": True, "name": "Ann"}]},
        {"start": 10.0, "end": 16.0, "tiles": [{"id": "p00", "x": 0, "y": 0, "w": 320, "h": 240},
                                                {"id": "p01", "x": 320, "y": 0, "w": 320, "h": 240, "camera_on": False}]},
    ]
}


def _run(tmp_path, override_doc, video="does-not-matter.mp4"):
    media = tmp_path / "media.json"
    write_media(media, 640, 480, 16.0)
    ov = tmp_path / "layout_override.json"
    ov.write_text(override_doc if isinstance(override_doc, str) else json.dumps(override_doc))
    out = tmp_path / "layout.json"
    return layout_session(session="s1", video=tmp_path / video, media_json=media, out_json=out, override=ov), out


def test_override_used_as_is(tmp_path):
    doc, out = _run(tmp_path, GOOD)
    assert doc["source"] == "override"
    assert doc["frame_size"] == [640, 480]
    assert json.loads(out.read_text()) == doc
    assert [s["start"] for s in doc["spans"]] == [0.0, 10.0]
    assert doc["spans"][0]["tiles"][0]["name"] == "Ann"
    t = doc["spans"][1]["tiles"]
    assert (t[0]["camera_on"], t[0]["name"], t[1]["camera_on"]) == (True, None, False)  # defaults filled
    assert [(x["x"], x["y"], x["w"], x["h"]) for x in t] == [(0, 0, 320, 240), (320, 0, 320, 240)]


BAD = [
    ("{not json", "not valid JSON"),
    ({"spans": []}, "non-empty"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "p00", "x": 600, "y": 0, "w": 100, "h": 100}]}]}, "outside"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "p00", "x": 0, "y": 0, "w": 100}]}]}, "needs keys"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "p00", "x": 0, "y": 0, "w": 1.5, "h": 9}]}]}, "integers"),
    ({"spans": [{"start": 0, "end": 8, "tiles": []}, {"start": 9, "end": 16, "tiles": []}]}, "gap or overlap"),
    ({"spans": [{"start": 0, "end": 5, "tiles": []}]}, "recording lasts"),
    ({"frame_size": [1280, 720], "spans": [{"start": 0, "end": 16, "tiles": []}]}, "does not match"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "a", "x": 0, "y": 0, "w": 9, "h": 9},
                                                  {"id": "a", "x": 9, "y": 0, "w": 9, "h": 9}]}]}, "duplicate"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "a", "x": 0, "y": 0, "w": 9, "h": 9,
                                                   "name_confidence": 0.8}]}]}, "null when name is null"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "a", "x": 0, "y": 0, "w": 9, "h": 9, "name": "A",
                                                   "name_confidence": 2}]}]}, "in [0, 1]"),
    # Non-finite or unordered times (tracks crashed; NaN was copied into the output layout.json).
    ('{"spans": [{"start": 0, "end": NaN, "tiles": []}]}', "span 0: end is NaN (times must be finite"),
    ('{"spans": [{"start": -Infinity, "end": 16, "tiles": []}]}', "span 0: start is -Infinity"),
    ('{"spans": [{"start": 0, "end": Infinity, "tiles": []}]}', "span 0: end is Infinity"),
    ({"spans": [{"start": 16, "end": 0, "tiles": []}]}, "span 0: end 0 is before start 16"),
    ({"spans": [{"start": 0, "end": "16", "tiles": []}]}, 'end must be a number of seconds, not "16"'),
    # Tile ids become file names (clip ids): the session-id pattern and at most 64 characters (clips crashed).
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "../../x", "x": 0, "y": 0, "w": 9, "h": 9}]}]},
     "tile 0: id '../../x' is not a safe name"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "a/b", "x": 0, "y": 0, "w": 9, "h": 9}]}]},
     "id 'a/b' is not a safe name"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": ".hidden", "x": 0, "y": 0, "w": 9, "h": 9}]}]},
     "id '.hidden' is not a safe name"),
    ({"spans": [{"start": 0, "end": 16, "tiles": [{"id": "x" * 300, "x": 0, "y": 0, "w": 9, "h": 9}]}]},
     "is 300 characters long (at most 64"),
]


def test_override_names_carry_their_confidence(tmp_path):
    tiles = [{"id": "p00", "x": 0, "y": 0, "w": 320, "h": 240, "name": "Ann", "name_confidence": 1},
             {"id": "p01", "x": 320, "y": 0, "w": 320, "h": 240, "name": "Bo"},
             {"id": "p02", "x": 0, "y": 240, "w": 320, "h": 240}]
    doc, out = _run(tmp_path, {"spans": [{"start": 0, "end": 16.0, "tiles": tiles}]})
    got = [(t["name"], t["name_confidence"]) for t in json.loads(out.read_text())["spans"][0]["tiles"]]
    assert got == [("Ann", 1.0), ("Bo", None), (None, None)]


@pytest.mark.parametrize("doc,problem", BAD, ids=[b[1] for b in BAD])
def test_malformed_override_is_a_session_error(tmp_path, doc, problem):
    with pytest.raises(SessionError) as err:
        _run(tmp_path, doc)
    msg = str(err.value)
    assert "\n" not in msg and "session 's1'" in msg and "layout_override.json" in msg and problem in msg


def test_layout_documents_never_hold_nan(tmp_path):
    """A span cannot hold a non-finite time, and every JSON document is written as strict JSON."""
    from engage.contract import LayoutError, Span
    from engage.io.atomic import write_json

    with pytest.raises(LayoutError, match="end is NaN"):
        Span(0.0, float("nan"), ())
    with pytest.raises(ValueError):
        write_json(tmp_path / "x.json", {"end": float("inf")})
    assert not (tmp_path / "x.json").exists()
