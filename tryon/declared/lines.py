"""Where each field of a models file is written: ``(entry, field path) -> line number``.

:mod:`tomllib` reads TOML without positions, so errors could not name a line. This scan reads
the same text line by line and records, for every ``[[models]]`` entry, the line of its header
and of each key (in sub-tables such as ``[models.sizes]``, dotted keys and inline tables' keys
included as the line of the key that holds them). It is deliberately simple: it only has to
point a person at the right line, the values themselves come from :mod:`tomllib`.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["LineMap", "scan"]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")
_WORD = r"(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-*]+)"
_KEY = re.compile(rf"^\s*({_WORD}(?:\s*\.\s*{_WORD})*)\s*=")
_PART = re.compile(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-*]+)")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(next(g for g in m.groups() if g is not None) for m in _PART.finditer(dotted))


@attrs.frozen
class LineMap:
    """Line numbers of the entries of one array of tables (``models``) and of their fields."""

    entries: tuple[int, ...]
    """The line of each entry's ``[[models]]`` header, in order."""
    fields: dict[tuple[int, tuple[str, ...]], int] = attrs.field(eq=False)

    def line(self, index: int, path: tuple[str, ...] = ()) -> int | None:
        """The line of *path* in entry *index* (its longest written prefix), else the entry's header."""
        for cut in range(len(path), 0, -1):
            found = self.fields.get((index, path[:cut]))
            if found is not None:
                return found
        return self.entries[index] if 0 <= index < len(self.entries) else None


def scan(text: str, table: str = "models") -> LineMap:
    """The :class:`LineMap` of the ``[[table]]`` entries of *text*."""
    entries: list[int] = []
    fields: dict[tuple[int, tuple[str, ...]], int] = {}
    index, prefix = -1, ()  # type: tuple[int, tuple[str, ...]]
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            path = _parts(header.group(2))
            if path == (table,) and header.group(1) == "[[":
                entries.append(number)
                index, prefix, inside = len(entries) - 1, (), True
            elif path[:1] == (table,) and index >= 0:
                prefix, inside = path[1:], True
                key = (index, prefix)
                fields.setdefault(key, number)
                # an array of tables under an entry ([[models.rules]]): number each element
                if header.group(1) == "[[":
                    count = sum(1 for (i, p) in fields if i == index and p[:len(prefix)] == prefix
                                and len(p) == len(prefix) + 1 and p[-1].isdigit())
                    prefix = (*prefix, str(count))
                    fields.setdefault((index, prefix), number)
            else:
                inside = False
            continue
        if not inside:
            continue
        key_match = _KEY.match(line)
        if key_match:
            fields.setdefault((index, (*prefix, *_parts(key_match.group(1)))), number)
    return LineMap(tuple(entries), fields)
