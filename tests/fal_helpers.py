"""Helpers of the fal tests: a router on the fal emulator, and the schema check of what was exchanged."""

from __future__ import annotations

from typing import Any

import tryon_fal
from tryon_fal.emulator import FalEmulator
from tryon_fal.schemas import document

import tryon
from tryon.testing.openapi import strict_schema

KEY = "fal-test-key-0123456789"


def schema_violations(emulator: FalEmulator) -> list[str]:
    """Why the plugin's inputs or the emulator's outputs recorded by *emulator* break fal's schemas."""
    import jsonschema

    doc = document()
    out = []
    for request in emulator.requests:
        endpoint = request.path.strip("/")
        if request.method != "POST" or endpoint not in doc["endpoints"]:
            continue
        if not (request.header("user-agent") or "").startswith("tryon/"):
            continue
        schema = {"$defs": strict_schema(doc["$defs"]), **strict_schema(doc["endpoints"][endpoint]["input"])}
        for error in jsonschema.Draft202012Validator(schema).iter_errors(request.params):
            out.append(f"{endpoint} input {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    for task in list(emulator.tasks.values()):
        if task.answer is not None:
            schema = {"$defs": doc["$defs"], **doc["endpoints"][task.endpoint]["output"]}
            for error in jsonschema.Draft202012Validator(schema).iter_errors(task.answer):
                out.append(f"{task.endpoint} output {'/'.join(map(str, error.absolute_path))}: {error.message}")
    return out


def fal_router(emulator: FalEmulator, **settings: Any) -> tryon.Router:
    """A router with every first-party fal model pointed at *emulator* (fast polls, no retries)."""
    router = tryon.Router(plugins=False)
    options: dict[str, Any] = {"base_url": emulator.url, "api_key": KEY, "poll_interval": 0.005,
                               "max_poll_interval": 0.02, "max_retries": 0, **settings}
    for generator in tryon_fal.generators(**options):
        router.register(generator)
    return router
