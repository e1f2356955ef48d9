"""CMOSE release importer on a fixture in the release's format (tests/data/cmose_release)."""

import shutil
import zipfile

import pyarrow.parquet as pq
import pytest

from engage.io.parquet import read_meta
from engage.model.cmose_import import import_cmose
from engage.model.dataset import load_dataset


@pytest.fixture
def release(data_dir):
    return data_dir / "cmose_release"


def check(out):
    t = pq.read_table(out)
    assert t.column("clip_id").to_pylist() == ["video1_1_person1", "video1_1_person2", "video1_2_person1",
                                               "video2_1_person1", "video2_3_person2"]
    assert t.column("label").to_pylist() == ["EG", "DE", "HE", "HD", "EG"]
    assert t.column("split").to_pylist() == ["train", "train", "train", "test", "val"]
    assert t.column("identity").to_pylist()[0] == "video1/person1"
    meta = read_meta(out)
    assert meta["skipped"] == {"no embeds": ["video3_1_person1"], "no csv": ["video3_2_person1"]}
    assert len(meta["face_columns"]) == 49  # gaze 8 + pose 6 + AU_r 17 + AU_c 18
    arr, _ = load_dataset(out)
    assert arr["face"].shape == (5, 147, 10) and arr["i3d"].shape == (5, 1024)
    return arr


def test_import_from_folder(release, tmp_path):
    check(import_cmose(json_path=release / "final_data_1.json", openface=release, output=tmp_path / "c.parquet") and tmp_path / "c.parquet")


def test_import_from_zip_gives_same_features(release, tmp_path):
    zpath = tmp_path / "secondfeature.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        for p in sorted((release / "secondfeature").glob("*.csv")):
            z.write(p, f"secondfeature/{p.name}")
    import_cmose(json_path=release / "final_data_1.json", openface=zpath, output=tmp_path / "z.parquet")
    import_cmose(json_path=release / "final_data_1.json", openface=release / "secondfeature", output=tmp_path / "f.parquet")
    a, b = check(tmp_path / "z.parquet"), check(tmp_path / "f.parquet")
    assert (a["face"] == b["face"]).all()


def test_unlabel_split_mapping(release, tmp_path):
    import_cmose(json_path=release / "final_data_1.json", openface=release, output=tmp_path / "c.parquet",
                 split_map={"train": "train", "unlabel": "train", "test": "test"})
    assert pq.read_table(tmp_path / "c.parquet").column("split").to_pylist()[-1] == "train"
