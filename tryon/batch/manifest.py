"""The batch manifest: an append-only JSONL record of every job outcome.

One line per outcome (``id``, ``status`` ``ok``/``failed``, ``files``, ``usage``, ``cost_usd``,
``error``, ``warnings``, ``started``, ``finished``, ...), written with one ``write`` then ``flush`` and
``fsync``, so a crash loses at most the line being written. Reading skips a torn line and any
line that is not a valid record (wrong types, a file outside the output folder), each counted
and reported with its file and line number; before appending, a torn last line is terminated
so that it cannot swallow the next one.

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
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

import attrs

__all__ = ["MANIFEST_NAME", "BadLine", "Manifest", "ManifestIndex", "Record", "manifest_name", "now_iso",
           "safe_relative"]

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
        """A record from a decoded manifest line; ``ValueError`` says what is wrong with it."""
        known = {a.name for a in attrs.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name, kinds in _TYPES.items():
            if name in values and not _is(values[name], kinds):
                raise ValueError(f"{name!r} must be {kinds[0].__name__ if kinds[0] is not type(None) else 'null'}"
                                 f", not {type(values[name]).__name__}")
        if "id" not in values or not str(values["id"]).strip():
            raise ValueError("the record has no id")
        for key in ("files", "warnings", "skipped"):
            if key in values and not all(isinstance(v, str) for v in values[key]):
                raise ValueError(f"{key!r} must be a list of strings")
        if "usage" in values and values["usage"] is not None and not all(
                _count(v) for v in values["usage"].values()):  # tokens are whole; credits may not be (1.5)
            raise ValueError("'usage' must map names to non-negative numbers")
        for name in values.get("files", ()):
            if safe_relative(name) is None:
                raise ValueError(f"file {name!r} is not a plain file name inside the output folder")
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc.args[0]) if exc.args else type(exc).__name__) from None


_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,), "status": (str,), "files": (list,), "line": (int, type(None)), "name": (str, type(None)),
    "model": (str, type(None)), "usage": (dict, type(None)), "cost_usd": (float, int, type(None)),
    "error": (str, type(None)), "warnings": (list,), "skipped": (list,), "started": (str,), "finished": (str,),
    "attempts": (int,),
}


def _count(value: Any) -> bool:
    """A usage count: tokens (whole) or credits (FLUX bills 1.5, FASHN reports 1.0), never a bool."""
    return (isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
            and value != float("inf"))


def _is(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    return isinstance(value, kinds)


def safe_relative(name: str) -> str | None:
    """*name* if it is a relative path inside a folder (no ``..``, not absolute, no drive), else ``None``."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in name.split("/")) or ":" in path.parts[0]:
        return None
    return name


@attrs.frozen
class BadLine:
    """A manifest line that was skipped: its file, line number and why."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path.name} line {self.line}: {self.reason}"


@attrs.frozen
class ManifestIndex:
    """The latest outcome of each job id found in an output folder's manifests."""

    latest: Mapping[str, Record]
    torn_lines: int = 0
    bad_lines: tuple[BadLine, ...] = ()

    def get(self, job_id: str) -> Record | None:
        return self.latest.get(job_id)

    def __len__(self) -> int:
        return len(self.latest)

    @classmethod
    def read(cls, directory: str | Path) -> ManifestIndex:
        """Read every manifest of *directory* (missing folder or files = empty)."""
        directory = Path(directory)
        records: list[tuple[str, int, Record]] = []
        bad: list[BadLine] = []
        order = 0
        for path in sorted(directory.glob(_GLOB)) if directory.is_dir() else []:
            for number, record in _read_lines(path):
                if isinstance(record, str):
                    bad.append(BadLine(path, number, record))
                    continue
                records.append((record.finished, order, record))
                order += 1
        latest: dict[str, Record] = {}
        for _, _, record in sorted(records, key=lambda item: (item[0], item[1])):
            latest[record.id] = record
        return cls(latest, len(bad), tuple(bad))


def _read_lines(path: Path) -> Iterator[tuple[int, Record | str]]:
    """Each non-blank line's number and its record, or why it is not one (a torn or invalid line)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except ValueError:
                yield number, "not a complete JSON line (torn by a crash?)"
                continue
            if not isinstance(data, dict):
                yield number, "not a JSON object"
                continue
            try:
                yield number, Record.from_dict(data)
            except ValueError as exc:
                yield number, f"invalid record: {exc}"


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
