"""Checks FLUX tests share: the plugin's requests and the emulator's answers against BFL's vendored
OpenAPI document (requests strictly: no unknown keys)."""

from __future__ import annotations

import json

from tryon.testing.bfl_emulator import BFLEmulator, bfl_openapi
from tryon.testing.openapi import SchemaProblem


def openapi_violations(emulator: BFLEmulator) -> list[str]:
    """Why the plugin's requests or the emulator's answers recorded by *emulator* break the document."""
    doc = bfl_openapi()
    out = []
    for request, response in list(emulator.answers):
        method = request.method.lower()
        path = request.path
        if method == "post" and request.header("user-agent", "").startswith("tryon/"):
            try:
                doc.validate_request(path, request.params)
            except SchemaProblem as exc:
                out.append(str(exc))
        if response.status in (200, 422):
            try:
                doc.validate_response(path, response.status, json.loads(response.body), method=method)
            except SchemaProblem as exc:
                out.append(str(exc))
    return out
