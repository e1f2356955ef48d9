"""Session discovery: valid folders become sessions; unsafe names are rejected, never used in paths."""

from engage.cli import main
from engage.workflow_support import discover_sessions, session_video_path


def test_discover_sessions(tmp_path):
    for name in ["b_2", "a.1", "with space", ".hidden", "-dash", "novideo"]:
        (tmp_path / name).mkdir()
        if name != "novideo":
            (tmp_path / name / "gallery.mp4").write_bytes(b"x")
    (tmp_path / "webm").mkdir()
    (tmp_path / "webm" / "gallery.webm").write_bytes(b"x")
    ok, bad = discover_sessions(tmp_path)
    assert ok == ["a.1", "b_2", "webm"]
    assert [n for n, _ in bad] == ["-dash", "with space"]
    assert "unsafe session folder name" in bad[0][1]
    assert session_video_path(tmp_path, "webm").endswith("webm/gallery.webm")


def test_cli_probe_and_help(demo_video, capsys):
    assert main(["probe", str(demo_video)]) == 0
    assert '"width": 640' in capsys.readouterr().out
    assert main(["check-weights", "/nonexistent/file.pt"]) == 1
    assert "not found" in capsys.readouterr().err
