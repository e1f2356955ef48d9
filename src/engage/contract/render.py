"""Render docs/data-contract.md from the contract (one source of truth; a test keeps the file in step).

    python -m engage.contract > docs/data-contract.md
"""

from __future__ import annotations

from itertools import groupby

from engage.contract.documents import MEDIA_REQUIRED, Media, Tile
from engage.contract.spec import TableSpec
from engage.contract.tables import TABLES

INTRO = """# Data contract

Generated from `src/engage/contract/` by `python -m engage.contract`; do not edit by hand (a test compares).
Every file below that crosses a stage boundary is written and read through `engage.contract`: a stage
cannot write a column the contract does not declare, and a missing, corrupt or incomplete upstream file
ends that session's job with one line naming the file and the problem.

All paths are under `results_dir` (default `results/`), `<s>` is the session id
(`[A-Za-z0-9_][A-Za-z0-9._-]*`). Every stage decodes video on the **25 fps CFR timeline**:
frame `i` is time `i / 25` s from the start of the recording (VFR sources are resampled by ffmpeg's
`fps` filter; rotation metadata is applied). Persons are identified by tile ids `p00`, `p01`, ...
which follow a person across layout spans. Times are seconds (float64) and every time column is named
`time` (windows: `start`, `end`); frames are int32.

Every Parquet file is written by `engage.io.parquet.write_table` (atomic, zstd, sorted rows) and
carries JSON key/value metadata under the key `engage` (`engage.io.parquet.read_meta`):
`pipeline_version`, `stage`, the stage params, model name and weights sha256 (or `random-init`),
source video sha256.

## Changes

- `features/face.parquet`: the per-frame time column is `time` (was `timestamp`), like every other table.
- `layout.json`: every tile has `name_confidence` (number in [0, 1] or null; null whenever `name` is null).
- `labels/merged.parquet`, `labels/ratings.parquet` (new, rule labels_merge): the dataset reads each session's labels
  from merged.parquet (labels.csv, or the merged rater files `labels/<rater>.csv`).
- `layout.json`: tile ids match the session-id pattern (at most 64 characters) and span times are finite
  with start <= end; a `sessions/<s>/layout.json` override breaking this is rejected with one line.
- `media.json`: `decode_errors`, `decode_error_example`, `frames_decoded`, `source_fps` (one full decode by
  ingest) and `warnings`; `layout.json`: `warnings`.
"""

OTHER_FILES = [
    ("`<s>/audio.wav`", "ingest", "16 kHz mono PCM s16; silence when the source has no audio (media.json has_audio false)"),
    ("`<s>/clips/<clip_id>.mp4`", "clips", "the person's tile crop, 25 fps H.264 (starts with a key frame, exactly "
     "n_frames frames), with the session audio of the window (AAC); a Snakemake `directory()` output"),
    ("`<s>/participation.csv`, `<s>/participation.png`", "interaction",
     "per person: talk_seconds, talk_share, turns, words, chat_messages, replies (+ unmatched chat names); bar chart"),
    ("`labels/agreement.json`, `labels/agreement.html`, `labels/confusion.png`", "labels_agreement",
     "ICC(2,1) + 95 % CI, Krippendorff's alpha (ordinal), weighted kappa and confusion matrix per rater pair, over "
     "all labelled sessions and per session (docs/labelling.md)"),
    ("`label/index.html`, `label/sessions/<s>.html`", "label_pages, label_page",
     "labelling pages (not in `all`; served by `engage labels serve`)"),
    ("`models/<run>/`", "train/eval", "model.pt (state dict + JSON config, `torch.load(weights_only=True)`), "
     "train_log.csv (per epoch), metrics.json (Acc, AvgAcc, per-class recall, confusion), confusion.csv"),
    ("`tables/model_comparison.{md,csv}`, `tables/*.png`", "tables",
     "comparison of all runs, per-class recall bars, training curves"),
    ("`predictions/<s>_timeline.png`", "predict", "per-person engagement timeline plot"),
    ("`logs/<stage>/<s>.log`, `benchmarks/<stage>/<s>.tsv`", "all", "per-rule log and Snakemake benchmark"),
]

MEDIA_DOCS = {
    "duration": "seconds", "width": "display width (after rotation)", "height": "display height",
    "n_frames": "timeline frames, round(duration * 25)", "fps": "timeline fps (25)", "timeline_fps": "25",
    "avg_frame_rate": "source average frame rate", "r_frame_rate": "source nominal frame rate",
    "vfr": "average and nominal rates differ by more than 1 %", "coded_width": "coded frame width",
    "coded_height": "coded frame height", "rotation": "display rotation (0/90/180/270)",
    "video_codec": "ffprobe codec name", "pix_fmt": "source pixel format",
    "n_frames_source": "frames the container declares", "has_audio": "the source has an audio stream",
    "audio_codec": "source audio codec", "audio_sample_rate": "source audio rate (Hz)",
    "audio_channels": "source audio channels", "audio_rate": "rate of audio.wav (Hz)",
    "container": "ffprobe format name", "size_bytes": "source file size", "session": "session id",
    "source": "file name of the recording", "source_sha256": "sha256 of the recording",
    "decode_errors": "error messages of one full decode of the video stream (null when ingest.decode_check is off)",
    "decode_error_example": "the first of them",
    "frames_decoded": "source frames that decode produced (before the 25 fps resampling)",
    "source_fps": "source frames per second: frames_decoded / duration (else avg_frame_rate)",
    "warnings": "problems of the recording the user must know (decode errors above ingest.max_decode_errors, a "
                "frame rate below ingest.min_source_fps); logged and shown in the report",
}

TILE_DOCS = {
    "id": "person id (`p00`, ...), follows the person across spans; unique within a span; part of file names, so "
          "it matches the session-id pattern and has at most 64 characters",
    "x": "left edge (display pixels)", "y": "top edge", "w": "width", "h": "height",
    "camera_on": "false for an avatar or a name on a dark tile (default true)",
    "name": "display name shown in the tile, or null when unknown",
    "name_confidence": "how sure the name reading is, in [0, 1]; null whenever name is null (or given without one)",
}

INPUTS = """## Inputs (one folder per session under `sessions_dir`)

```
<s>/gallery.mp4        any ffmpeg-readable recording (mp4/mkv/webm/mov), CFR or VFR
<s>/transcript.vtt     optional WebVTT (or transcript.srt), e.g. a Zoom live-transcript export; speaker names
                       (`<v Name>` tags, or `Name: ` prefixes on most cues as Zoom writes them) are kept apart from the text
<s>/layout.json        optional: same format as results layout.json (source, frame_size optional), overrides
                       detection; tiles may give name and name_confidence
<s>/labels.csv         optional: clip_id,label with label in HD|DE|EG|HE (explicit labels: override the rater files)
<s>/labels/<rater>.csv optional: one file per rater, clip_id,label with HD|DE|EG|HE|skip (written by the label server;
                       adjudicated.csv from review mode); merged into one label per clip (docs/labelling.md)
<s>/chat.txt           optional: Zoom meeting chat export (formats: docs/features/interaction.md)
<s>/participants.csv   optional: person,name (tile id -> display name)
```
"""


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def _overview() -> list[str]:
    rows = ["## Files", "", "| file | written by | content |", "| --- | --- | --- |",
            "| `<s>/media.json` | ingest | ffprobe summary and the timeline (section below) |",
            "| `<s>/layout.json` | layout | tile rectangles per time span (section below) |"]
    rows += [f"| `{t.path}` | {t.stage} | {_esc(t.doc)} Rows: {_esc(t.rows)}. |" for t in TABLES]
    rows += [f"| {p} | {s} | {_esc(d)} |" for p, s, d in OTHER_FILES]
    return rows + [""]


def _media() -> list[str]:
    rows = ["## `<s>/media.json` (ingest)", "",
            "A JSON object (`engage.contract.Media`); required fields: "
            + ", ".join(f"`{k}`" for k in MEDIA_REQUIRED) + ".", "",
            "| field | type | meaning |", "| --- | --- | --- |"]
    for name, ann in Media.__annotations__.items():
        rows.append(f"| `{name}` | {_esc(str(ann))} | {_esc(MEDIA_DOCS[name])} |")
    return rows + [""]


def _layout() -> list[str]:
    rows = ["## `<s>/layout.json` (layout)", "",
            '`{"source": "detected"|"override", "frame_size": [w, h], "spans": [{"start": s, "end": s, '
            '"tiles": [tile, ...]}], "warnings": [...]}` (`engage.contract.Layout`) in display pixels; spans cover `[0, duration]` '
            "without gaps; `start` and `end` are finite seconds with start <= end (the file is strict JSON: "
            "never `NaN` or `Infinity`). `warnings` (a list of strings, default empty) says what the user must "
            "know about the layout, e.g. camera-on tiles smaller than `layout.min_tile_size` (logged and shown in the "
            "report; ignored in an override). A tile (`engage.contract.Tile`):", "",
            "| field | type | meaning |", "| --- | --- | --- |"]
    for name, ann in Tile.__annotations__.items():
        rows.append(f"| `{name}` | {_esc(str(ann))} | {_esc(TILE_DOCS[name])} |")
    return rows + [""]


def _table(spec: TableSpec) -> list[str]:
    rows = [f"## `{spec.path}` ({spec.stage})", "", f"{spec.doc} Rows: {spec.rows}, sorted by "
            + ", ".join(f"`{c}`" for c in spec.sort_by) + f". Spec: `engage.contract.{spec.name.upper()}`.", "",
            "| column | type | meaning |", "| --- | --- | --- |"]
    for group, cols in groupby(spec.columns, key=lambda c: c.group or c.name):
        cols = list(cols)
        c = cols[0]
        name = f"`{c.name}`" if len(cols) == 1 else f"`{c.name}` ... `{cols[-1].name}` ({len(cols)} columns)"
        flags = "" if c.nullable else ", not null"
        flags += ", optional" if c.optional else ""
        rows.append(f"| {name} | {_esc(c.type_name())}{flags} | {_esc(c.doc)} |")
    return rows + [""]


def render() -> str:
    parts = [INTRO, *_overview(), *_media(), *_layout()]
    for spec in TABLES:
        parts += _table(spec)
    parts.append(INPUTS)
    return "\n".join(parts)
