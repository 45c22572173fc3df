"""Where each fal fact comes from, dated: fal's own client types (generated from fal's OpenAPI), fal's docs."""

from __future__ import annotations

from tryon.provenance import Provenance, Source, SourceKind

__all__ = ["CHECKED", "SCHEMAS", "Provenance", "Source", "SourceKind", "described", "inferred", "listed", "page",
           "schema",
           "third_party"]

CHECKED = "2026-12-02"
SCHEMAS = ("fal-ai/fal-js libs/types/src/image/zod.gen.ts @ 6c45fd5 (2026-04-16; @fal-ai/types, generated from "
           "fal's OpenAPI), transcribed to plugins/tryon_fal/schemas/fal-image-2026-04-16.json")
TYPES = ("fal-ai/fal-js libs/client/src/types/endpoints.ts @ 381105e (2026-08-02; fal's generated endpoint types "
         "with each field's description and default)")
QUEUE = "https://docs.fal.ai/model-endpoints/queue"
FILES = "https://docs.fal.ai/model-endpoints#file-inputs (a file input takes a URL or a Base64 data URI)"


def schema(endpoint: str, note: str = "") -> Source:
    """The endpoint's input schema (fields, types, ranges, enums)."""
    return Source(where=f"{SCHEMAS} {endpoint}", checked=CHECKED, note=note)


def described(endpoint: str, note: str) -> Source:
    """A field's description or default in fal's generated endpoint types."""
    return Source(where=f"{TYPES} {endpoint}", checked=CHECKED, note=note)


def page(endpoint: str, note: str, *, verified: bool = True) -> Source:
    """fal's model page (``llms.txt``: schema summary and price)."""
    return Source(where=f"https://fal.ai/models/{endpoint}/llms.txt", checked=CHECKED, note=note, verified=verified)


def third_party(where: str, note: str) -> Source:
    return Source(where=where, checked=CHECKED, kind=SourceKind.THIRD_PARTY, note=note, verified=False)


def inferred(where: str, note: str) -> Source:
    return Source(where=where, checked=CHECKED, kind=SourceKind.INFERRED, note=note, verified=False)


def listed(*endpoints: str) -> Source:
    """The endpoints exist and are current: listed in fal's generated endpoint map."""
    return Source(where=f"{TYPES}", checked=CHECKED,
                  note="listed: " + ", ".join(endpoints) + "; no deprecation noted")
