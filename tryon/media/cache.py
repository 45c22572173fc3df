"""A small, bounded, thread-safe cache of check results keyed by the content hash of the bytes checked.

Used where a check must decode (an edit mask): a batch that sends the same bytes again gets
the verdict of the first check. Bounded by entries and by the bytes the values hold; the
least recently used entry goes first. Keys start with :func:`content_key` of the data, so a
changed byte is a different entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

__all__ = ["ContentCache", "content_key"]


def content_key(data: bytes) -> bytes:
    """The SHA-256 digest of *data* (with its length, so that equal digests mean equal bytes)."""
    return hashlib.sha256(data).digest() + len(data).to_bytes(8, "little")


class ContentCache:
    """LRU of at most *max_entries* values holding at most *max_bytes* together."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        if max_entries < 0 or max_bytes < 0:
            raise ValueError("cache bounds must be >= 0")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes held by the cached values (as declared to :meth:`put`)."""
        return self._bytes

    def get(self, key: Hashable) -> Any | None:
        """The value stored under *key* (now the most recently used), or ``None``."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: Any, nbytes: int = 0) -> None:
        """Store *value* (holding *nbytes*); values larger than the whole budget are not kept."""
        if nbytes > self.max_bytes or self.max_entries == 0:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, size) = self._items.popitem(last=False)
                self._bytes -= size

    def clear(self) -> None:
        """Forget everything (and the hit counts)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0
