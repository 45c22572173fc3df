"""The one walker over a JPEG's marker segments, shared by sniffing, input checks, the image-bomb
scan and the result check (:mod:`.sniff`, :mod:`.inputs`, :mod:`.structure`, :mod:`.integrity`).

A JPEG is the start-of-image marker, then header segments (``FF xx`` and a big-endian length
that counts itself), then the start-of-scan segment after which entropy-coded data runs to the
end-of-image marker. :class:`JpegSegments` yields each header segment up to and including the
start of scan, and records why it stopped (:attr:`JpegSegments.stop`) so each caller states the
problem in its own words. Pure Python on the bytes: nothing is decoded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["SOF_MARKERS", "STANDALONE_MARKERS", "JpegSegments", "Segment", "Stop", "frame_size"]

#: Start-of-frame markers (every coding process; not DHT 0xC4, JPG 0xC8 or DAC 0xCC).
SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
#: Markers without a length: TEM, RST0-7 and a repeated SOI.
STANDALONE_MARKERS = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})
SOS, EOI, COM = 0xDA, 0xD9, 0xFE


class Stop:
    """Why a walk ended (:attr:`JpegSegments.stop`)."""

    SCAN = "scan"  #: the start-of-scan segment was read: entropy-coded data follows
    EOI = "eoi"  #: the end-of-image marker came before any scan
    END = "end"  #: the data ran out between segments
    TRUNCATED = "truncated"  #: the data ran out inside a segment (the last one yielded is partial)
    BROKEN = "broken"  #: a byte other than 0xFF where a marker must start, or a length below 2


class Segment(NamedTuple):
    """One header segment: its marker and where its body (after the length) starts and ends."""

    marker: int
    start: int
    end: int


class JpegSegments:
    """The header segments of the JPEG *data*, from offset *start* (just after SOI).

    ``skip_extraneous=True`` skips bytes that are not a marker until the next ``0xFF`` (as
    libjpeg does, with a warning), instead of stopping with :attr:`Stop.BROKEN`.
    """

    def __init__(self, data: bytes | memoryview, start: int = 2, *, skip_extraneous: bool = False) -> None:
        self._data = data
        self._start = start
        self._skip = skip_extraneous
        self.stop: str = ""
        self.scan_start: int | None = None  #: where the entropy-coded data starts (after SOS)
        self.frame = False  #: a start-of-frame segment was seen

    def __iter__(self) -> Iterator[Segment]:
        data, pos, end = self._data, self._start, len(self._data)
        while True:
            if pos >= end:
                self.stop = Stop.END
                return
            if data[pos] != 0xFF:
                if not self._skip:
                    self.stop = Stop.BROKEN
                    return
                while pos < end and data[pos] != 0xFF:
                    pos += 1
                continue
            while pos < end and data[pos] == 0xFF:  # fill bytes before a marker
                pos += 1
            if pos >= end:
                self.stop = Stop.END
                return
            marker = data[pos]
            pos += 1
            if marker in STANDALONE_MARKERS:
                continue
            if marker == EOI:
                self.stop = Stop.EOI
                return
            if pos + 2 > end:
                self.stop = Stop.TRUNCATED
                return
            length = (data[pos] << 8) | data[pos + 1]
            if length < 2:
                self.stop = Stop.BROKEN
                return
            body_end = pos + length
            self.frame = self.frame or marker in SOF_MARKERS
            if body_end > end:
                self.stop = Stop.TRUNCATED
                yield Segment(marker, pos + 2, end)
                return
            yield Segment(marker, pos + 2, body_end)
            pos = body_end
            if marker == SOS:
                self.stop = Stop.SCAN
                self.scan_start = pos
                return


def frame_size(data: bytes | memoryview, segment: Segment) -> tuple[int, int] | None:
    """``(width, height)`` from a start-of-frame *segment*; ``None`` when cut short or the height is
    0 (defined later by a DNL segment)."""
    if segment.marker not in SOF_MARKERS or segment.end - segment.start < 5:
        return None
    s = segment.start
    height = (data[s + 1] << 8) | data[s + 2]
    width = (data[s + 3] << 8) | data[s + 4]
    return (width, height) if height else None
