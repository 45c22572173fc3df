"""Drift guards against BFL's vendored OpenAPI document (plugins/tryon_flux/openapi/)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
import requests
from bfl_schema import openapi_violations
from PIL import Image
from tryon_flux import MODELS, generators
from tryon_flux.models import NOT_SUPPORTED

import tryon
from tryon.testing.bfl_emulator import MODEL_SCHEMAS, BFLEmulator, bfl_openapi, bfl_openapi_files
from tryon.testing.openapi import SchemaProblem
from tryon.testing.server import RecordedRequest, Response

KEY = "bfl-test-key"


def picture(size: tuple[int, int] = (320, 256)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(buf, "PNG")
    return buf.getvalue()


def mask(size: tuple[int, int] = (320, 256)) -> bytes:
    img = Image.new("RGBA", size, (0, 0, 0, 255))
    img.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator(pending_polls=1) as emulator:
        yield emulator


@pytest.fixture
def router(emu: BFLEmulator) -> tryon.Router:
    r = tryon.Router(plugins=False)
    for gen in generators(api_key=KEY, base_url=emu.url, poll_interval=0.001, max_poll_interval=0.01):
        r.register(gen)
    return r


def test_the_vendored_document_is_dated_and_documented() -> None:
    files = bfl_openapi_files()
    assert [f.name for f in files] == ["bfl-openapi-2026-04-23.json", "bfl-flux-tools-2026-12-01.json"]
    readme = (files[0].parent / "README.md").read_text()
    assert "tryAGI/BlackForestLabs" in readme and "2026-04-23" in readme
    assert json.loads(files[0].read_text())["info"]["title"] == "BFL API"


def test_every_endpoint_is_declared_or_listed_as_not_supported() -> None:
    declared = {flux.path(model) for model, flux in MODELS.items()}
    in_document = set(bfl_openapi().paths)
    assert declared <= in_document, f"declared but not in BFL's document: {sorted(declared - in_document)}"
    missing = in_document - declared - set(NOT_SUPPORTED)
    assert not missing, f"endpoints neither declared nor listed as not supported: {sorted(missing)}"
    assert not declared & set(NOT_SUPPORTED)
    stale = set(NOT_SUPPORTED) - in_document
    assert not stale, f"listed endpoints that BFL's document no longer has: {sorted(stale)}"


def test_the_emulator_serves_every_declared_model() -> None:
    assert {flux.path(model) for model, flux in MODELS.items()} <= {f"/v1/{m}" for m in MODEL_SCHEMAS}


def test_strict_validation_refuses_unknown_keys_the_document_leaves_open() -> None:
    doc = bfl_openapi()
    assert "additionalProperties" not in doc.document["components"]["schemas"]["Flux2Inputs"]
    doc.validate_request("/v1/flux-2-pro", {"prompt": "x", "width": 1024, "height": 768})
    for bad in ({"prompt": "x", "steps": 20}, {"prompt": "x", "safety_tolerance": 6}, {"width": 512},
                {"prompt": "x", "input_image_5": "a"}):
        with pytest.raises(SchemaProblem):
            doc.validate_request("/v1/flux-2-klein-4b", bad)


# every option of every model, sent by the plugin; the conftest guard validates each body and answer
CASES = [
    ("flux-2-pro", "generate", {"size": "1024x768", "seed": 3, "output_format": "png", "safety_tolerance": 1}),
    ("flux-2-max", "edit", {"size": "512x512", "output_format": "webp"}),
    ("flux-2-flex", "generate", {"steps": 20, "guidance": 4.5, "prompt_upsampling": False, "safety_tolerance": 5}),
    ("flux-2-klein-4b", "edit", {"seed": 1}),
    ("flux-2-klein-9b", "generate", {"size": "256x256"}),
    ("flux-kontext-pro", "generate", {"aspect_ratio": "7:4", "prompt_upsampling": True, "safety_tolerance": 6}),
    ("flux-kontext-max", "edit", {"size": "1000x700", "seed": 5}),
    ("flux-pro-1.0-fill", "edit", {"steps": 15, "guidance": 60, "prompt_upsampling": True, "mask": True}),
    ("flux-erase-v1", "edit", {"dilate_pixels": 12, "safety_tolerance": 1, "seed": 4, "mask": True,
                               "output_format": "png"}),
]


@pytest.mark.parametrize("model, operation, options", CASES, ids=[c[0] for c in CASES])
def test_every_request_and_answer_fits_the_document(
    router: tryon.Router, emu: BFLEmulator, model: str, operation: str, options: dict[str, object]
) -> None:
    options = dict(options)
    if operation == "generate":
        router.generate("a lighthouse", model=model, **options)
    else:
        extra = {"mask": mask()} if options.pop("mask", False) else {}
        single = model in ("flux-pro-1.0-fill", "flux-erase-v1")
        images = picture() if single else [picture(), picture((256, 320))]
        router.edit(images, "a lighthouse", model=model, **options, **extra)
    assert emu.submits and emu.polls
    sent = emu.submits[-1].params
    bfl_openapi().validate_request(MODELS[model].path(model), sent)
    assert openapi_violations(emu) == []


def test_error_answers_fit_the_document(emu: BFLEmulator) -> None:
    headers = {"x-key": "k"}
    bad = requests.post(f"{emu.url}/v1/flux-2-pro", json={"prompt": "x", "steps": 3}, headers=headers, timeout=10)
    assert bad.status_code == 422
    bfl_openapi().validate_response("/v1/flux-2-pro", 422, bad.json())
    lost = requests.get(f"{emu.url}/v1/get_result", params={"id": "nope"}, headers=headers, timeout=10)
    bfl_openapi().validate_response("/v1/get_result", 200, lost.json(), method="get")
    emu.moderate_next()
    emu.fail_task_next()
    for _ in range(2):
        task = requests.post(f"{emu.url}/v1/flux-2-pro", json={"prompt": "x"}, headers=headers, timeout=10).json()
        for _ in range(3):
            answer = requests.get(task["polling_url"], headers=headers, timeout=10).json()
            bfl_openapi().validate_response("/v1/get_result", 200, answer, method="get")
    assert openapi_violations(emu) == []


def test_the_guard_catches_a_body_and_an_answer_off_the_document() -> None:
    emu = BFLEmulator()
    request = RecordedRequest(method="POST", path="/v1/flux-2-pro", query={}, headers={"user-agent": "tryon/0"},
                              params={"prompt": "x", "aspect_ratio": "1:1"}, files={},
                              content_type="application/json", body_size=0, timestamp=0.0, request_id="r")
    emu.answers.append((request, Response.json({"id": "t"})))  # polling_url missing
    found = openapi_violations(emu)
    assert len(found) == 2 and "aspect_ratio" in found[0] and "200 answer" in found[1]


def test_the_emulator_refuses_what_the_document_refuses(emu: BFLEmulator) -> None:
    # webhook_url is in the emulator's own table, but the document wants a URI of at least 1 character
    answer = requests.post(f"{emu.url}/v1/flux-2-pro", json={"prompt": "x", "webhook_url": ""},
                           headers={"x-key": "k"}, timeout=10)
    assert answer.status_code == 422 and answer.json()["detail"][0]["type"] == "openapi"
