"""Class 8 of issue 11: inputs a user will pass get a clear tryon error before anything is
sent, never a raw error from deep inside Pillow, an SDK or the standard library."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from media_helpers import image_bytes

import tryon
from tryon.errors import InvalidInputError, InvalidOptionError, ValidationError
from tryon.testing.fake import FakeGenerator

NOWHERE = "http://127.0.0.1:9"
PROVIDER_MODELS = ["gpt-image-2.6-sunburst", "flux-2-pro", "gemini-3-pro-image"]
PNG = image_bytes("PNG", (64, 64))


def offline() -> tryon.Router:
    """Real plugins, keys set, pointing at a port nothing listens on: a request sent would fail
    with a ServiceUnavailableError, not a ValidationError."""
    return tryon.Router(settings={
        "openai": {"api_key": "sk-test-0123456789abcdef", "base_url": NOWHERE + "/v1", "max_retries": 0},
        "bfl": {"api_key": "bfl_test-0123456789abcdef", "base_url": NOWHERE, "max_retries": 0},
        "gemini": {"api_key": "AIza" + "x" * 30, "base_url": NOWHERE, "max_retries": 0},
    })


def fake() -> tuple[tryon.Router, FakeGenerator]:
    gen = FakeGenerator()
    router = tryon.Router(plugins=False)
    router.register(gen)
    return router, gen


# --------------------------------------------------------------------------- file objects


def _file_objects(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "in.png"
    path.write_bytes(PNG)
    closed = path.open("rb")
    closed.close()
    closed_bytesio = io.BytesIO(PNG)
    closed_bytesio.close()

    class Broken:
        name = "broken-stream"

        def read(self, n: int = -1) -> bytes:
            raise OSError("device not ready")

    class Numbers:
        def read(self, n: int = -1) -> int:
            return 7

    return {
        "closed-binary": closed,
        "closed-bytesio": closed_bytesio,
        "text-utf8": path.open("r", encoding="utf-8"),
        "text-latin1": path.open("r", encoding="latin-1"),
        "text-stringio": io.StringIO("not an image"),
        "write-only": path.open("ab"),
        "broken-read": Broken(),
        "read-returns-int": Numbers(),
    }


FILE_KINDS = ["closed-binary", "closed-bytesio", "text-utf8", "text-latin1", "text-stringio", "write-only",
              "broken-read", "read-returns-int"]


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("model", PROVIDER_MODELS)
def test_unusable_file_objects_are_clear_input_errors(kind: str, model: str, tmp_path: Path) -> None:
    objects = _file_objects(tmp_path)
    try:
        with pytest.raises(InvalidInputError):
            offline().edit(objects[kind], "x", model=model)
    finally:
        for obj in objects.values():
            close = getattr(obj, "close", None)
            if close:
                close()


HEIC = [b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00mif1heic" + b"\x00" * 64
        for brand in (b"heic", b"heix", b"hevc", b"mif1", b"heim")]


@pytest.mark.parametrize("data", HEIC, ids=["heic", "heix", "hevc", "mif1", "heim"])
def test_heic_without_a_reader_is_a_clear_error(data: bytes) -> None:
    router, gen = fake()
    with pytest.raises(InvalidInputError, match=r"HEI|cannot be read|unsupported|not an image"):
        router.edit(data, "x", model=gen.model_id)
    assert gen.requests == []


# --------------------------------------------------------------------------- prompts

SURROGATES = ["\ud800", "a \udfff b", "caf\udce9", "\ud83d", "ok\udc80"]


@pytest.mark.parametrize("text", SURROGATES)
@pytest.mark.parametrize("model", PROVIDER_MODELS)
@pytest.mark.parametrize("operation", ["generate", "edit", "estimate"])
def test_lone_surrogates_are_refused_for_every_provider(text: str, model: str, operation: str) -> None:
    router = offline()
    with pytest.raises(InvalidOptionError, match="lone surrogate"):
        if operation == "generate":
            router.generate(text, model=model)
        elif operation == "edit":
            router.edit(PNG, text, model=model)
        else:
            router.estimate(text, model=model)


def test_lone_surrogates_in_provider_options_are_refused() -> None:
    with pytest.raises(InvalidOptionError, match="lone surrogate"):
        offline().generate("x", model="flux-2-pro", negative_prompt="no \ud800")


# --------------------------------------------------------------------------- sizes

NORMALISED = ["1024 x 1024", " 1024X1024 ", "1024×1024", "1024*1024", "1024x1024", (1024, 1024), [1024, 1024],
              "01024x01024", "1024\tx\t1024"]


@pytest.mark.parametrize("size", NORMALISED, ids=repr)
def test_sizes_are_normalised_before_they_are_sent(size: Any) -> None:
    router, gen = fake()
    result = router.generate("x", model=gen.model_id, size=size)
    assert gen.requests[-1].size == "1024x1024" and result.images


REFUSED = [(1024.0, 1024), (1024.5, 1024.0), ("1024", "1024"), (None, 1024), (float("nan"), 1), (True, False),
           (1024, 1024, 3), (), 1024, 1024.0, b"1024x1024", "1024x", "x1024", "1024x1024x3",
           "\uff11\uff10\uff12\uff14x1024", "-1024x1024", "1e3x1e3", "1024 by 1024", "big", {"w": 1}, object()]


@pytest.mark.parametrize("size", REFUSED, ids=repr)
def test_malformed_sizes_are_refused_clearly(size: Any) -> None:
    router, gen = fake()
    with pytest.raises(InvalidOptionError, match="size=") as info:
        router.generate("x", model=gen.model_id, size=size)
    assert "Traceback" not in str(info.value) and gen.requests == []


@pytest.mark.parametrize("size", REFUSED[:8], ids=repr)
@pytest.mark.parametrize("model", PROVIDER_MODELS)
def test_malformed_sizes_are_refused_for_every_provider(size: Any, model: str) -> None:
    with pytest.raises(InvalidOptionError, match="size="):
        offline().generate("x", model=model, size=size)


# --------------------------------------------------------------------------- models

BAD_MODELS: list[Any] = [None, 5, 3.5, b"gpt-image-2.6-sunburst", [None], ["gpt-image-2.6-sunburst", None], {},
                         object(), True]


@pytest.mark.parametrize("model", BAD_MODELS, ids=repr)
@pytest.mark.parametrize("call", ["generate", "edit", "estimate", "explain", "stream", "info", "get"])
def test_a_model_that_is_not_a_name_is_a_clear_error(model: Any, call: str) -> None:
    router = offline()
    with pytest.raises(ValidationError, match="model"):
        if call == "generate":
            router.generate("x", model=model)
        elif call == "edit":
            router.edit(PNG, "x", model=model)
        elif call == "estimate":
            router.estimate("x", model=model)
        elif call == "explain":
            router.explain(model)
        elif call == "stream":
            list(router.stream("x", model=model))
        else:
            getattr(router, call)(model)


def test_the_module_level_api_refuses_model_none() -> None:
    with pytest.raises(InvalidOptionError, match="model must be a model name"):
        tryon.generate("x", model=None)  # type: ignore[arg-type]
