"""Deterministic Parquet: sorted rows, stable key/value metadata, atomic rename.

Every stage writes through :func:`write_table` so reruns with the same inputs and params
produce byte-identical files (no timestamps, fixed row order, fixed writer options).
"""

from __future__ import annotations

import json
import os
from typing import Any, Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.parquet as pq

from engage import __version__
from engage.io.atomic import atomic_path

METADATA_KEY = b"engage"


def _metadata_bytes(stage: str, meta: Mapping[str, Any]) -> bytes:
    payload = {"pipeline_version": __version__, "stage": stage, **meta}
    return json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")


#: Writer options shared by every Parquet output (part of the byte-identical-rerun contract).
WRITER_OPTIONS = dict(compression="zstd", write_statistics=True, use_dictionary=True)


def write_table(
    path: str | os.PathLike,
    table: pa.Table,
    *,
    stage: str,
    meta: Mapping[str, Any] | None = None,
    sort_by: Sequence[str] | None = None,
) -> None:
    """Write ``table`` to ``path`` atomically.

    ``meta`` (params, model name, weights sha256 or ``random-init``, source sha256, ...) is stored
    as JSON under the ``engage`` key of the schema metadata; read it back with :func:`read_meta`.
    """
    if sort_by:
        table = table.sort_by([(c, "ascending") for c in sort_by])
    md = dict(table.schema.metadata or {})
    md.pop(b"pandas", None)  # pandas metadata embeds index info that varies between runs
    md[METADATA_KEY] = _metadata_bytes(stage, meta or {})
    table = table.replace_schema_metadata(md)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, **WRITER_OPTIONS)


def write_batches(
    path: str | os.PathLike,
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    *,
    stage: str,
    meta: Mapping[str, Any] | None = None,
) -> None:
    """Streaming twin of :func:`write_table` for batches already in sorted order.

    Same writer options, metadata and atomic rename; memory stays one batch whatever the recording length.
    """
    schema = schema.with_metadata({METADATA_KEY: _metadata_bytes(stage, meta or {})})
    with atomic_path(path) as tmp:
        with pq.ParquetWriter(tmp, schema, **WRITER_OPTIONS) as writer:
            for b in batches:
                writer.write_table(pa.Table.from_batches([b], schema=schema))


def read_required(path: str | os.PathLike, columns: Sequence[str], *, session: str | None, what: str,
                  optional: Sequence[str] = ()) -> pa.Table:
    """Read the ``columns`` (and those of ``optional`` present) of an upstream Parquet file, or raise a
    one-line SessionError.

    The contract's readers (:mod:`engage.contract`) read every stage input through this, so a missing,
    corrupt or incomplete upstream file is reported the same way everywhere (which file, what is wrong).
    Only the asked-for columns are read.
    """
    from engage.errors import SessionError

    try:
        names = pq.read_schema(path).names
        missing = [c for c in columns if c not in names]
        if missing:
            raise SessionError(session, path, f"{what} lacks column(s) {', '.join(missing)}")
        wanted = list(columns) + [c for c in optional if c in names and c not in columns]
        return pq.read_table(path, columns=wanted).select(wanted)
    except SessionError:
        raise
    except FileNotFoundError:
        raise SessionError(session, path, f"{what} not found") from None
    except Exception as err:  # pyarrow raises several types for unreadable files
        detail = " ".join(str(err).split())[:200]
        raise SessionError(session, path, f"cannot read {what} ({type(err).__name__}: {detail})") from None


def read_meta(path: str | os.PathLike) -> dict[str, Any]:
    """Return the ``engage`` metadata dict of a Parquet file written by :func:`write_table`."""
    md = pq.read_schema(path).metadata or {}
    raw = md.get(METADATA_KEY)
    return json.loads(raw) if raw else {}
