"""Property-based tests (Hypothesis, ``ci`` profile: a fixed example budget) over the input
loader: whatever bytes, text or file-like input it gets, it returns a checked image or raises
:class:`~tryon.errors.InvalidInputError`, never anything else; real images round-trip with
their type and size, whichever form (bytes, base64, data URL, file object, path) carries them."""

from __future__ import annotations

import base64
import io
import tempfile
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st
from media_helpers import image_bytes

from tryon.errors import InvalidInputError
from tryon.media import load_image

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


class NoFetch:
    """A fetcher that refuses every URL (the loader must turn that into its own error)."""

    def __init__(self) -> None:
        self.calls = 0

    def fetch(self, url: str) -> tuple[bytes, str | None]:
        self.calls += 1
        raise InvalidInputError(f"not fetching {url[:40]!r} in a property test")


def loads_or_refuses(source: object) -> object:
    try:
        return load_image(source, fetcher=NoFetch())  # type: ignore[arg-type]
    except InvalidInputError:
        return None


images = st.builds(
    lambda fmt, w, h: (fmt, (w, h), image_bytes(fmt, (w, h), mode="RGB")),
    st.sampled_from(sorted(FORMATS)), st.integers(1, 48), st.integers(1, 48),
)


@given(st.binary(max_size=4096))
def test_any_bytes_load_or_are_refused_cleanly(data: bytes) -> None:
    loads_or_refuses(data)


@given(st.text(max_size=300))
def test_any_text_loads_or_is_refused_cleanly(text: str) -> None:
    loads_or_refuses(text)


@given(st.sampled_from(["data:image/png;base64,", "http://", "https://", "file://", "\\\\", "/", "~/", "C:\\"]),
       st.text(max_size=80))
def test_text_that_looks_like_a_url_path_or_data_url_is_handled(prefix: str, rest: str) -> None:
    loads_or_refuses(prefix + rest)


@given(images)
def test_real_images_round_trip_in_every_form(image: tuple[str, tuple[int, int], bytes]) -> None:
    fmt, size, data = image
    b64 = base64.b64encode(data).decode()
    forms: list[object] = [data, bytearray(data), memoryview(data), io.BytesIO(data), b64,
                           f"data:{FORMATS[fmt]};base64,{b64}"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"in.{fmt.lower()}"
        path.write_bytes(data)
        forms += [path, str(path)]
        for form in forms:
            loaded = load_image(form)  # type: ignore[arg-type]
            assert loaded.media_type == FORMATS[fmt]
            assert (loaded.width, loaded.height) == size
            assert loaded.data == data


@given(images, st.data())
def test_truncated_images_load_or_are_refused_cleanly(image: tuple[str, tuple[int, int], bytes],
                                                      data: st.DataObject) -> None:
    _, _, raw = image
    cut = data.draw(st.integers(0, len(raw) - 1))
    loads_or_refuses(raw[:cut])


@given(images, st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_corrupted_images_load_or_are_refused_cleanly(image: tuple[str, tuple[int, int], bytes],
                                                      flips: list[tuple[int, int]]) -> None:
    _, _, raw = image
    mutated = bytearray(raw)
    for where, value in flips:
        mutated[where % len(mutated)] = value
    assume(bytes(mutated) != raw)
    loads_or_refuses(bytes(mutated))


@given(st.binary(max_size=512), st.sampled_from(["rb", "r"]))
def test_file_objects_of_any_content_and_mode_load_or_are_refused(data: bytes, mode: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.bin"
        path.write_bytes(data)
        with path.open(mode) as handle:
            loads_or_refuses(handle)


def test_regression_a_tilde_user_that_does_not_exist_is_not_a_crash() -> None:
    # found by Hypothesis: Path("~0").expanduser() raises RuntimeError
    assert loads_or_refuses("~0") is None and loads_or_refuses("~nosuchuser/x.png") is None
