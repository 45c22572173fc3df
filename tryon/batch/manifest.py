"""The batch manifest: an append-only JSONL record of every job outcome.

One line per outcome (``id``, ``status`` ``ok``/``failed``, ``files``, ``usage``, ``cost_usd``,
``error``, ``warnings``, ``started``, ``finished``, ...), written with one ``write`` then ``flush`` and
``fsync``, so a crash loses at most the line being written. Reading skips a torn line;
before appending, a torn last line is terminated so that it cannot swallow the next one.

A run without a shard writes ``manifest.jsonl``; shard I of N writes
``manifest.shard-I-of-N.jsonl`` so that processes sharing one output folder never append to
the same file. Reading merges every ``manifest*.jsonl`` of the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs

__all__ = ["MANIFEST_NAME", "Manifest", "ManifestIndex", "Record", "manifest_name", "now_iso"]

MANIFEST_NAME = "manifest.jsonl"
_GLOB = "manifest*.jsonl"


def now_iso() -> str:
    """The current UTC time as an ISO 8601 string with microseconds (sorts chronologically)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


@attrs.frozen(kw_only=True)
class Record:
    """One job outcome. ``files`` are relative to the output folder."""

    id: str
    status: str = attrs.field(validator=attrs.validators.in_(("ok", "failed")))
    files: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    line: int | None = None
    name: str | None = None
    model: str | None = None
    usage: Mapping[str, float] | None = None
    cost_usd: float | None = None
    error: str | None = None
    warnings: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    skipped: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """Models of a preference list that did not serve the job, each with the reason."""
    started: str = ""
    finished: str = ""
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> str:
        data = attrs.asdict(self)
        data["files"] = list(self.files)
        data["warnings"] = list(self.warnings)
        data["skipped"] = list(self.skipped)
        data["usage"] = dict(self.usage) if self.usage is not None else None
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        known = {a.name for a in attrs.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@attrs.frozen
class ManifestIndex:
    """The latest outcome of each job id found in an output folder's manifests."""

    latest: Mapping[str, Record]
    torn_lines: int = 0

    def get(self, job_id: str) -> Record | None:
        return self.latest.get(job_id)

    def __len__(self) -> int:
        return len(self.latest)

    @classmethod
    def read(cls, directory: str | Path) -> ManifestIndex:
        """Read every manifest of *directory* (missing folder or files = empty)."""
        directory = Path(directory)
        records: list[tuple[str, int, Record]] = []
        torn = 0
        order = 0
        for path in sorted(directory.glob(_GLOB)) if directory.is_dir() else []:
            for record in _read_lines(path):
                if record is None:
                    torn += 1
                    continue
                records.append((record.finished, order, record))
                order += 1
        latest: dict[str, Record] = {}
        for _, _, record in sorted(records, key=lambda item: (item[0], item[1])):
            latest[record.id] = record
        return cls(latest, torn)


def _read_lines(path: Path) -> Iterator[Record | None]:
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                yield Record.from_dict(data) if isinstance(data, dict) else None
            except (ValueError, TypeError):
                yield None  # a torn (partly written) line


def manifest_name(shard: str | None = None) -> str:
    """``manifest.jsonl``, or ``manifest.shard-I-of-N.jsonl`` for shard ``"I/N"``."""
    if shard is None:
        return MANIFEST_NAME
    index, _, count = shard.partition("/")
    return f"manifest.shard-{index}-of-{count}.jsonl"


class Manifest:
    """Appends records to one manifest file, one durable line at a time (thread-safe)."""

    def __init__(self, directory: str | Path, name: str = MANIFEST_NAME) -> None:
        self.path = Path(directory) / name
        self._lock = threading.Lock()
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
            fd = os.open(self.path, flags, 0o644)
            if os.fstat(fd).st_size and _last_byte(self.path) != b"\n":
                _write_all(fd, b"\n")  # terminate a torn last line
            self._fd = fd
        return self._fd

    def append(self, record: Record) -> None:
        """Write *record* as one line (one ``write`` call) and force it to disk before returning."""
        line = (record.to_json() + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            _write_all(fd, line)
            os.fsync(fd)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as reader:
        reader.seek(-1, os.SEEK_END)
        return reader.read(1)
