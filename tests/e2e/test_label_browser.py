"""The labelling pages in a real headless Chromium (Selenium), served by the real label server.

Uses a copy of the shared sample run (its real clips and clip mp4s); the pages are built by the real
`label_pages` rule. Rater files written here are TEST-ONLY labels, never in examples/.
"""

from __future__ import annotations

import shutil

import pytest

from browser_support import chromium, label_server
from conftest import run_snakemake
from contract_fixtures import clip, write_clips
from engage.labels.pages import write_session_page

pytestmark = pytest.mark.e2e


def _wait(driver, condition, timeout=20, what="condition"):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d), message=what)


def _loaded(driver, n_rows):
    """The page fetched its labels from the server and listed its clips."""
    _wait(driver, lambda d: d.find_element("id", "save-state").text == "all labels saved"
          and len(d.find_elements("css selector", "#list-body tr")) == n_rows, what="page loaded")


def _saved(driver):
    _wait(driver, lambda d: d.find_element("id", "save-state").get_attribute("data-pending") == "0"
          and d.find_element("id", "save-state").text == "all labels saved", what="labels saved")


def _press(driver, *keys):
    body = driver.find_element("tag name", "body")
    for k in keys:
        body.send_keys(k)


def _row_labels(driver):
    return {r.get_attribute("data-clip-id"): r.find_element("css selector", "td.label").text
            for r in driver.find_elements("css selector", "#list-body tr")}


@pytest.fixture(scope="module")
def label_root(sample_run, tmp_path_factory):
    """A copy of the sample run with the labelling pages built by `snakemake label_pages`."""
    assert sample_run["proc"].returncode == 0
    root = tmp_path_factory.mktemp("label_browser") / "copy"
    shutil.copytree(sample_run["root"], root, symlinks=True)
    sessions, results = root / "sessions", root / "results"
    run_snakemake("label_pages", "--cores", "1", "--allowed-rules", "label_page", "label_pages",
                  config={"sessions_dir": sessions, "results_dir": results}, cwd=root, timeout=300)
    assert (results / "label" / "index.html").is_file() and (results / "label" / "sessions" / "demo.html").is_file()
    return {"root": root, "sessions": sessions, "results": results}


def test_keyboard_labels_survive_reload_and_land_in_the_rater_file(label_root, tmp_path):
    from selenium.webdriver.common.keys import Keys

    sessions, results = label_root["sessions"], label_root["results"]
    labels_dir = sessions / "demo" / "labels"
    shutil.rmtree(labels_dir, ignore_errors=True)
    clip_ids = sorted(p.stem for p in (results / "demo" / "clips").glob("*.mp4"))
    assert len(clip_ids) >= 5
    with label_server(sessions, results, "--session", "demo", "--rater", "anna", log=tmp_path / "server.log") as url, \
            chromium(tmp_path) as driver:
        driver.get(url)  # token -> cookie -> the page of session demo for rater anna
        _loaded(driver, len(clip_ids))
        assert "token" not in driver.current_url and "rater=anna" in driver.current_url
        # the clip plays from the server (byte ranges): the browser read its metadata
        _wait(driver, lambda d: d.execute_script("return document.getElementById('player').readyState") >= 1,
              what="clip video loaded")
        _press(driver, "3", "4", "0", "1", Keys.ARROW_LEFT, "2")  # EG, HE, skip, HD; back; that one DE
        _saved(driver)
        driver.refresh()
        _loaded(driver, len(clip_ids))
        expected = {clip_ids[0]: "EG", clip_ids[1]: "HE", clip_ids[2]: "skip", clip_ids[3]: "DE"}
        assert {k: v for k, v in _row_labels(driver).items() if v} == expected  # reloaded from the server
        assert driver.execute_script("return document.getElementById('player').dataset.clip") == clip_ids[4]
        _press(driver, "4")
        _saved(driver)
        n_videos = driver.execute_script("return document.querySelectorAll('video[src]').length")
        assert n_videos <= 2
    expected[clip_ids[4]] = "HE"
    text = (labels_dir / "anna.csv").read_text()
    assert text == "clip_id,label\n" + "".join(f"{c},{expected[c]}\n" for c in clip_ids if c in expected)
    assert sorted(p.name for p in labels_dir.iterdir()) == ["anna.csv"]  # no temporary files left
    shutil.rmtree(labels_dir)


def test_review_mode_shows_exactly_the_disagreements(label_root, tmp_path):
    sessions, results = label_root["sessions"], label_root["results"]
    labels_dir = sessions / "demo" / "labels"
    shutil.rmtree(labels_dir, ignore_errors=True)
    labels_dir.mkdir()
    c = sorted(p.stem for p in (results / "demo" / "clips").glob("*.mp4"))
    a = {c[0]: "EG", c[1]: "HE", c[2]: "DE", c[3]: "EG", c[4]: "skip"}
    b = {c[0]: "EG", c[1]: "EG", c[2]: "DE", c[3]: "HD", c[4]: "HE", c[5]: "DE"}
    for name, labs in (("anna", a), ("ben", b)):
        (labels_dir / f"{name}.csv").write_text("clip_id,label\n" + "".join(f"{k},{v}\n" for k, v in labs.items()))
    with label_server(sessions, results, "--session", "demo", "--review", log=tmp_path / "server.log") as url, \
            chromium(tmp_path) as driver:
        driver.get(url)
        _loaded(driver, 2)
        rows = [r.get_attribute("data-clip-id") for r in driver.find_elements("css selector", "#list-body tr")]
        assert rows == [c[1], c[3]]  # skip is no rating; single ratings are no disagreement
        others = driver.find_element("id", "others").text
        assert "anna: HE" in others and "ben: EG" in others
        _press(driver, "3")
        _saved(driver)
    assert (labels_dir / "adjudicated.csv").read_text() == f"clip_id,label\n{c[1]},EG\n"
    assert (labels_dir / "anna.csv").read_text().count("\n") == 6  # rater files untouched
    shutil.rmtree(labels_dir)


def test_page_of_hundreds_of_clips_loads_one_video(tmp_path):
    """Lazy loading: a 600-clip session page (opened as a file) puts at most two clips into video elements."""
    n = 600
    write_clips(tmp_path / "big" / "clips.parquet",
                [clip("big", i // 4, f"p{i % 4:02d}", 10.0 * (i // 4), 10.0 * (i // 4) + 10) for i in range(n)])
    page = tmp_path / "label" / "sessions" / "big.html"
    write_session_page(session="big", clips_parquet=tmp_path / "big" / "clips.parquet", out_html=page, guide="look at the face")
    with chromium(tmp_path) as driver:
        driver.get(page.as_uri())
        _wait(driver, lambda d: len(d.find_elements("css selector", "#list-body tr")) == n, what="clip list")
        assert "label server" in driver.find_element("id", "banner").text  # file:// pages say how to save
        assert driver.find_element("id", "guide").text == "look at the face"
        srcs = driver.execute_script("return [...document.querySelectorAll('video')].map(v => v.getAttribute('src')).filter(Boolean)")
        assert len(srcs) == 2 and srcs[0].endswith("big_0000_p00.mp4") and srcs[1].endswith("big_0000_p01.mp4")
        requested = driver.execute_script(
            "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.mp4')).length")
        assert requested <= 2
