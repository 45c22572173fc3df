"""Test helpers for provenance: which facts of a declaration have no recorded source.

A fact group needs a source when the declaration states something about it, that is when its
value differs from the default of :class:`~tryon.capabilities.Capabilities` (``model`` — the id
itself — always does). A source recorded for ``*`` covers every group. Plugin tests assert
``missing_sources(caps) == []``; the conformance kit reports what is missing as a skip with
the list, so that third-party plugins learn what to add without failing their suite::

    from tryon.testing.provenance import missing_sources

    def test_every_fact_has_a_source():
        for model, caps in MODELS.items():
            assert missing_sources(caps) == [], model
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from tryon.capabilities import Capabilities

__all__ = ["declared_fact_groups", "missing_sources", "unverified_facts"]

_DEFAULT = Capabilities()
_NOT_FACTS = frozenset({"sources"})


def declared_fact_groups(caps: Capabilities, *, also: Iterable[str] = ("model",)) -> list[str]:
    """The fact groups *caps* states (fields that differ from the defaults), plus *also*."""
    groups = set(also)
    for field in attrs.fields(Capabilities):
        if field.name in _NOT_FACTS:
            continue
        if getattr(caps, field.name) != getattr(_DEFAULT, field.name):
            groups.add(field.name)
    return sorted(groups)


def missing_sources(caps: Capabilities, *, also: Iterable[str] = ("model",)) -> list[str]:
    """The declared fact groups of *caps* (see :func:`declared_fact_groups`) with no source at all.

    Pass ``also=("model", "price")`` when the plugin also declares prices for the model.
    """
    return [g for g in declared_fact_groups(caps, also=also) if not caps.sources.sources_for(g)]


def unverified_facts(caps: Capabilities) -> list[str]:
    """The fact groups backed by a source marked ``verified=False`` (a conservative reading)."""
    return list(caps.sources.unverified())
