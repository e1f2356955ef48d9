"""The label server's safety rules, each with a request that must be refused (real server, real sockets)."""

from __future__ import annotations

import http.client
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from contract_fixtures import clip, write_clips
from engage.labels.server import LabelServer, LabelStore

CLIPS = [f"s1_{i // 2:04d}_p{i % 2:02d}" for i in range(6)]


@pytest.fixture()
def server(tmp_path):
    sessions, results = tmp_path / "sessions", tmp_path / "results"
    for s, clips in (("s1", CLIPS), ("s2", ["s2_0000_p00"])):
        (sessions / s).mkdir(parents=True)
        (sessions / s / "gallery.mp4").write_bytes(b"")
        write_clips(results / s / "clips.parquet", [clip(s, int(c[-8:-4]), c[-3:], 0.0, 10.0) for c in clips])
        (results / s / "clips").mkdir()
        for c in clips:
            (results / s / "clips" / f"{c}.mp4").write_bytes(bytes(range(256)) * 4)
    (results / "label").mkdir()
    (results / "label" / "index.html").write_text("<html>index</html>")
    (tmp_path / "secret.txt").write_text("secret")
    srv = LabelServer(LabelStore(sessions, results), results / "label", port=0)
    th = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    th.start()
    yield {"srv": srv, "sessions": sessions, "results": results, "tmp": tmp_path}
    srv.shutdown()
    srv.server_close()
    th.join(timeout=10)


def request(srv, method, path, body=None, headers=None, cookie=True, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    h = {"Host": host or f"127.0.0.1:{srv.port}"}
    if cookie:
        h["Cookie"] = f"{srv.cookie_name}={srv.token}"
    if body is not None:
        h.setdefault("Content-Type", "application/json")
        h.setdefault("Origin", f"http://127.0.0.1:{srv.port}")
    h.update(headers or {})
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = (r.status, dict(r.getheaders()), r.read())
    conn.close()
    return out


def post(srv, session="s1", rater="anna", clip_id=CLIPS[0], label="EG", **kw):
    return request(srv, "POST", "/api/label", {"session": session, "rater": rater, "clip_id": clip_id, "label": label}, **kw)


def rater_file(s, rater="anna", session="s1"):
    return s["sessions"] / session / "labels" / f"{rater}.csv"


def test_binds_loopback_only(server):
    assert server["srv"].server_address[0] == "127.0.0.1"


def test_token_cookie(server):
    srv = server["srv"]
    assert request(srv, "GET", "/label/index.html", cookie=False)[0] == 403
    assert request(srv, "GET", "/label/index.html?token=wrong", cookie=False)[0] == 403
    status, headers, _ = request(srv, "GET", f"/label/index.html?rater=anna&token={srv.token}", cookie=False)
    assert status == 303 and headers["Location"] == "/label/index.html?rater=anna"
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert request(srv, "GET", "/label/index.html")[2] == b"<html>index</html>"
    assert post(server["srv"], cookie=False)[0] == 403 and not rater_file(server).exists()


def test_host_and_origin_checks(server):
    srv = server["srv"]
    assert request(srv, "GET", "/api/status", host=f"evil.example:{srv.port}")[0] == 403  # DNS rebinding
    assert request(srv, "GET", "/api/status", host=f"localhost:{srv.port}")[0] == 200
    assert post(srv, headers={"Origin": "http://evil.example"})[0] == 403  # cross-site post
    assert post(srv, headers={"Origin": "null"})[0] == 403  # sandboxed page or file://
    assert post(srv, headers={"Origin": f"http://127.0.0.1:{srv.port + 1}"})[0] == 403  # another local server
    assert post(srv, headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert post(srv, headers={"Content-Type": "text/plain"})[0] == 415  # what a plain HTML form can send
    assert not rater_file(server).exists()
    status, headers, _ = post(srv)
    assert status == 200 and headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("rater", ["../anna", "a/b", ".hidden", "-x", "", "x" * 65, "anna.csv/..", None, 7])
def test_rater_names_refused(server, rater):
    status, _, body = post(server["srv"], rater=rater)
    assert status == 400 and "rater name" in json.loads(body)["error"]
    assert not (server["sessions"] / "s1" / "labels").exists()


@pytest.mark.parametrize("field, value, status", [
    ("clip_id", "s2_0000_p00", 400),  # a clip of another session
    ("clip_id", "s1_9999_p00", 400),
    ("clip_id", "../../x", 400),
    ("label", "bored", 400),
    ("label", "eg", 400),
    ("label", None, 400),
    ("session", "../sessions", 404),
    ("session", "s3", 404),
])
def test_only_session_clips_and_the_four_labels(server, field, value, status):
    assert post(server["srv"], **{field: value})[0] == status
    assert not rater_file(server).exists()


def test_malformed_bodies(server):
    srv = server["srv"]
    assert request(srv, "POST", "/api/label", b"not json")[0] == 400
    assert request(srv, "POST", "/api/label", {"session": "s1", "rater": "anna", "clip_id": CLIPS[0], "label": "EG",
                                              "path": "/etc/passwd"})[0] == 400
    assert request(srv, "POST", "/api/label", b"x" * 5000)[0] == 400
    assert request(srv, "POST", "/api/other", {"a": 1})[0] == 404


def test_writes_only_inside_the_session_labels_folder(server, tmp_path):
    srv = server["srv"]
    outside = tmp_path / "outside"
    outside.mkdir()
    labels = server["sessions"] / "s1" / "labels"
    os.symlink(outside, labels)
    assert post(srv)[0] == 403 and list(outside.iterdir()) == []
    labels.unlink()
    labels.mkdir()
    os.symlink(outside / "x.csv", labels / "anna.csv")
    assert post(srv)[0] == 403 and list(outside.iterdir()) == []


def test_every_click_is_written_atomically(server):
    srv, path = server["srv"], rater_file(server)
    expected = {}
    for cid, lab in zip(CLIPS, ["EG", "HE", "skip", "HD"]):
        status, _, body = post(srv, clip_id=cid, label=lab)
        assert status == 200 and json.loads(body)["labelled"] == len(expected) + 1
        expected[cid] = lab
        assert path.read_text() == "clip_id,label\n" + "".join(f"{c},{expected[c]}\n" for c in CLIPS if c in expected)
        assert sorted(p.name for p in path.parent.iterdir()) == ["anna.csv"]  # no temporary file left behind
    assert post(srv, clip_id=CLIPS[0], label="DE")[0] == 200  # relabel replaces
    assert path.read_text().splitlines()[1] == f"{CLIPS[0]},DE"


def test_failed_write_keeps_the_old_file(server, monkeypatch):
    srv, path = server["srv"], rater_file(server)
    assert post(srv)[0] == 200
    before = path.read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    status, _, body = post(srv, clip_id=CLIPS[1], label="HE")
    assert status == 500 and "No space left" in json.loads(body)["error"]
    assert path.read_bytes() == before and sorted(p.name for p in path.parent.iterdir()) == ["anna.csv"]


def test_broken_rater_file_is_never_overwritten(server):
    path = rater_file(server)
    path.parent.mkdir(parents=True)
    path.write_text("clip_id,label\ns1_0000_p00,superb\n")
    status, _, body = post(server["srv"])
    assert status == 409 and "line 2: label 'superb'" in json.loads(body)["error"]
    assert path.read_text() == "clip_id,label\ns1_0000_p00,superb\n"


def test_parallel_clicks_lose_nothing(server):
    with ThreadPoolExecutor(6) as ex:
        results = list(ex.map(lambda c: post(server["srv"], clip_id=c, label="HE")[0], CLIPS))
    assert results == [200] * len(CLIPS)
    assert rater_file(server).read_text() == "clip_id,label\n" + "".join(f"{c},HE\n" for c in CLIPS)


def test_static_files_and_clips_stay_inside(server):
    srv = server["srv"]
    for path in ["/label/../secret.txt", "/label/%2e%2e/%2e%2e/secret.txt", "/label/..%2f..%2fsecret.txt",
                 "/label/.hidden", "/clips/s1/..%2f..%2fclips.parquet.mp4", "/clips/s2/s1_0000_p00.mp4",
                 "/clips/..%2fs1/s1_0000_p00.mp4", "/sessions/s1/labels/anna.csv"]:
        assert request(srv, "GET", path)[0] == 404, path
    status, headers, body = request(srv, "GET", f"/clips/s1/{CLIPS[0]}.mp4", headers={"Range": "bytes=10-19"})
    assert status == 206 and body == bytes(range(10, 20)) and headers["Content-Range"] == "bytes 10-19/1024"
    assert request(srv, "GET", f"/clips/s1/{CLIPS[0]}.mp4")[2] == bytes(range(256)) * 4


def test_unreadable_clips_parquet_is_an_error_reply(server):
    (server["results"] / "s1" / "clips.parquet").write_bytes(b"not parquet")
    status, _, body = post(server["srv"])
    error = json.loads(body)["error"]
    assert status == 503 and "cannot read clips table" in error and "clips.parquet" in error
    assert not rater_file(server).exists()


def test_review_lists_disagreements(server):
    srv = server["srv"]
    for rater, labs in (("anna", ["EG", "HE", "DE"]), ("ben", ["EG", "EG", "HD"])):
        for c, lab in zip(CLIPS, labs):
            assert post(srv, rater=rater, clip_id=c, label=lab)[0] == 200
    assert post(srv, rater="adjudicated", clip_id=CLIPS[1], label="HE")[0] == 200
    doc = json.loads(request(srv, "GET", "/api/review?session=s1")[2])
    assert [c["clip_id"] for c in doc["clips"]] == CLIPS[1:3] and doc["raters"] == ["anna", "ben"]
    assert doc["clips"][0]["labels"] == {"anna": "HE", "ben": "EG"} and doc["adjudicated"] == {CLIPS[1]: "HE"}
    status = json.loads(request(srv, "GET", "/api/status")[2])
    assert status["sessions"][0]["raters"] == [{"rater": "adjudicated", "labelled": 1}, {"rater": "anna", "labelled": 3},
                                               {"rater": "ben", "labelled": 3}]
