"""Validate JSON bodies against a provider's OpenAPI document (for emulators and drift tests).

:class:`OpenAPIDocument` loads one or more OpenAPI 3.1 files (later ones add paths and schemas),
resolves ``$ref`` with ``jsonschema``/``referencing``, and checks

* a request body against the request schema of ``POST <path>`` **strictly**: every object schema
  is treated as ``additionalProperties: false`` (unless it says otherwise), so an unknown key fails
  even where the document leaves extra keys open;
* a response body against the schema the document gives for a path, method and status.

``jsonschema`` is a test dependency (``pip install 'tryon[test]'``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["OpenAPIDocument", "SchemaProblem", "strict_schema"]


class SchemaProblem(Exception):
    """A body that the document's schema refuses; ``problems`` lists ``(path, message)`` pairs."""

    def __init__(self, what: str, problems: list[tuple[str, str]]) -> None:
        super().__init__(f"{what}: " + "; ".join(f"{p or '<body>'}: {m}" for p, m in problems))
        self.problems = problems


def strict_schema(schema: Any) -> Any:
    """A copy of *schema* in which every object without ``additionalProperties`` forbids extra keys."""
    if isinstance(schema, dict):
        out = {key: strict_schema(value) for key, value in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict_schema(item) for item in schema]
    return schema


def _jsonschema() -> Any:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - the test extra installs it
        raise RuntimeError(
            "validating against an OpenAPI document needs jsonschema: pip install 'tryon[test]'"
        ) from None
    return jsonschema


class OpenAPIDocument:
    """One provider API description, merged from *files* (the first is the base document)."""

    def __init__(self, files: Iterable[str | Path]) -> None:
        paths = [Path(f) for f in files]
        if not paths:
            raise ValueError("OpenAPIDocument needs at least one file")
        doc = json.loads(paths[0].read_text(encoding="utf-8"))
        for extra in paths[1:]:
            more = json.loads(extra.read_text(encoding="utf-8"))
            doc.setdefault("paths", {}).update(more.get("paths", {}))
            doc.setdefault("components", {}).setdefault("schemas", {}).update(
                more.get("components", {}).get("schemas", {}))
        self.files = tuple(paths)
        self.document: Mapping[str, Any] = doc

    @property
    def paths(self) -> Mapping[str, Any]:
        return self.document.get("paths", {})

    @cached_property
    def _strict_document(self) -> dict[str, Any]:
        return strict_schema(copy.deepcopy(dict(self.document)))

    def _validator(self, schema: Any, *, strict: bool) -> Any:
        jsonschema = _jsonschema()
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        root = self._strict_document if strict else dict(self.document)
        wrapper = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "urn:openapi#/x"}
        resolved = dict(root, x=strict_schema(schema) if strict else schema)
        registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(resolved))
        return jsonschema.Draft202012Validator(wrapper, registry=registry)

    def request_schema(self, path: str, method: str = "post") -> Any:
        """The JSON request-body schema of *method path* (``KeyError`` when the document has none)."""
        operation = self.paths[path][method.lower()]
        return operation["requestBody"]["content"]["application/json"]["schema"]

    def response_schema(self, path: str, status: int | str, method: str = "post") -> Any:
        operation = self.paths[path][method.lower()]
        return operation["responses"][str(status)]["content"]["application/json"]["schema"]

    def _check(self, what: str, schema: Any, body: Any, *, strict: bool) -> None:
        validator = self._validator(schema, strict=strict)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            problems = []
            for error in errors:
                # an anyOf failure: report its most specific branch error
                best = _jsonschema().exceptions.best_match([error]) if error.context else error
                problems.append(("/".join(str(p) for p in error.absolute_path), best.message))
            raise SchemaProblem(what, problems)

    def validate_request(self, path: str, body: Any, method: str = "post") -> None:
        """Raise :class:`SchemaProblem` unless *body* fits the request schema strictly (no unknown keys)."""
        self._check(f"{method.upper()} {path} request", self.request_schema(path, method), body, strict=True)

    def validate_response(self, path: str, status: int, body: Any, method: str = "post") -> None:
        """Raise :class:`SchemaProblem` unless *body* fits the document's response schema."""
        self._check(f"{method.upper()} {path} {status} answer", self.response_schema(path, status, method), body,
                    strict=False)
