"""Provenance shown: model details (text and JSON), the generated document, and the missing-sources helper."""

from __future__ import annotations

import datetime as dt

import attrs

from tryon import capability_table as table
from tryon.capabilities import Capabilities, Lifecycle, Operation
from tryon.provenance import Provenance, Source, SourceKind
from tryon.router import ModelInfo, Router
from tryon.sizes import Sizes
from tryon.testing.fake import FakeGenerator
from tryon.testing.provenance import declared_fact_groups, missing_sources, unverified_facts

DOCS = Source(where="https://example.com/docs/models", checked="2026-11-30", note="the model page")
SDK = Source(where="acme-sdk 1.2 types/image_params.py", checked=dt.date(2026, 11, 29), kind="third-party",
             verified=False, note="the SDK says 4 MP; the docs say nothing: 4 MP kept")
CAPS = Capabilities(
    operations={Operation.GENERATE, Operation.EDIT}, max_input_images=2, sizes=Sizes.fixed("1024x1024"),
    lifecycle=Lifecycle(status="deprecated", deprecated_on=dt.date(2026, 6, 1), shutdown_on=dt.date(2027, 6, 1),
                        successors=("acme-2",)),
    sources=Provenance({"model": DOCS, "sizes": [DOCS, SDK], "lifecycle": DOCS}),
)
INFO = ModelInfo("acme-1", "acme", CAPS, (), "acme")


def test_declared_groups_are_those_that_differ_from_the_defaults() -> None:
    assert declared_fact_groups(Capabilities()) == ["model"]
    assert declared_fact_groups(CAPS) == ["lifecycle", "max_input_images", "model", "operations", "sizes"]
    assert missing_sources(CAPS) == ["max_input_images", "operations"]
    assert missing_sources(CAPS, also=("model", "price")) == ["max_input_images", "operations", "price"]
    assert unverified_facts(CAPS) == ["sizes"]


def test_a_whole_declaration_source_covers_every_group() -> None:
    covered = attrs.evolve(CAPS, sources=CAPS.sources.merged({"*": DOCS}))
    assert missing_sources(covered, also=("model", "price")) == []


def test_model_details_carry_every_source_and_the_lifecycle_dates() -> None:
    d = table.model_details(INFO, dt.date(2026, 12, 1))
    assert d["sources"]["sizes"] == [DOCS.as_dict(), SDK.as_dict()]
    assert d["sources"]["sizes"][1] == {"where": SDK.where, "checked": "2026-11-29", "kind": "third-party",
                                        "note": SDK.note, "verified": False}
    assert d["unverified"] == ["sizes"] and d["unsourced"] == ["max_input_images", "operations"]
    life = d["lifecycle"]
    assert (life["status"], life["deprecated_on"], life["shutdown_on"], life["successors"]) == \
        ("deprecated", "2026-06-01", "2027-06-01", ["acme-2"])
    assert table.model_details(INFO, dt.date(2027, 6, 1))["lifecycle"]["status"] == "retired"


def test_model_details_text_lists_sources_with_kind_date_and_flags() -> None:
    text = table.model_details_text(INFO, dt.date(2026, 12, 1))
    assert "Lifecycle: acme-1 is deprecated: deprecated since 2026-06-01, shuts down on 2027-06-01; use acme-2" in text
    assert "  sizes - https://example.com/docs/models (official, checked 2026-11-30): the model page" in text
    assert f"  sizes - {SDK.where} (third-party, checked 2026-11-29, unverified): {SDK.note}" in text
    assert "  no source recorded for: max_input_images, operations" in text
    assert SourceKind.THIRD_PARTY.value in text


def test_the_generated_document_shows_sources_and_lifecycle_without_depending_on_today() -> None:
    router = Router(plugins=False, today=lambda: dt.date(2030, 1, 1))
    router.register(FakeGenerator("acme-1", provider="acme", capabilities=CAPS))
    doc = table.render_document(router, comparison=())
    assert "| acme-1 | deprecated | 2026-06-01 | 2027-06-01 | acme-2 | — |" in doc
    assert "Lifecycle: acme-1: declared deprecated (deprecated on 2026-06-01, shutdown on 2027-06-01); " \
           "successors: acme-2." in doc
    assert f"- `sizes` - {SDK.where} (third-party, checked 2026-11-29, unverified): {SDK.note}" in doc
    later = Router(plugins=False, today=lambda: dt.date(2040, 1, 1))
    later.register(FakeGenerator("acme-1", provider="acme", capabilities=CAPS))
    assert table.render_document(later, comparison=()) == doc


def test_the_conformance_kit_skips_with_the_missing_groups_or_fails_when_required() -> None:
    import pytest

    from tryon.testing.conformance import GeneratorConformance

    bare = FakeGenerator("bare-1", capabilities=attrs.evolve(CAPS, sources=Provenance()))
    with pytest.raises(pytest.skip.Exception, match="bare-1 records no source for the fact groups lifecycle, "
                                                   "max_input_images, model, operations, sizes"):
        GeneratorConformance().test_declared_facts_have_sources(bare)

    class Strict(GeneratorConformance):
        require_provenance = True

    with pytest.raises(pytest.fail.Exception, match="bare-1 records no source"):
        Strict().test_declared_facts_have_sources(bare)
    sourced = FakeGenerator("ok-1", capabilities=attrs.evolve(CAPS, sources=Provenance({"*": DOCS})))
    Strict().test_declared_facts_have_sources(sourced)  # nothing missing: passes
