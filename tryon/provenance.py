"""Where a declared model fact comes from, and when it was checked.

Every fact a plugin declares about a model (its id, sizes, limits, price, lifecycle, ...) is only
as good as its source. A :class:`Provenance` maps *fact groups* to the :class:`Source` values
that back them; ``tryon models MODEL`` and ``docs/capabilities.md`` show them.

Fact groups are the field names of :class:`tryon.capabilities.Capabilities` (``sizes``,
``qualities``, ``inputs``, ``lifecycle``, ...) plus :data:`EXTRA_FACTS` (``model`` for the id
itself, ``price`` for the pricing data, ``options`` for provider options, ``*`` for the
declaration as a whole).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

__all__ = ["EXTRA_FACTS", "Provenance", "Source", "SourceKind"]

EXTRA_FACTS = frozenset({"*", "model", "price", "options"})
"""Fact groups that are not fields of ``Capabilities``."""


class SourceKind(enum.StrEnum):
    """How much a source is worth: the provider's own word, somebody else's, or our inference."""

    OFFICIAL = "official"
    THIRD_PARTY = "third-party"
    INFERRED = "inferred"


def _date(value: dt.date | str) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@attrs.frozen(kw_only=True)
class Source:
    """One source of a fact: a URL or an SDK file and version, the day it was checked, and its kind.

    ``note`` says what the source states, or, where sources conflict, which reading was chosen and
    why. ``verified=False`` marks a fact that could not be confirmed: the declaration then holds
    the conservative reading.
    """

    where: str = attrs.field(validator=attrs.validators.min_len(1))
    checked: dt.date = attrs.field(converter=_date)
    kind: SourceKind = attrs.field(default=SourceKind.OFFICIAL, converter=SourceKind)
    note: str = ""
    verified: bool = True

    def describe(self) -> str:
        text = f"{self.where} ({self.kind.value}, checked {self.checked.isoformat()}"
        text += ")" if self.verified else ", unverified)"
        return text + (f": {self.note}" if self.note else "")

    def as_dict(self) -> dict[str, object]:
        return {"where": self.where, "checked": self.checked.isoformat(), "kind": self.kind.value,
                "note": self.note, "verified": self.verified}


def _facts(values: Mapping[str, Source | Iterable[Source]]) -> Mapping[str, tuple[Source, ...]]:
    out: dict[str, tuple[Source, ...]] = {}
    for name, sources in values.items():
        group = (sources,) if isinstance(sources, Source) else tuple(sources)
        if not group or not all(isinstance(s, Source) for s in group):
            raise TypeError(f"provenance of {name!r} must be one or more Source values")
        out[name] = group
    return MappingProxyType(out)


@attrs.frozen
class Provenance:
    """Fact group -> the sources that back it. ``Provenance()`` means "no sources recorded"."""

    facts: Mapping[str, tuple[Source, ...]] = attrs.field(factory=dict, converter=_facts)

    def __bool__(self) -> bool:
        return bool(self.facts)

    def sources_for(self, fact: str) -> tuple[Source, ...]:
        """The sources of *fact*, falling back to those of the whole declaration (``*``)."""
        return self.facts.get(fact) or self.facts.get("*", ())

    def merged(self, other: Provenance | Mapping[str, Source | Iterable[Source]]) -> Provenance:
        """A copy with *other*'s groups added (a group in both takes *other*'s sources)."""
        extra = other.facts if isinstance(other, Provenance) else _facts(other)
        return Provenance({**self.facts, **extra})

    def unverified(self) -> tuple[str, ...]:
        """Fact groups backed by at least one unverified source."""
        return tuple(sorted(n for n, group in self.facts.items() if any(not s.verified for s in group)))

    def as_dict(self) -> dict[str, list[dict[str, object]]]:
        return {name: [s.as_dict() for s in group] for name, group in sorted(self.facts.items())}
