"""Drift guard: every fal declaration against the endpoint schemas fal publishes (the vendored document).

Each field the translator can send exists in the endpoint's schema; what the schema requires is
always sent; counts, formats, ratios and every provider option's values and ranges match the
schema's enums and bounds (the option classes accept the schema's edge values and refuse just
beyond them)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from tryon_fal import MODELS
from tryon_fal.endpoints import Endpoint, FalModel
from tryon_fal.schemas import document, input_schema

from tryon.capabilities import Operation

CASES = [(m, e) for m in MODELS.values() for e in m.endpoints()]
IDS = [e.path for _, e in CASES]


def _branches(spec: dict[str, Any]) -> list[dict[str, Any]]:
    defs = document()["$defs"]
    out = []
    for branch in [spec, *spec.get("anyOf", ())]:
        while "$ref" in branch:
            branch = defs[branch["$ref"].rsplit("/", 1)[-1]]
        out.append(branch)
    return out


def _enum(spec: dict[str, Any]) -> list[Any] | None:
    return next((b["enum"] for b in _branches(spec) if "enum" in b), None)


def _sent_fields(model: FalModel, endpoint: Endpoint) -> set[str]:
    fields = {endpoint.images, endpoint.mask, endpoint.person, endpoint.garment, endpoint.category, endpoint.mode,
              endpoint.photo_type, endpoint.moderation, endpoint.n, endpoint.seed, endpoint.output_format,
              endpoint.size, *endpoint.fixed}
    if endpoint.person is None:
        fields.add("prompt")
    fields |= set(model.capabilities.option_names()) if endpoint.options is None else set(endpoint.options)
    return {f for f in fields if f is not None}


@pytest.mark.parametrize("model, endpoint", CASES, ids=IDS)
def test_every_field_the_translator_sends_is_in_the_schema(model: FalModel, endpoint: Endpoint) -> None:
    props = input_schema(endpoint.path)["properties"]
    assert _sent_fields(model, endpoint) - set(props) == set()


@pytest.mark.parametrize("model, endpoint", CASES, ids=IDS)
def test_what_the_schema_requires_is_always_sent(model: FalModel, endpoint: Endpoint) -> None:
    required = set(input_schema(endpoint.path).get("required", ()))
    always = {"prompt"} if endpoint.person is None else set()
    always |= {f for f in (endpoint.images, endpoint.person, endpoint.garment) if f}
    if endpoint.mask:
        assert model.capabilities.mask_required, "a required mask must be declared mask_required"
        always.add(endpoint.mask)
    assert required <= always


@pytest.mark.parametrize("model, endpoint", CASES, ids=IDS)
def test_counts_formats_and_ratios_match_the_schema(model: FalModel, endpoint: Endpoint) -> None:
    props, caps = input_schema(endpoint.path)["properties"], model.capabilities
    if endpoint.n is not None:
        assert caps.max_images_per_call == props[endpoint.n]["maximum"]
    else:
        assert caps.max_images_per_call == 1
    if endpoint.output_format is not None:
        assert caps.output_formats == set(_enum(props[endpoint.output_format]) or ())
    if endpoint.size == "aspect_ratio":
        assert set(caps.aspect_ratios) == set(_enum(props["aspect_ratio"]) or ())
    if endpoint.seed is not None:
        assert caps.seed
    if endpoint.images is not None and endpoint.single_image:
        assert caps.max_input_images == 1 or Operation.TRY_ON in caps.operations
    if endpoint.category is not None and caps.try_on is not None:
        words = set(caps.try_on.categories.values()) | {caps.try_on.auto_category_word}
        assert words == set(_enum(props[endpoint.category]) or ())
    if endpoint.mode is not None and caps.try_on is not None:
        assert set(caps.try_on.modes.values()) == set(_enum(props[endpoint.mode]) or ())
    if endpoint.moderation is not None:
        assert caps.moderation == set(_enum(props[endpoint.moderation]) or ())


def _option_cases() -> list[tuple[FalModel, Endpoint, str, dict[str, Any]]]:
    out = []
    for model, endpoint in CASES:
        props = input_schema(endpoint.path)["properties"]
        names = model.capabilities.option_names() if endpoint.options is None else tuple(endpoint.options)
        out += [(model, endpoint, name, props[name]) for name in names]
    return out


OPTIONS = _option_cases()


@pytest.mark.parametrize("model, endpoint, name, spec", OPTIONS, ids=[f"{e.path}:{n}" for _, e, n, _ in OPTIONS])
def test_provider_options_take_exactly_the_schemas_values(model: FalModel, endpoint: Endpoint, name: str,
                                                          spec: dict[str, Any]) -> None:
    cls = model.capabilities.provider_options
    assert cls is not None

    def ok(value: Any) -> bool:
        try:
            cls(**{name: value})
        except (TypeError, ValueError):
            return False
        return True

    enum = _enum(spec)
    kinds = {b.get("type") for b in _branches(spec)}
    if enum is not None:
        assert all(ok(v) for v in enum), name
        assert not ok("not-" + str(enum[0]))
    elif kinds & {"integer", "number"}:
        number = next(b for b in _branches(spec) if b.get("type") in ("integer", "number"))
        low, high = number.get("minimum"), number.get("maximum")
        step = 1 if number["type"] == "integer" else 0.01
        if low is not None:
            assert ok(low) and not ok(low - step)
        if high is not None:
            assert ok(high) and not ok(high + step)
    elif "boolean" in kinds:
        assert ok(True) and ok(False) and not ok("yes")
    elif "string" in kinds:
        assert ok("text") and not ok(5)
    assert ok(None)
    assert attrs.fields_dict(cls)[name].default is None  # unset = fal's default, never a value of ours


def test_the_document_covers_every_endpoint_and_resolves() -> None:
    doc = document()
    paths = {e.path for _, e in CASES}
    assert paths <= set(doc["endpoints"])
    import json

    for ref in set(__import__("re").findall(r'"#/\$defs/(\w+)"', json.dumps(doc["endpoints"]))):
        assert ref in doc["$defs"]
