"""The seed's GPTImageAdapter documentation, run as written against the OpenAI emulator.

Each ``test_doc_*`` body is a Python example of the seed's ``gpt-image.md`` copied verbatim
(only re-indented), run in a directory holding the files it names; the assertions check
what reached the emulator and what was written.
"""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

import tryon
from tryon.testing.openai_emulator import OpenAIEmulator
from tryon.testing.server import RecordedFile, RecordedRequest, Response

MASK_BOX = (64, 64, 191, 191)  # the black (edit) square of mask.png, inclusive


def _write_image(path: Path, size: tuple[int, int], colour: tuple[int, int, int], fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, fmt)


@pytest.fixture
def seed_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with every input file the seed's examples name."""
    _write_image(tmp_path / "person.jpg", (640, 480), (180, 120, 90), "JPEG")
    _write_image(tmp_path / "scene.png", (512, 512), (40, 160, 60), "PNG")
    for i, colour in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)], start=1):
        _write_image(tmp_path / f"reference{i}.jpg", (600, 400), colour, "JPEG")
    _write_image(tmp_path / "data" / "image.png", (512, 512), (90, 90, 200), "PNG")
    mask = Image.new("L", (512, 512), 255)  # grayscale, as the seed allows: white = keep
    ImageDraw.Draw(mask).rectangle(MASK_BOX, fill=0)  # black = edit
    mask.save(tmp_path / "mask.png", "PNG")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sent_images(request: RecordedRequest) -> list[RecordedFile]:
    return request.files.get("image") or request.files.get("image[]") or []


def png_size(path: str | Path) -> tuple[int, int]:
    with Image.open(path) as im:
        return im.size


def has_transparency(path: str | Path) -> bool:
    with Image.open(path) as im:
        return im.mode == "RGBA" and im.getchannel("A").getextrema()[0] == 0


# --------------------------------------------------------------------------- the documented examples


def test_doc_initialization(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter
    # Using GPT-Image-1.5 (default - recommended)
    adapter = GPTImageAdapter()
    assert adapter.model_version == "gpt-image-2.6-sunburst"
    # Explicitly specify GPT-Image-1.5
    adapter = GPTImageAdapter(model_version="gpt-image-2.6-sunburst")
    # Use GPT-Image-1 (previous version)
    adapter = GPTImageAdapter(model_version="gpt-image-1")
    assert adapter.model_version == "gpt-image-1"
    # With explicit API key
    adapter = GPTImageAdapter(api_key="your_api_key", model_version="gpt-image-2.6-sunburst")

    assert openai_emulator.requests == []  # constructing sends nothing
    adapter.generate_text_to_image("a test")
    assert openai_emulator.last_request.header("authorization") == "Bearer [REDACTED]"


def test_seed_gpt_image_1_is_refused_before_sending_against_openai(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter(model_version="gpt-image-1")  # still constructible, as the seed documents
    with pytest.raises(tryon.ModelRetiredError, match="shut down on 2026-10-23"):
        adapter.generate_text_to_image("a test")
    assert openai_emulator.requests == []


def test_seed_gpt_image_1_keeps_working_against_a_deployment_that_serves_it(
        seed_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed's code, unchanged, against an OpenAI-compatible endpoint that still serves gpt-image-1:
    OPENAI_BASE_URL points at it and TRYON_SERVES_RETIRED says it serves the retired model."""
    import warnings

    from tryon.testing.openai_emulator import OpenAIEmulator

    with OpenAIEmulator(retired_models_served=True) as endpoint:
        monkeypatch.setenv("OPENAI_BASE_URL", endpoint.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "compatible-endpoint-key")
        monkeypatch.setenv("TRYON_SERVES_RETIRED", "gpt-image-1")
        from tryon.api.openAI.image_adapter import GPTImageAdapter
        adapter = GPTImageAdapter(model_version="gpt-image-1")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            images = adapter.generate_text_to_image("A female model in a traditional green saree")
        assert images[0].startswith(b"\x89PNG")
        assert endpoint.last_request.params["model"] == "gpt-image-1"


def test_seed_adapter_takes_serves_retired_for_such_a_deployment(seed_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from tryon.testing.openai_emulator import OpenAIEmulator

    with OpenAIEmulator(retired_models_served=True) as endpoint:
        monkeypatch.setenv("OPENAI_BASE_URL", endpoint.base_url)
        from tryon.api.openAI.image_adapter import GPTImageAdapter
        adapter = GPTImageAdapter(api_key="compatible-endpoint-key", model_version="gpt-image-1",
                                  serves_retired=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert adapter.generate_text_to_image("a test")[0].startswith(b"\x89PNG")
        assert endpoint.last_request.params["model"] == "gpt-image-1"


def test_doc_text_to_image(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter
    adapter = GPTImageAdapter()

    images = adapter.generate_text_to_image(
        prompt="A female model in a traditional green saree",
        size="1024x1024",
        quality="high",
        background="opaque",
        n=1
    )
    # Save results
    for idx, image_bytes in enumerate(images):
        with open(f"result_{idx}.png", "wb") as f:
            f.write(image_bytes)

    params = openai_emulator.last_request.params
    assert params["model"] == "gpt-image-2.6-sunburst"
    assert (params["size"], params["quality"], params["background"]) == ("1024x1024", "high", "opaque")
    assert params.get("n", 1) == 1
    assert isinstance(images, list) and all(isinstance(i, bytes) for i in images)
    assert png_size("result_0.png") == (1024, 1024)


def test_doc_image_edit(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter
    adapter = GPTImageAdapter()

    images = adapter.generate_image_edit(
        images="person.jpg", # Can be a single path or list of paths
        prompt="Make the hat red and stylish",
        size="1024x1024",
        quality="high",
        input_fidelity="low",
        n=1
    )
    # Save results
    for idx, image_bytes in enumerate(images):
        with open(f"edited_{idx}.png", "wb") as f:
            f.write(image_bytes)

    request = openai_emulator.last_request
    assert request.path.endswith("/images/edits")
    assert "input_fidelity" not in request.params  # the default model has no such parameter
    assert (request.params["size"], request.params["quality"]) == ("1024x1024", "high")
    (sent,) = sent_images(request)
    assert sent.data == (seed_dir / "person.jpg").read_bytes()  # a JPEG is sent as it is
    assert png_size("edited_0.png") == (1024, 1024)


def test_doc_mask_editing(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter
    adapter = GPTImageAdapter()

    images = adapter.generate_image_edit(
        images="scene.png",
        mask="mask.png", # Black regions will be edited
        prompt="Replace the masked area with a swimming pool",
        size="1024x1024",
        quality="high"
    )

    request = openai_emulator.last_request
    mask = request.files["mask"][0].image()
    assert mask.mode == "RGBA" and mask.size == (512, 512)
    alpha = mask.getchannel("A")
    assert alpha.getpixel((100, 100)) == 0  # black in the user's mask: transparent = edit
    assert alpha.getpixel((10, 10)) == 255  # white: opaque = keep
    assert alpha.getpixel((MASK_BOX[2] + 1, MASK_BOX[3] + 1)) == 255
    assert len(images) == 1


def test_doc_multi_image_conditioning(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter
    adapter = GPTImageAdapter()

    with pytest.warns(UserWarning, match="input_fidelity='high' was left out"):
        images = adapter.generate_image_edit(
            images=["reference1.jpg", "reference2.jpg", "reference3.jpg"],
            prompt="Create a fashion image combining elements from all reference images",
            size="1536x1024",
            quality="high",
            input_fidelity="high"
        )

    request = openai_emulator.last_request
    assert [f.data for f in sent_images(request)] == [
        (seed_dir / f"reference{i}.jpg").read_bytes() for i in (1, 2, 3)]
    # gpt-image-2.6-sunburst takes no input_fidelity (the SDK: omit it): left out, with the warning
    assert request.params["size"] == "1536x1024" and "input_fidelity" not in request.params
    with Image.open(io.BytesIO(images[0])) as im:
        assert im.size == (1536, 1024)


def test_doc_error_handling(seed_dir: Path, openai_emulator: Any, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    def example() -> None:
        from tryon.api.openAI.image_adapter import GPTImageAdapter

        try:
            adapter = GPTImageAdapter()
            images = adapter.generate_text_to_image("A fashion model showcasing seasonal clothing")
        except ValueError as e:
            # Validation errors (missing API key, invalid parameters, etc.)
            print(f"Validation error: {e}")
        except ImportError as e:
            # Missing dependencies
            print(f"Import error: {e}. Install openai: pip install openai")
        except Exception as e:
            # API errors, network errors, etc.
            print(f"API error: {e}")
        else:
            print(f"ok: {len(images)}")

    example()
    assert capsys.readouterr().out == "ok: 1\n"

    openai_emulator.fail_next(400, message="The request was malformed.")
    example()
    out = capsys.readouterr().out
    assert out.startswith("API error: openai/gpt-image-2.6-sunburst: The request was malformed.")

    monkeypatch.delenv("OPENAI_API_KEY")
    example()
    out = capsys.readouterr().out
    assert out.startswith("Validation error: no API key for openai: set the OPENAI_API_KEY")

    monkeypatch.setitem(sys.modules, "openai", None)  # the SDK is not installed
    example()
    assert "Import error: GPTImageAdapter needs the openai package: pip install 'tryon[openai]'" in (
        capsys.readouterr().out)


def test_doc_complete_workflow(seed_dir: Path, openai_emulator: Any,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter  # noqa: I001 (verbatim)
    import os

    adapter = GPTImageAdapter()

    # Text-to-image generation
    images = adapter.generate_text_to_image(
        prompt="A person wearing a leather jacket with sunglasses",
        size="1024x1024",
        quality="high",
        n=1
    )

    # Save text-to-image result
    os.makedirs("outputs", exist_ok=True)
    with open("outputs/text_to_image.png", "wb") as f:
        f.write(images[0])

    # Image editing
    edited_images = adapter.generate_image_edit(
        images="data/image.png",
        prompt="Make the hat red and stylish",
        size="1024x1024",
        quality="high",
        n=1
    )

    # Save edited result
    with open("outputs/edited_image.png", "wb") as f:
        f.write(edited_images[0])

    print(f"Saved {len(images) + len(edited_images)} images.")

    assert capsys.readouterr().out == "Saved 2 images.\n"
    assert [r.path.rsplit("/", 1)[-1] for r in openai_emulator.requests] == ["generations", "edits"]
    assert sent_images(openai_emulator.last_request)[0].data == (seed_dir / "data/image.png").read_bytes()
    assert png_size("outputs/text_to_image.png") == png_size("outputs/edited_image.png") == (1024, 1024)


def test_doc_fashion_catalog(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter()

    # Generate multiple fashion images
    prompts = [
        "A model wearing a summer dress in a garden setting",
        "A model in formal business attire in an office",
        "A model in casual streetwear in an urban environment"
    ]

    for idx, prompt in enumerate(prompts):
        images = adapter.generate_text_to_image(
            prompt=prompt,
            size="1536x1024",
            quality="high",
            background="transparent"
        )
        with open(f"catalog_{idx}.png", "wb") as f:
            f.write(images[0])

    assert [r.params["prompt"] for r in openai_emulator.requests] == prompts
    assert {r.params["background"] for r in openai_emulator.requests} == {"transparent"}
    for idx in range(3):
        assert png_size(f"catalog_{idx}.png") == (1536, 1024)
        assert has_transparency(f"catalog_{idx}.png")


def test_doc_iterative_refinement(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter()

    # Initial generation
    images = adapter.generate_text_to_image(
        "A fashion model wearing casual street style",
        size="1024x1024",
        quality="high"
    )

    # Save initial result
    with open("initial.png", "wb") as f:
        f.write(images[0])

    # Refine with editing
    with pytest.warns(UserWarning, match="input_fidelity='high' was left out"):
        refined_images = adapter.generate_image_edit(
            images="initial.png",
            prompt="Change to formal evening wear with elegant accessories",
            size="1024x1024",
            quality="high",
            input_fidelity="high"
        )

    # Save refined result
    with open("refined.png", "wb") as f:
        f.write(refined_images[0])

    request = openai_emulator.last_request
    assert "input_fidelity" not in request.params
    assert sent_images(request)[0].data == (seed_dir / "initial.png").read_bytes()
    assert (seed_dir / "refined.png").read_bytes() != (seed_dir / "initial.png").read_bytes()


def test_doc_product_image(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter()

    # Generate product image with transparent background
    images = adapter.generate_text_to_image(
        prompt="A stylish leather handbag with gold hardware, studio lighting",
        size="1024x1024",
        quality="high",
        background="transparent"
    )

    # Save as PNG with transparency
    with open("product.png", "wb") as f:
        f.write(images[0])

    assert openai_emulator.last_request.params["background"] == "transparent"
    assert has_transparency("product.png")


# --------------------------------------------------------------------------- imports and construction


def test_both_import_paths_give_the_same_class() -> None:
    from tryon.api.openAI import GPTImageAdapter as from_package
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    assert from_package is GPTImageAdapter
    assert tryon.api.GPTImageAdapter is GPTImageAdapter  # type: ignore[attr-defined]


def test_importing_the_seed_packages_does_not_import_openai() -> None:
    code = ("import sys, tryon.api, tryon.api.openAI; "
            "assert 'openai' not in sys.modules and 'PIL' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_key_is_a_value_error_at_construction(openai_emulator: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(tryon.MissingCredentialsError, match="OPENAI_API_KEY") as info:
        GPTImageAdapter()
    assert isinstance(info.value, ValueError)
    assert openai_emulator.requests == []


def test_unknown_model_version_lists_the_valid_ones(openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    with pytest.raises(ValueError, match="model_version='gpt-image-9' is not a GPT image model") as info:
        GPTImageAdapter(model_version="gpt-image-9")
    listed = str(info.value).split("valid model versions: ", 1)[1].split(", ")
    assert {"gpt-image-1", "gpt-image-2.6-sunburst", "gpt-image-2"} <= set(listed)
    assert listed == [m.model for m in tryon.Router().models(provider="openai")]


def test_missing_openai_package_is_an_import_error_with_the_install_hint(
        openai_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ImportError, match=r"pip install 'tryon\[openai\]'"):
        GPTImageAdapter()


def test_the_key_never_shows_in_repr(openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    key = "sk-test-0123456789abcdefghij"
    adapter = GPTImageAdapter(api_key=key)
    assert key not in repr(adapter)
    assert key not in repr(vars(adapter)) and key not in repr(adapter._router._settings)
    adapter.generate_text_to_image("a fox")  # the key is used...
    openai_emulator.fail_next(401)
    with pytest.raises(tryon.AuthenticationError) as info:
        adapter.generate_text_to_image("a fox")
    assert key not in str(info.value)  # ...and never shown


# --------------------------------------------------------------------------- validation before any request


@pytest.mark.parametrize(("method", "kwargs", "option"), [
    ("generate_text_to_image", {"size": "999x999"}, "size"),
    ("generate_text_to_image", {"size": "2048x2048"}, "size"),
    ("generate_text_to_image", {"quality": "ultra"}, "quality"),
    ("generate_text_to_image", {"background": "neon"}, "background"),
    ("generate_text_to_image", {"n": 0}, "n"),
    ("generate_text_to_image", {"n": 11}, "n"),
    ("generate_text_to_image", {"n": 2.0}, "n"),
    ("generate_image_edit", {"images": "person.jpg", "input_fidelity": "medium"}, "input_fidelity"),
    ("generate_image_edit", {"images": "person.jpg", "n": 11}, "n"),
    ("generate_image_edit", {"images": ["person.jpg"] * 17}, "images"),
    ("generate_image_edit", {"images": []}, "images"),
    ("generate_image_edit", {"images": "nothere.jpg"}, None),
])
def test_invalid_values_raise_value_error_before_any_request(
        seed_dir: Path, openai_emulator: Any, method: str, kwargs: dict[str, Any],
        option: str | None) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter()
    with pytest.raises(ValueError) as info:
        getattr(adapter, method)(prompt="a test", **kwargs)
    if option is not None:
        assert option in info.value.options  # type: ignore[attr-defined]
    assert openai_emulator.requests == []


def test_the_service_limits_apply_where_the_seed_was_stricter(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    GPTImageAdapter().generate_image_edit(["person.jpg"] * 16, "sixteen inputs, as the service allows")
    assert len(sent_images(openai_emulator.last_request)) == 16
    images = GPTImageAdapter(model_version="gpt-image-2").generate_text_to_image("wide", size="2048x1152")
    with Image.open(io.BytesIO(images[0])) as im:
        assert im.size == (2048, 1152)


def test_default_input_fidelity_is_left_out_on_models_without_fidelity_control(
        seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    adapter = GPTImageAdapter(model_version="gpt-image-2")
    adapter.generate_image_edit("person.jpg", "the default input_fidelity='low'")
    assert "input_fidelity" not in openai_emulator.last_request.params
    with pytest.warns(UserWarning, match="gpt-image-2 has no input_fidelity parameter"):
        adapter.generate_image_edit("person.jpg", "explicit high", input_fidelity="high")
    assert "input_fidelity" not in openai_emulator.last_request.params
    with pytest.raises(ValueError, match="input_fidelity='medium' is not 'low' or 'high'"):
        adapter.generate_image_edit("person.jpg", "not a value", input_fidelity="medium")
    assert len(openai_emulator.requests) == 2


def test_the_seeds_default_model_is_retired_and_its_successor_is_the_default(
        seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import DEFAULT_MODEL_VERSION, GPTImageAdapter

    assert DEFAULT_MODEL_VERSION == GPTImageAdapter().model_version == "gpt-image-2.6-sunburst" == tryon.DEFAULT_MODEL
    old = GPTImageAdapter(model_version="gpt-image-1.5")  # still constructible, as the seed documents
    with pytest.raises(tryon.ModelRetiredError, match=r"gpt-image-2\.6-sunburst or gpt-image-2\.6-flare"):
        old.generate_text_to_image("a coat")
    assert openai_emulator.requests == []  # nothing sent


@pytest.mark.filterwarnings("ignore::tryon.RetiredModelWarning")  # opted in: expected
def test_the_seeds_gpt_image_1_5_with_high_fidelity_where_it_is_still_served(
        seed_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    with OpenAIEmulator(retired_models_served=True) as endpoint:  # Azure until its own date, a proxy
        monkeypatch.setenv("OPENAI_BASE_URL", endpoint.base_url)
        adapter = GPTImageAdapter(api_key="compatible-endpoint-key", model_version="gpt-image-1.5",
                                  serves_retired=True)
        adapter.generate_image_edit(["reference1.jpg", "reference2.jpg"], "combine", input_fidelity="high")
        assert endpoint.last_request.params["model"] == "gpt-image-1.5"
        assert endpoint.last_request.params["input_fidelity"] == "high"


def test_n_up_to_ten_is_one_call(openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    images = GPTImageAdapter().generate_text_to_image("ten", quality="low", n=10)
    assert len(images) == 10 and len(set(images)) == 10
    assert [r.params["n"] for r in openai_emulator.requests] == [10]


# --------------------------------------------------------------------------- inputs the core accepts


def test_inputs_may_be_urls_base64_and_bytes(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter
    from tryon.media.fetch import configure_fetcher, default_fetcher

    person = (seed_dir / "person.jpg").read_bytes()
    openai_emulator.route("GET", "/files/person.jpg",
                          lambda _request: Response(body=person, content_type="image/jpeg"), api=False)
    scene = (seed_dir / "scene.png").read_bytes()
    previous = default_fetcher()
    configure_fetcher(allow_private=True)  # the emulator serving the URL is on 127.0.0.1
    try:
        GPTImageAdapter().generate_image_edit(
            [f"{openai_emulator.url}/files/person.jpg", base64.b64encode(scene).decode(), person],
            "three kinds")
    finally:
        configure_fetcher(previous)
    assert [f.data for f in sent_images(openai_emulator.last_request)] == [person, scene, person]


def test_private_urls_are_refused_by_default(seed_dir: Path, openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    with pytest.raises(tryon.UnsafeURLError):
        GPTImageAdapter().generate_image_edit("http://127.0.0.1:9/secret.png", "ssrf")
    assert openai_emulator.requests == []


def test_provider_errors_are_typed_and_not_value_errors(openai_emulator: Any) -> None:
    from tryon.api.openAI.image_adapter import GPTImageAdapter

    openai_emulator.moderate_next()
    with pytest.raises(tryon.ContentPolicyError) as info:
        GPTImageAdapter().generate_text_to_image("something the safety system refuses")
    assert not isinstance(info.value, ValueError)
