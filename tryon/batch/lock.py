"""One output folder, one run: a lock file naming the run that holds the folder.

``DIR/.tryon-batch.lock`` (``.tryon-batch.shard-I-of-N.lock`` for a shard, so that the shards of
one batch can share a folder) holds the holder's pid, host, start time and command. The holder
refreshes the file's modification time while it runs (:meth:`OutputLock.heartbeat`). A lock is
*stale*, and is taken over with a message, when its process is gone (same host, pid not alive)
or when it has not been refreshed for :data:`STALE_AFTER` seconds (any host: a crashed or
frozen machine). An unsharded run also refuses while any shard holds the folder, and a shard
while an unsharded run does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from tryon.errors import ValidationError

__all__ = ["STALE_AFTER", "FolderLockedError", "OutputLock"]

STALE_AFTER = 600.0
"""Seconds without a heartbeat after which a lock is stale whatever its host."""

HEARTBEAT = 30.0
_PREFIX = ".tryon-batch"


class FolderLockedError(ValidationError):
    """Another run holds the output folder; ``holder`` is what its lock file says."""

    def __init__(self, message: str, holder: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.holder = holder or {}


def _lock_name(shard: str | None) -> str:
    if shard is None:
        return f"{_PREFIX}.lock"
    index, _, count = shard.partition("/")
    return f"{_PREFIX}.shard-{index}-of-{count}.lock"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    try:  # Linux: a killed process not yet reaped (a zombie) is gone for our purposes
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _describe(holder: dict[str, Any]) -> str:
    pid, host, started = holder.get("pid", "?"), holder.get("host", "?"), holder.get("started", "?")
    command = holder.get("command")
    return f"pid {pid} on {host}, started {started}" + (f" ({command})" if command else "")


class OutputLock:
    """The lock of an output folder for one run (a context manager)."""

    def __init__(self, directory: str | Path, *, shard: str | None = None, stale_after: float = STALE_AFTER) -> None:
        self.directory = Path(directory)
        self.shard = shard
        self.path = self.directory / _lock_name(shard)
        self.stale_after = stale_after
        self.taken_over: dict[str, Any] | None = None
        self._held = False
        self._beat = 0.0

    def _stale(self, path: Path, holder: dict[str, Any]) -> bool:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return True
        if age > self.stale_after:
            return True
        if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
            return not _pid_alive(holder["pid"])
        return not holder and age > HEARTBEAT * 2  # unreadable and not refreshed: a torn write by a crash

    def _conflicts(self) -> list[Path]:
        if self.shard is None:
            return sorted(self.directory.glob(f"{_PREFIX}.shard-*.lock"))
        main = self.directory / _lock_name(None)
        return [main] + [p for p in sorted(self.directory.glob(f"{_PREFIX}.shard-*.lock"))
                         if not p.name.endswith(f"-of-{self.shard.partition('/')[2]}.lock")]

    def _refuse_if_held(self, path: Path) -> None:
        holder = _read(path)
        if holder is None:
            return
        if self._stale(path, holder):
            self.taken_over = holder
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return
        what = "this output folder" if path == self.path else f"this output folder ({path.name})"
        raise FolderLockedError(
            f"another tryon batch run holds {what}: {_describe(holder)}. Wait for it to finish, or use "
            f"another --output-dir; if that run is gone, delete {path}", holder)

    def acquire(self) -> OutputLock:
        """Take the lock; :class:`FolderLockedError` names the holder when another live run has it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for other in self._conflicts():
            self._refuse_if_held(other)
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200]}
        data = json.dumps(info).encode("utf-8")
        for _attempt in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._refuse_if_held(self.path)
                continue
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            self._held = True
            self._beat = time.monotonic()
            return self
        raise FolderLockedError(f"could not take the lock {self.path} (another run keeps taking it)")

    def heartbeat(self) -> None:
        """Refresh the lock's time (at most every :data:`HEARTBEAT` seconds), so it never looks stale."""
        if self._held and time.monotonic() - self._beat >= HEARTBEAT:
            self._beat = time.monotonic()
            with contextlib.suppress(OSError):
                os.utime(self.path)

    def release(self) -> None:
        if self._held:
            self._held = False
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
