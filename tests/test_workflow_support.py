"""Session discovery: valid folders become sessions; unsafe, reserved or recording-less folders are
reported with one reason each, never used in paths; sessions_dir/results_dir must not overlap."""

import os

import pytest

from engage.cli import main
from engage.workflow_support import (
    RESERVED_SESSION_NAMES,
    SHARED_RESULT_NAMES,
    choose_session_file,
    discover_sessions,
    folder_problem,
    session_transcript_path,
    session_video_path,
    unreserved_result_names,
)


def _session(root, name, *files):
    d = root / name
    d.mkdir()
    for f in files:
        (d / f).write_bytes(b"x")
    return d


def test_discover_sessions(tmp_path):
    for name in ["b_2", "a.1", "with space", ".hidden", "-dash"]:
        _session(tmp_path, name, "gallery.mp4")
    _session(tmp_path, "webm", "gallery.webm")
    (tmp_path / "notes.txt").write_text("a plain file is not a session folder")
    scan = discover_sessions(tmp_path)
    assert scan.sessions == ["a.1", "b_2", "webm"]
    assert [n for n, _ in scan.rejected] == ["-dash", "with space"]
    assert "unsafe session folder name" in scan.rejected[0][1]
    assert scan.warnings == []
    assert session_video_path(tmp_path, "webm").endswith("webm/gallery.webm")


@pytest.mark.parametrize("name", ["logs", "benchmarks", "dataset", "models", "tables", "predictions", "report",
                                  "labels", "label", "report.html", "Logs", "BENCHMARKS"])
def test_reserved_names_are_rejected(tmp_path, name):
    """results/<s>/ must never be a shared folder: rerunning clips for a session 'logs' deleted other
    sessions' logs/clips/*.log."""
    _session(tmp_path, name, "gallery.mp4")
    _session(tmp_path, "ok", "gallery.mp4")
    scan = discover_sessions(tmp_path)
    assert scan.sessions == ["ok"]
    (rejected, why), = scan.rejected
    assert rejected == name and "reserved session folder name" in why and "\n" not in why


def test_every_shared_result_folder_is_reserved():
    assert set(SHARED_RESULT_NAMES) <= RESERVED_SESSION_NAMES


def test_unreserved_result_names_finds_new_shared_folders():
    paths = ["res/{session,[A-Za-z0-9_][A-Za-z0-9._-]*}/clips.parquet", "res/{session}/features/asd.parquet",
             "res/logs/clips/{session}.log", "res/benchmarks/x.tsv", "res/models/{run}/model.pt",
             "res/cache/{session}.bin", "res/{name}.parquet", "models/i3d/ckpt.pt", "res_other/x/y"]
    assert unreserved_result_names(paths, "res") == ["cache", "{name}.parquet"]
    assert unreserved_result_names(paths[:5], "res/") == []


def test_folders_without_a_usable_recording_are_reported(tmp_path):
    _session(tmp_path, "empty")
    _session(tmp_path, "upper", "Gallery.MP4")
    _session(tmp_path, "other_name", "zoom_0.mp4")
    (_session(tmp_path, "dangling") / "gallery.mp4").symlink_to(tmp_path / "gone.mp4")
    (tmp_path / "linked").symlink_to(tmp_path / "missing_folder", target_is_directory=True)
    _session(tmp_path, "dir_video")
    (tmp_path / "dir_video" / "gallery.mp4").mkdir()
    scan = discover_sessions(tmp_path)
    assert scan.sessions == []
    why = dict(scan.rejected)
    assert set(why) == {"empty", "upper", "other_name", "dangling", "linked", "dir_video"}
    assert why["empty"].startswith("no recording: expected one of gallery.mp4, gallery.mkv")
    assert "found Gallery.MP4 but file names are case-sensitive: rename it to gallery.mp4" == why["upper"]
    assert "found zoom_0.mp4: rename it to gallery.mp4" in why["other_name"]
    assert why["dangling"].startswith("gallery.mp4 is a broken symbolic link") and "gone.mp4" in why["dangling"]
    assert "session folder is a broken symbolic link" in why["linked"]
    assert why["dir_video"] == "gallery.mp4 is not a regular file"


def test_two_candidates_warn_once_naming_the_file_used(tmp_path):
    _session(tmp_path, "s", "gallery.mkv", "gallery.mp4", "transcript.srt", "transcript.vtt")
    _session(tmp_path, "t", "gallery.mkv", "transcript.srt")
    (tmp_path / "t" / "gallery.mp4").symlink_to(tmp_path / "gone.mp4")
    _session(tmp_path, "u", "gallery.mp4", "Transcript.VTT")
    scan = discover_sessions(tmp_path)
    assert scan.sessions == ["s", "t", "u"] and scan.rejected == []
    assert scan.warnings == [
        ("s", "found gallery.mp4 and gallery.mkv; using gallery.mp4"),
        ("s", "found transcript.vtt and transcript.srt; using transcript.vtt"),
        ("t", "found gallery.mkv and gallery.mp4 (a broken symbolic link); using gallery.mkv"),
        ("u", "found Transcript.VTT but file names are case-sensitive: rename it to transcript.vtt; "
              "the session is processed without a transcript"),
    ]
    # the rules use the file the warning names
    assert session_video_path(tmp_path, "s").endswith("s/gallery.mp4")
    assert session_video_path(tmp_path, "t").endswith("t/gallery.mkv")
    assert session_transcript_path(tmp_path, "s").endswith("s/transcript.vtt")
    assert session_transcript_path(tmp_path, "t").endswith("t/transcript.srt")
    assert session_transcript_path(tmp_path, "u") is None


def test_choose_session_file_without_candidates(tmp_path):
    assert choose_session_file(tmp_path, ["transcript.vtt"]).path is None
    assert choose_session_file(tmp_path, ["transcript.vtt"]).problem is None  # optional and absent: fine


def test_results_and_sessions_must_not_overlap(tmp_path, monkeypatch):
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    monkeypatch.chdir(tmp_path)
    assert folder_problem(sessions, tmp_path / "results") is None
    assert folder_problem("sessions", "results") is None
    assert "is the sessions_dir" in folder_problem("sessions", "./sessions/")
    assert "is inside sessions_dir" in folder_problem("sessions", "sessions/out")
    assert "is inside sessions_dir" in folder_problem(sessions, "sessions/demo/../x")
    assert "sessions_dir 'sessions' is inside results_dir '.'" in folder_problem("sessions", ".")
    (tmp_path / "alias").symlink_to(sessions, target_is_directory=True)  # the same folder by another name
    assert "is the sessions_dir" in folder_problem(sessions, "alias")
    (tmp_path / "out_link").symlink_to(sessions / "out", target_is_directory=True)  # dangling: resolved all the same
    assert "is inside sessions_dir" in folder_problem(sessions, "out_link")
    assert "does not exist" in folder_problem("nope", "results")
    (tmp_path / "file").write_text("")
    assert "is not a folder" in folder_problem("file", "results")
    for p in ("nope", "file"):
        assert "\n" not in folder_problem(p, "results")


def test_cli_sessions(tmp_path, capsys):
    assert main(["sessions", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["sessions", str(tmp_path)]) == 0
    assert "no session folder" in capsys.readouterr().out
    _session(tmp_path, "a", "gallery.mp4", "gallery.mkv")
    _session(tmp_path, "logs", "gallery.mp4")
    assert main(["sessions", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ok      a" in out and "using gallery.mp4" in out and "skipped 'logs': reserved" in out


def test_cli_probe_and_help(demo_video, capsys):
    assert main(["probe", str(demo_video)]) == 0
    assert '"width": 640' in capsys.readouterr().out
    assert main(["check-weights", "/nonexistent/file.pt"]) == 1
    assert "not found" in capsys.readouterr().err
