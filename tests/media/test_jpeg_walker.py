"""The one JPEG segment walker (tryon.media.jpeg) and the four places that read JPEG structure with it."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tryon.media.inputs import _jpeg_problem
from tryon.media.integrity import integrity_problem
from tryon.media.jpeg import SOS, JpegSegments, Stop, frame_size
from tryon.media.sniff import image_dimensions
from tryon.media.structure import scan_layout


def jpeg(size: tuple[int, int] = (64, 48), *, exif: bytes | None = None, comment: bool = False,
         progressive: bool = False) -> bytes:
    im = Image.new("RGB", size, (200, 40, 90))
    buf = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    im.save(buf, "JPEG", quality=80, progressive=progressive, **kwargs)
    data = buf.getvalue()
    if comment:  # a COM segment right after SOI
        data = data[:2] + b"\xff\xfe\x00\x07hello" + data[2:]
    return data


VARIANTS = {
    "baseline": jpeg(),
    "progressive": jpeg((80, 30), progressive=True),
    "exif": jpeg(exif=Image.Exif().tobytes()),
    "comment": jpeg(comment=True),
    "fill bytes": (lambda d: d[:2] + b"\xff\xff\xff" + d[2:])(jpeg()),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_reader_agrees_on_a_whole_jpeg(name: str) -> None:
    data = VARIANTS[name]
    walk = JpegSegments(data)
    segments = list(walk)
    assert walk.stop == Stop.SCAN and walk.frame and segments[-1].marker == SOS
    assert walk.scan_start == segments[-1].end
    with Image.open(io.BytesIO(data)) as im:
        size = im.size
    assert [frame_size(data, s) for s in segments if frame_size(data, s)] == [size]
    assert image_dimensions(data) == size
    assert _jpeg_problem(data) is None and integrity_problem(data, "image/jpeg") is None
    layout = scan_layout(data, "image/jpeg")  # the bomb scan reads the same frame
    assert layout is not None and (layout.width, layout.height) == size and layout.frames == 1


def test_every_truncation_is_a_problem_for_inputs_and_results() -> None:
    data = VARIANTS["exif"]
    scan = next(iter(s for s in JpegSegments(data) if s.marker == SOS)).end
    for cut in range(3, len(data) - 2):
        part = data[:cut]
        assert integrity_problem(part, "image/jpeg") is not None, cut
        if cut < scan:  # inside the headers: the input check sees it (after, only the missing EOI)
            assert _jpeg_problem(part) is not None, cut


@pytest.mark.parametrize(("data", "stop"), [
    (b"\xff\xd8\xff\xd9", Stop.EOI),
    (b"\xff\xd8", Stop.END),
    (b"\xff\xd8\xff\xe0\x00", Stop.TRUNCATED),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", Stop.TRUNCATED),
    (b"\xff\xd8\x00\xff\xd9", Stop.BROKEN),
    (b"\xff\xd8\xff\xe0\x00\x01", Stop.BROKEN),
])
def test_why_the_walk_stopped(data: bytes, stop: str) -> None:
    walk = JpegSegments(data)
    list(walk)
    assert walk.stop == stop


def test_stray_bytes_between_segments_are_skipped_only_when_asked() -> None:
    data = VARIANTS["baseline"]
    stray = data[:2] + b"\x00\x00" + data[2:]
    assert _jpeg_problem(stray) == "its marker structure is broken"  # an input is refused, as before
    assert integrity_problem(stray, "image/jpeg") is None  # a result libjpeg decodes is not rejected
    strict, lenient = JpegSegments(stray), JpegSegments(stray, skip_extraneous=True)
    assert list(strict) == [] and strict.stop == Stop.BROKEN
    assert list(lenient)[-1].marker == SOS and lenient.stop == Stop.SCAN
