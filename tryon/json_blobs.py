"""Parse a JSON answer without building its base64 images as Python strings.

A REST answer that carries images inline (Gemini's ``inlineData.data``) is mostly base64. Parsed
the usual way (``response.json()``) the body exists three times at once: the bytes, their
decoded text and the parsed strings, before the image bytes are even decoded. :func:`loads`
lifts every long run of base64 characters out of the body *before* parsing: the tree gets a
short placeholder in its place, and :meth:`Blobs.decode` turns a placeholder into the image
bytes straight from the body (a memoryview, no copy). Shared by every REST plugin.

Only a JSON string that holds nothing but base64 characters and stands where a value stands
(after ``:``, ``,`` or ``[``, and followed by ``,``, ``]`` or ``}``) is lifted, so object keys
and escaped quotes inside other strings are never mistaken for one; everything else parses
exactly as :func:`json.loads` would.
"""

from __future__ import annotations

import binascii
import json
import os
import re
from typing import Any

__all__ = ["MIN_BLOB", "Blobs", "loads"]

MIN_BLOB = 4096
"""Strings shorter than this stay in the tree (lifting them saves nothing)."""
_PREFIX = "\x00tryon-blob-"
_RUN = re.compile(rb'"([A-Za-z0-9+/=_-]{%d,})"' % MIN_BLOB)
_WHITESPACE = b" \t\r\n"
_VALUE_START = b":,["
_VALUE_END = b",]}"


class Blobs:
    """The base64 strings lifted out of one body, by placeholder."""

    def __init__(self, body: bytes | None = None) -> None:
        self._view = memoryview(body) if body is not None else memoryview(b"")
        self._spans: list[tuple[int, int]] = []
        self._tag = f"{_PREFIX}{os.urandom(6).hex()}:"  # per body: no answer text can forge one

    def add(self, start: int, end: int) -> str:
        self._spans.append((start, end))
        return f"{self._tag}{len(self._spans) - 1}"

    def __len__(self) -> int:
        return len(self._spans)

    def is_blob(self, value: Any) -> bool:
        return isinstance(value, str) and value.startswith(self._tag)

    def size(self, value: str) -> int:
        """The length in characters of the base64 *value* (a placeholder or a plain string)."""
        if self.is_blob(value):
            start, end = self._spans[int(value[len(self._tag):])]
            return end - start
        return len(value)

    def text(self, value: str) -> str:
        """The base64 text a placeholder stands for (a copy: for debugging, not the hot path)."""
        if self.is_blob(value):
            start, end = self._spans[int(value[len(self._tag):])]
            return bytes(self._view[start:end]).decode("ascii")
        return value

    def decode(self, value: str) -> bytes:
        """The bytes of the base64 *value*: a placeholder from this body, or an ordinary string.

        Decoded as :func:`base64.b64decode` does (characters outside the alphabet are skipped);
        raises :class:`binascii.Error` (a ``ValueError``) on malformed padding.
        """
        if self.is_blob(value):
            start, end = self._spans[int(value[len(self._tag):])]
            return binascii.a2b_base64(self._view[start:end])
        return binascii.a2b_base64(value)


def _is_value(body: bytes, opening: int, closing: int) -> bool:
    """Whether the string between the quotes at *opening* and *closing* is a value (not a key, and
    not text inside another string): a structural byte before it, and no ``:`` after it."""
    pos = opening - 1
    while pos >= 0 and body[pos] in _WHITESPACE:
        pos -= 1
    if pos < 0 or body[pos] not in _VALUE_START:
        return False
    pos, end = closing + 1, len(body)
    while pos < end and body[pos] in _WHITESPACE:
        pos += 1
    return pos >= end or body[pos] in _VALUE_END


def loads(body: bytes) -> tuple[Any, Blobs]:
    """The JSON value of *body* with its long base64 strings lifted out, and those strings.

    Raises :class:`ValueError` (as :func:`json.loads`) when *body* is not JSON.
    """
    blobs = Blobs(body)
    pieces: list[bytes] = []
    pos = 0
    for match in _RUN.finditer(body):
        if not _is_value(body, match.start(), match.end() - 1):
            continue
        pieces.append(body[pos:match.start(1)])
        pieces.append(json.dumps(blobs.add(match.start(1), match.end(1)))[1:-1].encode("ascii"))
        pos = match.end(1)
    if not pieces:
        return json.loads(body), blobs
    pieces.append(body[pos:])
    return json.loads(b"".join(pieces)), blobs
