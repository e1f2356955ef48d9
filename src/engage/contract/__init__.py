"""The data contract in code: every file that crosses a stage boundary, its schema, reader and writer.

Stages, the report and the test fixtures read and write these files only through this package:

* Parquet tables: :data:`TRACKS`, :data:`CLIPS`, :data:`ASD`, :data:`CUES`, :data:`SPEAKERS`, :data:`UTTERANCES`, :data:`CLIP_SPEECH`,
  :data:`FACE`, :data:`I3D`, :data:`ACOUSTICS`, :data:`TEXT`, :data:`INTERACTION`, :data:`MERGED_LABELS`,
  :data:`RATINGS`, :data:`DATASET`, :data:`PREDICTIONS` (each a :class:`TableSpec`: ``schema()``, ``read()``, ``write()``).
* Typed rows of the small tables: :func:`read_clips`, :func:`read_cues`, :func:`read_speakers`, :func:`read_utterances`, :func:`read_clip_speech`.
* JSON documents: :func:`read_media` / :func:`write_media` (:class:`Media`), :func:`read_layout` /
  :func:`write_layout` (:class:`Layout`, :class:`Span`, :class:`Tile`).

docs/data-contract.md is generated from it: ``python -m engage.contract > docs/data-contract.md``.
"""

from engage.contract.documents import (
    Layout,
    LayoutError,
    Media,
    Span,
    Tile,
    TimelineSpan,
    layout_of,
    read_layout,
    read_media,
    span_from_json,
    write_layout,
    write_media,
)
from engage.contract.rows import (
    Clip,
    ClipSpeech,
    Utterance,
    clip_speech_table,
    clip_videos,
    clips_table,
    read_clip_speech,
    read_clips,
    read_cues,
    read_speakers,
    read_utterances,
    utterances_table,
)
from engage.contract.spec import Column, ContractError, TableSpec
from engage.contract.tables import (
    ACOUSTICS,
    ASD,
    CLIP_SPEECH,
    CLIPS,
    CUES,
    DATASET,
    FACE,
    I3D,
    INTERACTION,
    MERGED_LABELS,
    PREDICTIONS,
    RATINGS,
    SPEAKERS,
    TABLES,
    TEXT,
    TRACKS,
    UTTERANCES,
)

__all__ = [
    "ACOUSTICS", "ASD", "CLIP_SPEECH", "CLIPS", "CUES", "DATASET", "FACE", "I3D", "INTERACTION", "MERGED_LABELS",
    "PREDICTIONS", "RATINGS", "SPEAKERS", "TABLES", "TEXT", "TRACKS", "UTTERANCES", "Clip", "ClipSpeech", "Column", "ContractError", "Layout", "LayoutError", "Media",
    "Span", "TableSpec", "Tile", "TimelineSpan", "Utterance", "clip_speech_table", "clip_videos", "clips_table",
    "layout_of", "read_clip_speech", "read_clips", "read_layout", "read_media", "read_cues", "read_speakers", "read_utterances", "span_from_json",
    "utterances_table", "write_layout", "write_media",
]
