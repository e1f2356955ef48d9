"""Every Parquet file that crosses a stage boundary: its columns, types, meaning and row order.

Times are seconds (float64) on the 25 fps CFR timeline, frames int32; every time column is named
``time`` (or ``start``/``end`` for windows). The column docs are rendered into docs/data-contract.md.
"""

from __future__ import annotations

import pyarrow as pa

from engage.contract.spec import Column, TableSpec
from engage.openface.columns import FEATURE_COLUMNS

S, I32, F32, F64, B = pa.string(), pa.int32(), pa.float32(), pa.float64(), pa.bool_()
F32_LIST = pa.list_(pa.float32())
I32_LIST = pa.list_(pa.int32())


def _embedding(dims) -> pa.DataType:
    """fixed_size_list<float32>[dim], or a plain list when the size is unknown (no model)."""
    dim = dims.get("dim")
    return pa.list_(pa.float32(), int(dim)) if dim else F32_LIST


IDENTITY_DOC = ("the person's identity across sessions: participants.csv `key`, else the normalised display name "
                "(participants.csv name, or a confident tile name), else `<session>/<person>`; never shared by two "
                "persons of one session (engage.identity, docs/clips.md)")


def _window_keys(source: str = "clips.parquet") -> tuple[Column, ...]:
    """The clip window columns a per-clip feature table copies from clips.parquet."""
    return (
        Column("clip_id", S, f"clip of {source}"),
        Column("session", S, "session id"),
        Column("person", S, "tile id (`p00`, ...)"),
        Column("identity", S, f"identity of the person across sessions ({source})"),
        Column("window", I32, "0-based window index within the session"),
        Column("start", F64, "window start (s), inclusive"),
        Column("end", F64, "window end (s), exclusive"),
    )


TRACKS = TableSpec(
    name="tracks", path="<s>/tracks.parquet", stage="tracks", title="tracks table",
    rows="one per person and timeline frame while the person's tile exists",
    doc="Face box of each person inside their tile, every timeline frame (docs/tracks.md).",
    sort_by=("person", "frame"),
    columns=(
        Column("session", S, "session id"),
        Column("person", S, "tile id (`p00`, ...) from layout.json"),
        Column("frame", I32, "timeline frame"),
        Column("time", F64, "`frame / 25` (s)"),
        *(Column(f"tile_{k}", I32, f"tile rectangle {k}, clipped to the frame (display pixels)") for k in "xywh"),
        *(Column(f"face_{k}", F32, f"face box {k} in display pixels of the whole frame; null without a face")
          for k in "xywh"),
        Column("score", F32, "detector confidence; interpolated between adjacent face samples, null when "
                             "interpolated across a sample without a face"),
        Column("detected", B, "the detector ran on this tile in this frame"),
        Column("has_face", B, "a face box exists for this frame (detected, interpolated or held)"),
    ),
)

CLIPS = TableSpec(
    name="clips", path="<s>/clips.parquet", stage="clips", title="clips table",
    rows="one per person and window",
    doc="Utterance-aligned ~10 s windows and each person's tile-crop clip (docs/clips.md); the mp4s are "
        "`<s>/clips/<clip_id>.mp4` (25 fps H.264, exactly n_frames frames, session audio as AAC).",
    sort_by=("window", "person"),
    columns=(
        Column("clip_id", S, "`<s>_<window:04d>_<person>`"),
        Column("session", S, "session id"),
        Column("person", S, "tile id"),
        Column("identity", S, IDENTITY_DOC),
        Column("window", I32, "0-based window index within the session"),
        Column("start", F64, "window start (s), inclusive"),
        Column("end", F64, "window end (s), exclusive"),
        Column("n_frames", I32, "frames of the window (= of the clip video)"),
        Column("face_fraction", F32, "share of the window's frames with a face (tracks.parquet has_face)"),
        Column("path", S, "clip video relative to `<s>/`, e.g. `clips/<clip_id>.mp4`"),
        Column("utterances", I32_LIST, "1-based transcript cue indices overlapping the window"),
        *(Column(f"crop_{k}", I32, f"crop rectangle {k} (even-aligned tile rectangle, display pixels)") for k in "xywh"),
    ),
)

ASD = TableSpec(
    name="asd", path="<s>/features/asd.parquet", stage="asd", title="active-speaker table",
    rows="one per tracks.parquet row",
    doc="Active-speaker score of each person and frame (docs/asd.md).",
    sort_by=("person", "frame"),
    columns=(
        Column("session", S, "session id"),
        Column("person", S, "tile id"),
        Column("frame", I32, "timeline frame"),
        Column("time", F64, "`frame / 25` (s)"),
        Column("score", F32, "speaking logit; null without a face or without audio"),
        Column("speaking", B, "threshold, exclusive margin and voice activity all say speaking (docs/asd.md)"),
    ),
)

#: The key columns of every per-cue table (cues, speakers, utterances).
_CUE_KEYS = (
    Column("session", S, "session id"),
    Column("utterance", I32, "1-based cue index, in time order"),
    Column("start", F64, "cue start (s)"),
    Column("end", F64, "cue end (s)"),
)

CUES = TableSpec(
    name="cues", path="<s>/cues.parquet", stage="cues", title="cue times table",
    rows="one per transcript cue (none without a transcript: same schema, empty)",
    doc="The transcript's cue times and speaker names without their text: what clips and the speaker "
        "attribution depend on, so a text-only transcript edit reruns only the stages that read text "
        "(docs/robustness.md). Metadata `warnings`: cues after or past the end of the recording.",
    sort_by=("utterance",),
    columns=(
        *_CUE_KEYS,
        Column("voice", S, "speaker name the transcript gives (VTT voice tag or `Name:` prefix)"),
    ),
)

_SPEAKER_COLUMNS = (
    Column("voice", S, "speaker name the transcript gives (VTT voice tag or `Name:` prefix)"),
    Column("speaker", S, "attributed person (by `asd.attribution`: name, else ASD), or null when nobody clearly speaks"),
    Column("speaker_source", S, "`name` (the voice name matches exactly one tile name of the span), `asd` "
                                "(the active-speaker decision) or null (no speaker)"),
    Column("asd_speaker", S, "the active-speaker decision alone (kept as evidence whatever the source)"),
    Column("name_speaker", S, "the one tile whose display name equals the voice name in the span, else null"),
    Column("evidence", S, "JSON: mean ASD score per candidate person"),
)

SPEAKERS = TableSpec(
    name="speakers", path="<s>/speakers.parquet", stage="speakers", title="speakers table",
    rows="one per transcript cue (none without a transcript: same schema, empty)",
    doc="Who spoke each cue, without the cue text (docs/asd.md): what clip_speech and acoustics read.",
    sort_by=("utterance",),
    columns=(
        *_CUE_KEYS,
        *_SPEAKER_COLUMNS,
    ),
)

UTTERANCES = TableSpec(
    name="utterances", path="<s>/utterances.parquet", stage="utterances", title="utterances table",
    rows="one per transcript cue (none without a transcript: same schema, empty)",
    doc="Who said what: speakers.parquet with each cue's text (docs/asd.md).",
    sort_by=("utterance",),
    columns=(
        *_CUE_KEYS,
        Column("text", S, "cue text (speaker prefix removed)"),
        *_SPEAKER_COLUMNS,
    ),
)

CLIP_SPEECH = TableSpec(
    name="clip_speech", path="<s>/features/clip_speech.parquet", stage="clip_speech", title="clip speech table",
    rows="one per clips.parquet row",
    doc="How long each person speaks in each clip, and which utterances are theirs.",
    sort_by=("clip_id",),
    columns=(
        Column("clip_id", S, "clip of clips.parquet"),
        Column("person", S, "tile id"),
        Column("speech_seconds", F64, "speaking frames (asd.parquet) in the window / 25"),
        Column("has_speech", B, "speech_seconds >= clip_speech.min_speech_seconds"),
        Column("utterances", I32_LIST, "cues attributed to this person overlapping the window"),
    ),
)

_FACE_FEATURES = tuple(
    Column(c, F32, "OpenFace 2.2 feature columns in OpenFace's file order, then `eye_openness_0/1` "
                   "(docs/features/face.md); null where `success` is false or the backend lacks the block",
           group="openface") for c in FEATURE_COLUMNS)

FACE = TableSpec(
    name="face", path="<s>/features/face.parquet", stage="face", title="face table",
    rows="one per clip and clip frame",
    doc="Per-frame face features of every clip: OpenFace 2.2 or the built-in backend, one schema "
        "(docs/features/face.md).",
    sort_by=("clip_id", "frame"),
    columns=(
        Column("clip_id", S, "clip of clips.parquet", nullable=False),
        Column("frame", I32, "0-based frame inside the clip", nullable=False),
        Column("time", F64, "seconds from the clip start (OpenFace's timestamp; built-in: `frame / 25`)",
               nullable=False),
        Column("confidence", F32, "face fit confidence (0 when no face)"),
        Column("success", B, "a face was tracked in this frame", nullable=False),
        Column("backend", S, "`openface` or `builtin`", nullable=False),
        *_FACE_FEATURES,
    ),
)

I3D = TableSpec(
    name="i3d", path="<s>/features/i3d.parquet", stage="i3d", title="I3D table",
    rows="one per clip",
    doc="I3D clip embedding (docs/features/i3d.md).",
    sort_by=("clip_id",),
    columns=(
        Column("clip_id", S, "clip of clips.parquet"),
        Column("embedding", _embedding, "mean of the clip's window embeddings",
               type_doc="fixed_size_list<float32>[1024] (inception_i3d) or [2048] (i3d_r50)"),
        Column("n_windows", I32, "windows averaged (>= 1)"),
        Column("model", S, "`inception_i3d` or `i3d_r50`"),
        Column("weights_sha256", S, "checkpoint sha256, or `random-init`"),
    ),
)

ACOUSTICS = TableSpec(
    name="acoustics", path="<s>/features/acoustics.parquet", stage="acoustics", title="acoustics table",
    rows="one per clips.parquet row",
    doc="Praat pitch and intensity of the person's attributed speech in the clip: CMOSE X_aud plus contours "
        "(docs/features/acoustics.md). Without speech: L = 0 and the speech columns null.",
    sort_by=("clip_id", "person"),
    columns=(
        *_window_keys(),
        Column("has_speech", B, "the person has attributed speech overlapping the window"),
        Column("L", F64, "X_aud: seconds of the person's attributed speech in the window"),
        Column("Hv", F64, "X_aud: share of speech frames with intensity > speaker mean + 1 std"),
        Column("Lv", F64, "X_aud: share of speech frames with intensity < speaker mean - 1 std"),
        Column("Hp", F64, "X_aud: share of voiced frames with f0 > speaker mean + 1 std"),
        Column("Lp", F64, "X_aud: share of voiced frames with f0 < speaker mean - 1 std"),
        Column("std_v", F64, "X_aud: std of the intensity frames (dB)"),
        Column("std_p", F64, "X_aud: std of voiced f0 (semitones)"),
        Column("n_frames", I32, "analysis frames of the person's speech in the clip"),
        Column("n_voiced", I32, "voiced frames among them"),
        Column("pitch_mean_hz", F64, "mean voiced f0 (Hz)"),
        Column("pitch_std_hz", F64, "std of voiced f0 (Hz)"),
        Column("intensity_mean_db", F64, "mean intensity (dB)"),
        Column("jitter_local", F64, "Praat local jitter, duration-weighted over the clip's stretches"),
        Column("shimmer_local", F64, "Praat local shimmer, duration-weighted over the clip's stretches"),
        Column("hnr_db", F64, "mean harmonics-to-noise ratio (dB)"),
        Column("pitch_floor_hz", F64, "the speaker's second-pass pitch floor (Hz)"),
        Column("pitch_ceiling_hz", F64, "the speaker's second-pass pitch ceiling (Hz)"),
        Column("pitch_range_source", S, "how the range was found (`two-pass` / `first-pass`)"),
        Column("speaker_intensity_mean_db", F64, "speaker reference: intensity mean (dB)"),
        Column("speaker_intensity_std_db", F64, "speaker reference: intensity std (dB)"),
        Column("speaker_pitch_mean_hz", F64, "speaker reference: voiced f0 mean (Hz)"),
        Column("speaker_pitch_std_hz", F64, "speaker reference: voiced f0 std (Hz)"),
        Column("contour_step", F64, "frame step of the contours (s)"),
        Column("contour_time", F32_LIST, "frame centre times from the clip start (s)"),
        Column("pitch_hz", F32_LIST, "f0 per frame (Hz), null where unvoiced"),
        Column("intensity_db", F32_LIST, "intensity per frame (dB)"),
    ),
)

TEXT = TableSpec(
    name="text", path="<s>/features/text.parquet", stage="text", title="text table",
    rows="one per clips.parquet row",
    doc="The person's attributed transcript text per clip and its encoder embedding (docs/features/text.md).",
    sort_by=("clip_id", "person"),
    columns=(
        *_window_keys(),
        Column("has_speech", B, "a cue attributed to the person overlaps the window"),
        Column("utterances", I32_LIST, "those cue indices, in time order"),
        Column("text", S, "the joined text; \"\" for empty cues; null without speech"),
        Column("n_tokens", I32, "word pieces of the text; null when not embedded"),
        Column("n_chunks", I32, "token windows the text was split into; null when not embedded"),
        Column("embedding", _embedding, "text embedding; null without text or when the model is missing "
                                        "(metadata model_missing)",
               type_doc="fixed_size_list<float32>[hidden] (list<float32> when the model is missing)"),
    ),
)

INTERACTION = TableSpec(
    name="interaction", path="<s>/features/interaction.parquet", stage="interaction", title="interaction table",
    rows="one per clips.parquet row",
    doc="Turn-taking, replies, chat and sentiment per clip and person (docs/features/interaction.md); "
        "chat columns are null without chat.txt.",
    sort_by=("clip_id",),
    columns=(
        *_window_keys(),
        Column("words", F64, "words of the person's cues, counted proportionally to the part in the window"),
        Column("turns", I32, "the person's turns starting in the window"),
        Column("speech_seconds", F64, "seconds of the window covered by the person's cues"),
        Column("replies_spoken", I32, "turns starting in the window that are replies"),
        Column("sentiment_speech", F64, "mean VADER compound of the person's cues in the window"),
        Column("chat_messages", I32, "chat messages in the window"),
        Column("chat_words", I32, "words in those messages"),
        Column("chat_reactions", I32, "emoji reactions in the window"),
        Column("chat_messages_history", I32, "messages in [end - history_s, end)"),
        Column("replies_chat", I32, "messages in the window that are replies"),
        Column("replies", I32, "replies_spoken + replies_chat"),
        Column("sentiment_chat", F64, "mean VADER compound of the messages in the window"),
        Column("sentiment_chat_history", F64, "the same over [end - history_s, end)"),
    ),
)

MERGED_LABELS = TableSpec(
    name="merged_labels", path="<s>/labels/merged.parquet", stage="labels_merge", title="merged labels table",
    rows="one per labelled clip",
    doc="One label per clip, the labels the dataset uses: labels.csv when present, else the adjudicated label, else "
        "the median of the rater files `labels/<rater>.csv` (docs/labelling.md). Metadata: tie, min_raters, raters, "
        "sources, label_counts, dropped clips by reason, unknown clips skipped.",
    sort_by=("clip_id",),
    columns=(
        Column("clip_id", S, "clip of clips.parquet"),
        Column("label", S, "HD, DE, EG or HE"),
        Column("label_index", pa.int8(), "0..3 in that order"),
        Column("source", S, "`labels.csv`, `adjudicated` or `median`"),
        Column("n_raters", pa.int16(), "raters who rated the clip (skip is not a rating)"),
        Column("agreed", B, "all ratings equal; null with fewer than 2 ratings"),
    ),
)

RATINGS = TableSpec(
    name="ratings", path="<s>/labels/ratings.parquet", stage="labels_merge", title="ratings table",
    rows="one per rating (skip rows left out)",
    doc="Every rating of the session, read by the agreement statistics (docs/labelling.md).",
    sort_by=("clip_id", "rater"),
    columns=(
        Column("clip_id", S, "clip of clips.parquet"),
        Column("rater", S, "rater file name without `.csv` (`adjudicated`: review mode's labels)"),
        Column("label", S, "HD, DE, EG or HE"),
    ),
)

DATASET = TableSpec(
    name="dataset", path="dataset/<name>.parquet", stage="dataset", title="dataset table",
    rows="one per labelled clip",
    doc="All model inputs of each labelled clip with its label and identity-level split, written by the dataset "
        "and cmose_import rules and read by train and eval (docs/model.md). Metadata: face_columns, n_chunks, "
        "min_frames, split seed and counts.",
    sort_by=("clip_id",),
    columns=(
        Column("clip_id", S, "clip id (CMOSE: the release's sample_id)"),
        Column("session", S, "session id"),
        Column("person", S, "tile id"),
        Column("identity", S, "identity of the person, the unit of the split (clips.parquet identity; CMOSE: "
                              "`video{X}/person{Z}`)"),
        Column("start", F64, "window start (s); NaN when unknown (CMOSE)"),
        Column("end", F64, "window end (s); NaN when unknown"),
        Column("label", S, "HD, DE, EG or HE"),
        Column("label_index", pa.int8(), "0..3 in that order"),
        Column("split", S, "train, val or test (by identity: one student is never in two splits)"),
        Column("face", F32_LIST, "face chunk statistics ps, (3D, T) flattened row-major"),
        Column("i3d", F32_LIST, "I3D embedding"),
        Column("has_speech", B, "clip_speech has_speech"),
        Column("aud", F32_LIST, "X_aud (7 values), zeros without speech"),
        Column("text", F32_LIST, "text embedding, zeros without speech; empty when no text features exist"),
        Column("interaction", F32_LIST, "numeric interaction columns (dataset.interaction: true)", optional=True),
    ),
)

PREDICTIONS = TableSpec(
    name="predictions", path="predictions/<s>.parquet", stage="predict", title="predictions table",
    rows="one per clip",
    doc="Engagement prediction of each clip by a trained model (docs/model.md).",
    sort_by=("clip_id",),
    columns=(
        Column("clip_id", S, "clip of clips.parquet"),
        Column("person", S, "tile id"),
        Column("identity", S, "clips.parquet identity"),
        Column("start", F64, "window start (s)"),
        Column("end", F64, "window end (s)"),
        Column("score", F32, "engagement score in [-1, 1]"),
        Column("level", S, "HD, DE, EG or HE (thresholds -0.5, 0, 0.5)"),
        Column("has_speech", B, "clip_speech has_speech"),
    ),
)

#: Every Parquet table, in pipeline order (the order of docs/data-contract.md).
TABLES = (TRACKS, CLIPS, ASD, CUES, SPEAKERS, UTTERANCES, CLIP_SPEECH, FACE, I3D, ACOUSTICS, TEXT, INTERACTION, MERGED_LABELS, RATINGS,
          DATASET, PREDICTIONS)
