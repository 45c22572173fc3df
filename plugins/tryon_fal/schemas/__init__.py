"""fal's input and output schemas of the endpoints tryon declares, as vendored data.

``fal-image-2026-04-16.json`` holds, per endpoint id, the JSON Schema of its input and output
(``$defs`` shared), transcribed from fal's own generated client types (see README.md). The
emulator validates every input against it and the drift tests check the declarations against it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = ["FILE", "document", "enum_of", "input_schema", "output_schema"]

FILE = Path(__file__).with_name("fal-image-2026-04-16.json")


@functools.cache
def document() -> dict[str, Any]:
    """The vendored document (``endpoints`` by id, shared ``$defs``)."""
    data: dict[str, Any] = json.loads(FILE.read_text(encoding="utf-8"))
    return data


def _endpoint(endpoint: str) -> dict[str, Any]:
    try:
        entry: dict[str, Any] = document()["endpoints"][endpoint]
    except KeyError:
        raise KeyError(f"{endpoint!r} is not in {FILE.name}") from None
    return entry


def input_schema(endpoint: str) -> dict[str, Any]:
    """The JSON Schema of *endpoint*'s input (``$ref`` to ``#/$defs/...``)."""
    schema: dict[str, Any] = _endpoint(endpoint)["input"]
    return schema


def output_schema(endpoint: str) -> dict[str, Any]:
    """The JSON Schema of *endpoint*'s output."""
    schema: dict[str, Any] = _endpoint(endpoint)["output"]
    return schema


def enum_of(endpoint: str, field: str) -> tuple[str, ...]:
    """The enum values of input *field* of *endpoint* (the first ``enum`` branch of an ``anyOf``)."""
    spec = input_schema(endpoint)["properties"][field]
    for branch in [spec, *spec.get("anyOf", ())]:
        if "enum" in branch:
            return tuple(branch["enum"])
    raise KeyError(f"{endpoint} {field} has no enum")
