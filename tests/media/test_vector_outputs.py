"""SVG results: recognised from their bytes, typed image/svg+xml, saved as .svg, never taken as inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tryon.errors import InvalidResponseError
from tryon.media.sniff import extension_for, format_name, sniff_media_type, sniff_output_type, svg_dimensions
from tryon.results import GeneratedImage

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1536px" height="1024"><g/></svg>'


@pytest.mark.parametrize(("data", "size"), [
    (SVG, (1536, 1024)),
    (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480"></svg>', (640, 480)),
    (b'\xef\xbb\xbf  <svg viewBox="0,0,10.4,20"/>', (10, 20)),
    (b'<svg width="50%" height="2in"></svg>', None),
])
def test_svg_is_recognised_with_its_size(data: bytes, size: tuple[int, int] | None) -> None:
    assert sniff_output_type(data) == "image/svg+xml"
    assert sniff_media_type(data) is None  # never an input type
    assert svg_dimensions(data) == size


def test_svg_result_is_typed_and_saved_as_svg(tmp_path: Path) -> None:
    image = GeneratedImage.from_bytes(SVG)
    assert (image.media_type, image.size, image.extension, image.format) == ("image/svg+xml", (1536, 1024),
                                                                            ".svg", "svg")
    assert image.save(tmp_path).name == "image.svg"  # no prompt: the rule's fallback name
    assert image.save(tmp_path / "logo.png").name == "logo.svg"
    assert extension_for("image/svg+xml") == ".svg" and format_name("image/svg+xml; charset=utf-8") == "svg"


def test_html_and_text_are_not_images() -> None:
    for data in (b"<html><body>svg</body></html>", b"just <svg text", b'{"svg": 1}'):
        assert sniff_output_type(data) is None
        with pytest.raises(InvalidResponseError):
            GeneratedImage.from_bytes(data)


def test_animated_gif_frame_count() -> None:
    import io

    from PIL import Image

    frames = [Image.new("RGB", (32, 32), (50 * i, 0, 255 - 50 * i)) for i in range(5)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100)
    image = GeneratedImage.from_bytes(buf.getvalue())
    assert (image.media_type, image.frame_count, image.extension) == ("image/gif", 5, ".gif")
