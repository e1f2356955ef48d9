"""The machinery of the data contract: a column, a Parquet table spec, its reader and its writer.

Why one place: every file that crosses a stage boundary is written and read through its spec, so a
stage cannot write a column the contract does not declare (the writer checks the Arrow schema) and
a missing, corrupt or incomplete upstream file gives the same one-line
:class:`~engage.errors.SessionError` in every stage (the reader).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import pyarrow as pa

from engage.io.parquet import read_required, write_batches, write_table

#: A column type that depends on the table (e.g. the embedding size of the model that wrote it).
TypeFn = Callable[[Mapping[str, object]], pa.DataType]


class ContractError(TypeError):
    """A stage built a table that does not match its spec (a programming error, not bad input)."""


@dataclass(frozen=True)
class Column:
    """One column: name, Arrow type (or a function of the table's dims), meaning.

    ``nullable=False`` columns are declared non-nullable in the Arrow schema. ``optional`` columns
    may be absent (present only when a setting asks for them). Consecutive columns with the same
    ``group`` are documented as one row (the 711 OpenFace feature columns).
    """

    name: str
    type: pa.DataType | TypeFn
    doc: str
    nullable: bool = True
    optional: bool = False
    group: str | None = None
    type_doc: str | None = None

    def arrow_type(self, dims: Mapping[str, object]) -> pa.DataType:
        return self.type(dims) if callable(self.type) else self.type

    def field(self, dims: Mapping[str, object]) -> pa.Field:
        return pa.field(self.name, self.arrow_type(dims), nullable=self.nullable)

    def type_name(self) -> str:
        if self.type_doc:
            return self.type_doc
        return _type_name(self.type)


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_large_list(t) or pa.types.is_list(t):
        return f"list<{_type_name(t.value_type)}>"
    if pa.types.is_fixed_size_list(t):
        return f"fixed_size_list<{_type_name(t.value_type)}>[{t.list_size}]"
    return {"double": "float64", "float": "float32", "bool": "bool", "string": "string"}.get(str(t), str(t))


@dataclass(frozen=True)
class TableSpec:
    """A Parquet file of the contract: where it lives, who writes it, its columns and row order."""

    name: str  # short name: "clips", "face", ...
    path: str  # where, for the docs: "<s>/clips.parquet"
    stage: str  # the stage that writes it (recorded as ``stage`` in the Parquet metadata)
    title: str  # how errors name it: "clips table"
    doc: str
    columns: tuple[Column, ...]
    sort_by: tuple[str, ...]
    rows: str  # what one row is, for the docs

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if not c.optional]

    def file_in(self, session_dir: str | os.PathLike) -> Path:
        """Where this table of a session lives inside the session's results folder."""
        if not self.path.startswith("<s>/"):
            raise ValueError(f"{self.name} is not a per-session table ({self.path})")
        return Path(session_dir) / self.path[len("<s>/"):]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def schema(self, *, include: Iterable[str] = (), **dims: object) -> pa.Schema:
        """The Arrow schema; ``include`` names the optional columns present, ``dims`` sizes typed columns."""
        extra = set(include)
        return pa.schema([c.field(dims) for c in self.columns if not c.optional or c.name in extra])

    def empty(self, **dims: object) -> pa.Table:
        return self.schema(**dims).empty_table()

    def from_rows(self, rows: Sequence[Mapping[str, object]], **dims: object) -> pa.Table:
        """A table of ``rows`` (dicts keyed by column name); the empty table when there are none."""
        schema = self.schema(**dims)
        return pa.Table.from_pylist(list(rows), schema=schema) if rows else schema.empty_table()

    def check(self, table_schema: pa.Schema, dims: Mapping[str, object]) -> None:
        """Raise :class:`ContractError` unless ``table_schema`` is this spec's (metadata ignored)."""
        present = {c.name for c in self.columns if c.optional and c.name in table_schema.names}
        want = self.schema(include=present, **dims)
        if not table_schema.equals(want, check_metadata=False):
            got = {f.name: f for f in table_schema}
            diffs = [f"{f.name}: {got[f.name].type}{'' if got[f.name].nullable else ' not null'} "
                     f"instead of {f.type}{'' if f.nullable else ' not null'}"
                     for f in want if f.name in got and not got[f.name].equals(f)]
            missing = [n for n in want.names if n not in got]
            unknown = [n for n in table_schema.names if n not in want.names]
            order = table_schema.names != want.names and not (missing or unknown)
            raise ContractError(
                f"{self.path} does not match the data contract: "
                + "; ".join(filter(None, [f"missing {missing}" if missing else "",
                                          f"undeclared {unknown}" if unknown else "",
                                          f"types {diffs}" if diffs else "",
                                          "column order differs" if order else ""])))

    def write(self, path: str | os.PathLike, table: pa.Table, *, meta: Mapping[str, object] | None = None,
              **dims: object) -> None:
        """Write ``table`` atomically, sorted by the spec's keys, after checking it against the spec."""
        self.check(table.schema, dims)
        write_table(path, table, stage=self.stage, meta=meta, sort_by=list(self.sort_by))

    def write_batches(self, path: str | os.PathLike, batches: Iterable[pa.RecordBatch], *,
                      meta: Mapping[str, object] | None = None, **dims: object) -> None:
        """Streaming write of batches already in the spec's row order (one batch in memory)."""
        schema = self.schema(**dims)

        def checked():
            for b in batches:
                self.check(b.schema, dims)
                yield b

        write_batches(path, schema, checked(), stage=self.stage, meta=meta)

    def read(self, path: str | os.PathLike, *, session: str | None, columns: Sequence[str] | None = None) -> pa.Table:
        """The ``columns`` of an upstream file (default: all it declares), or a one-line SessionError."""
        if columns is None:
            return read_required(path, self.required, session=session, what=self.title,
                                 optional=[c.name for c in self.columns if c.optional])
        unknown = [c for c in columns if c not in self.names]
        if unknown:
            raise KeyError(f"{self.name} declares no column(s) {unknown}")
        return read_required(path, list(columns), session=session, what=self.title)
